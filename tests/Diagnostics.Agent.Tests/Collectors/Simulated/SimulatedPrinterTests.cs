using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Collectors.Simulated;

public sealed class SimulatedPrinterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Reads once per simulated minute for the given hours and returns every snapshot.</summary>
    private static async Task<List<DeviceStatus>> RunAsync(int seed, double hours, SimulatorOptions? options = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var printer = new SimulatedPrinter(options ?? new SimulatorOptions(), "SN-" + seed, time, new Random(seed));
        var statuses = new List<DeviceStatus>();
        for (var minute = 0; minute < hours * 60; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            statuses.Add(await printer.ReadAsync(Ct));
        }
        return statuses;
    }

    private static HashSet<string> CodesSeen(IEnumerable<DeviceStatus> statuses) =>
        statuses.SelectMany(s => s.Conditions).Select(c => c.Code).ToHashSet();

    [Fact]
    public async Task Same_seed_gives_the_same_sequence_of_statuses()
    {
        var first = await RunAsync(seed: 7, hours: 3);
        var second = await RunAsync(seed: 7, hours: 3);

        Assert.Equal(first.Select(WireCodec.Encode), second.Select(WireCodec.Encode));
    }

    [Fact]
    public async Task Different_seeds_give_different_printers()
    {
        var first = await RunAsync(seed: 1, hours: 1);
        var second = await RunAsync(seed: 2, hours: 1);

        Assert.NotEqual(first.Select(s => s.Supplies[0].LevelPercent), second.Select(s => s.Supplies[0].LevelPercent));
    }

    [Fact]
    public async Task Over_simulated_days_a_fleet_sees_jams_empty_paper_toner_low_then_empty_and_open_doors_come_and_go()
    {
        var statuses = new List<DeviceStatus>();
        for (var seed = 0; seed < 10; seed++)
            statuses.AddRange(await RunAsync(seed, hours: 24));

        var seen = CodesSeen(statuses);
        Assert.Contains(SimulatedPrinter.MediaJamCode, seen);
        Assert.Contains(SimulatedPrinter.MediaEmptyCode, seen);
        Assert.Contains(SimulatedPrinter.MediaLowCode, seen);
        Assert.Contains(SimulatedPrinter.TonerLowCode, seen);
        Assert.Contains(SimulatedPrinter.TonerEmptyCode, seen);
        Assert.Contains(SimulatedPrinter.DoorOpenCode, seen);
        Assert.DoesNotContain(SimulatedPrinter.FuserFaultCode, seen);
        Assert.Contains(statuses, s => s.Conditions.Count == 0 && s.State != DeviceState.Stopped);
        Assert.Contains(statuses, s => s.State == DeviceState.Processing);
        Assert.All(statuses.Where(s => s.Conditions.Any(c => c.Severity == Severity.Error)), s => Assert.Equal(DeviceState.Stopped, s.State));
    }

    [Fact]
    public async Task Printing_increments_the_pages_printed_counter_and_uses_toner()
    {
        var statuses = await RunAsync(seed: 3, hours: 6);

        var pages = statuses.Select(s => s.Counters.Single(c => c.Name == SimulatedPrinter.PagesPrintedCounter).Value).ToList();
        Assert.True(pages[^1] > pages[0]);
        Assert.All(pages.Zip(pages.Skip(1)), pair => Assert.True(pair.Second >= pair.First));
    }

    [Fact]
    public async Task Toner_low_is_a_warning_and_toner_empty_an_error_with_normalized_conditions()
    {
        var statuses = new List<DeviceStatus>();
        for (var seed = 0; seed < 10; seed++)
            statuses.AddRange(await RunAsync(seed, hours: 24));
        var conditions = statuses.SelectMany(s => s.Conditions).ToList();

        var low = conditions.First(c => c.Code == SimulatedPrinter.TonerLowCode);
        var empty = conditions.First(c => c.Code == SimulatedPrinter.TonerEmptyCode);
        Assert.Equal((Conditions.TonerLow, Severity.Warning), (low.Condition, low.Severity));
        Assert.Equal((Conditions.TonerEmpty, Severity.Error), (empty.Condition, empty.Severity));
        Assert.All(statuses.Where(s => s.Conditions.Any(c => c.Code == SimulatedPrinter.TonerEmptyCode)),
            s => Assert.True(s.Supplies.Single(x => x.Type == "toner").Empty));
    }

    [Fact]
    public async Task Faulty_firmware_raises_its_fuser_fault_again_and_again()
    {
        var options = new SimulatorOptions { FirmwareVersion = "2.2.0", FaultyFirmwareVersion = "2.2.0" };

        var statuses = await RunAsync(seed: 5, hours: 2, options);

        var faulted = statuses.Select(s => s.Conditions.Any(c => c.Code == SimulatedPrinter.FuserFaultCode && c.Condition == Conditions.FuserFault)).ToList();
        var raisedTimes = faulted.Zip(faulted.Skip(1)).Count(pair => !pair.First && pair.Second);
        Assert.True(raisedTimes >= 3, $"Fuser fault raised {raisedTimes} times in two hours.");
        Assert.All(statuses, s => Assert.Equal("2.2.0", s.FirmwareVersion));
    }

    [Fact]
    public async Task Time_scale_speeds_up_simulated_time()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var printer = new SimulatedPrinter(new SimulatorOptions { TimeScale = 60 }, "SN", time, new Random(3));
        var before = (await printer.ReadAsync(Ct)).Counters[0].Value;

        time.Advance(TimeSpan.FromMinutes(10)); // ten simulated hours
        var after = (await printer.ReadAsync(Ct)).Counters[0].Value;

        Assert.True(after - before > 100, $"Only {after - before} pages in ten simulated hours.");
    }
}
