using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Cloud.Tests.Devices;

public sealed class FleetHistoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory, BothEngines]
    public async Task A_sample_counts_devices_by_health_presence_and_active_condition(StorageProvider engine)
    {
        await using var db = await FleetDatabase.CreateAsync(engine);
        await db.AddDeviceAsync("a", health: "critical", online: true, conditions: [("ipp:media-jam", Conditions.PaperJam, Severity.Error), ("ipp:toner-low", Conditions.TonerLow, Severity.Warning)]);
        await db.AddDeviceAsync("b", health: "warning", online: true, conditions: [("ipp:toner-low", Conditions.TonerLow, Severity.Warning)]);
        await db.AddDeviceAsync("c", health: "healthy");
        await db.AddDeviceAsync("d", health: "warning", conditions: [("vendor:42", "", Severity.Warning)]);
        await db.AddDeviceAsync("e");

        var recorded = await db.History.RecordAsync(Start, TestContext.Current.CancellationToken);
        var read = await db.History.GetSamplesAsync(Start, TestContext.Current.CancellationToken);

        Assert.Equal(Start, recorded.At);
        Assert.Equal((5L, 1L, 2L, 1L, 1L, 2L), (recorded.Total, recorded.Healthy, recorded.Warning, recorded.Critical, recorded.Unknown, recorded.Online));
        Assert.Equal(
            new Dictionary<string, long> { [Conditions.TonerLow] = 2, [Conditions.PaperJam] = 1, ["vendor:42"] = 1 },
            recorded.Conditions);
        var stored = Assert.Single(read);
        Assert.Equal(recorded.Total, stored.Total);
        Assert.Equal(recorded.Conditions, stored.Conditions);
    }

    [Theory, BothEngines]
    public async Task An_empty_fleet_is_sampled_as_zeros(StorageProvider engine)
    {
        await using var db = await FleetDatabase.CreateAsync(engine);

        var sample = await db.History.RecordAsync(Start, TestContext.Current.CancellationToken);

        Assert.Equal((0L, 0L, 0L, 0L, 0L, 0L), (sample.Total, sample.Healthy, sample.Warning, sample.Critical, sample.Unknown, sample.Online));
        Assert.Empty(sample.Conditions);
    }

    [Theory, BothEngines]
    public async Task Samples_are_read_from_a_time_on_oldest_first_and_old_ones_can_be_deleted(StorageProvider engine)
    {
        await using var db = await FleetDatabase.CreateAsync(engine);
        var ct = TestContext.Current.CancellationToken;
        await db.AddDeviceAsync("a", health: "critical", conditions: [("ipp:media-jam", Conditions.PaperJam, Severity.Error)]);
        for (var minute = 0; minute < 4; minute++)
            await db.History.RecordAsync(Start.AddMinutes(minute), ct);

        var lastTwo = await db.History.GetSamplesAsync(Start.AddMinutes(2), ct);
        var deleted = await db.History.DeleteBeforeAsync(Start.AddMinutes(3), ct);
        var left = await db.History.GetSamplesAsync(Start, ct);

        Assert.Equal([Start.AddMinutes(2), Start.AddMinutes(3)], lastTwo.Select(s => s.At));
        Assert.All(lastTwo, s => Assert.Equal(1, s.Conditions[Conditions.PaperJam]));
        Assert.Equal(3, deleted);
        Assert.Equal([Start.AddMinutes(3)], left.Select(s => s.At));
    }

    [Theory, BothEngines]
    public async Task The_sampler_samples_at_start_then_every_interval_and_forgets_samples_past_retention(StorageProvider engine)
    {
        var time = new FakeTimeProvider(Start);
        await using var host = new CloudHost(
            settings: new Dictionary<string, string?>
            {
                ["FleetHistory:SampleInterval"] = "00:01:00",
                ["FleetHistory:Retention"] = "00:02:30",
            },
            time: time,
            engine: engine);
        var history = host.Services.GetRequiredService<IFleetHistoryStore>();
        await host.RegisterAsync("sampled-1");
        async Task<List<DateTimeOffset>> SampledAtAsync() =>
            [.. (await history.GetSamplesAsync(DateTimeOffset.MinValue, TestContext.Current.CancellationToken)).Select(s => s.At)];

        await Eventually.TrueAsync(async () => (await SampledAtAsync()).Count == 1, "the sample taken at start");
        for (var minute = 1; minute <= 4; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            var expected = Start.AddMinutes(minute);
            await Eventually.TrueAsync(async () => (await SampledAtAsync()).LastOrDefault() == expected, $"the sample at minute {minute}");
        }

        // Minute 4 now: retention of 2.5 minutes keeps minutes 2, 3 and 4.
        await Eventually.TrueAsync(async () => (await SampledAtAsync()).Count == 3, "samples past retention deleted");
        Assert.Equal([Start.AddMinutes(2), Start.AddMinutes(3), Start.AddMinutes(4)], await SampledAtAsync());
        var latest = (await history.GetSamplesAsync(Start.AddMinutes(4), TestContext.Current.CancellationToken)).Single();
        Assert.Equal(1, latest.Total);
        Assert.Equal(1, latest.Unknown);
    }

    [Theory]
    [InlineData("FleetHistory:SampleInterval", "00:00:00")]
    [InlineData("FleetHistory:Retention", "00:00:10")]
    public async Task Invalid_options_stop_the_host_from_starting(string key, string value)
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => host.Services);

        Assert.IsType<OptionsValidationException>(error.GetBaseException());
        host.ErrorsExpected = true;
    }
}
