using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Collectors.Simulated;

public sealed class ScriptedFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A printer that never jams or opens its door by chance, read once per simulated second.</summary>
    private static async Task<List<DeviceStatus>> RunAsync(string script, int seconds, int seed = 1)
    {
        var options = new SimulatorOptions { ScriptedFaults = script, JamsPerHour = 0, DoorOpensPerHour = 0 };
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var printer = new SimulatedPrinter(options, "SN-1", time, new Random(seed));
        var statuses = new List<DeviceStatus>();
        for (var second = 1; second <= seconds; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            statuses.Add(await printer.ReadAsync(Ct));
        }
        return statuses;
    }

    private static bool Has(DeviceStatus status, string code) => status.Conditions.Any(c => c.Code == code);

    [Fact]
    public async Task A_scripted_jam_is_raised_at_its_second_and_cleared_after_its_duration()
    {
        var statuses = await RunAsync("ipp:media-jam@5s/10s", seconds: 30);

        // statuses[i] is the status after i + 1 simulated seconds.
        Assert.DoesNotContain(statuses.Take(4), s => Has(s, SimulatedPrinter.MediaJamCode));
        Assert.All(statuses.Skip(4).Take(10), s => Assert.True(Has(s, SimulatedPrinter.MediaJamCode)));
        Assert.DoesNotContain(statuses.Skip(14), s => Has(s, SimulatedPrinter.MediaJamCode));
        var jam = statuses[4].Conditions.Single(c => c.Code == SimulatedPrinter.MediaJamCode);
        Assert.Equal(Conditions.PaperJam, jam.Condition);
        Assert.Equal(Severity.Error, jam.Severity);
        Assert.Equal(DeviceState.Stopped, statuses[4].State);
        var jams = statuses.Select(s => s.Counters.Single(c => c.Name == SimulatedPrinter.PaperJamsCounter).Value).ToList();
        Assert.Equal(jams[0] + 1, jams[^1]);
    }

    [Fact]
    public async Task Without_a_duration_a_person_clears_the_fault_within_the_usual_reaction_time()
    {
        var options = new SimulatorOptions();
        var statuses = await RunAsync("ipp:door-open@1m", seconds: 60 + options.PersonReactsAfterMaxSeconds + 2);

        var open = statuses.Select((s, i) => (Second: i + 1, Open: Has(s, SimulatedPrinter.DoorOpenCode))).Where(x => x.Open).ToList();
        Assert.Equal(60, open[0].Second);
        Assert.InRange(open.Count, options.PersonReactsAfterMinSeconds, options.PersonReactsAfterMaxSeconds);
        Assert.False(Has(statuses[^1], SimulatedPrinter.DoorOpenCode));
    }

    [Fact]
    public async Task Several_faults_in_one_script_each_come_at_their_own_second()
    {
        var statuses = await RunAsync("ipp:media-jam@0s/3s, acme:50.1@10s/2s", seconds: 15);

        Assert.True(Has(statuses[0], SimulatedPrinter.MediaJamCode));
        Assert.False(Has(statuses[3], SimulatedPrinter.MediaJamCode));
        Assert.True(Has(statuses[9], SimulatedPrinter.FuserFaultCode));
        Assert.False(Has(statuses[11], SimulatedPrinter.FuserFaultCode));
    }

    [Fact]
    public async Task An_empty_script_leaves_the_seeded_random_printer_unchanged()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var withEmptyScript = new SimulatedPrinter(new SimulatorOptions { ScriptedFaults = "" }, "SN-7", time, new Random(7));
        var plain = new SimulatedPrinter(new SimulatorOptions(), "SN-7", time, new Random(7));
        for (var minute = 0; minute < 180; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(WireCodec.Encode(await plain.ReadAsync(Ct)), WireCodec.Encode(await withEmptyScript.ReadAsync(Ct)));
        }
    }

    [Theory]
    [InlineData("ipp:media-jam", "@start")]
    [InlineData("ipp:toner-low@5s", "must be one of")]
    [InlineData("ipp:media-jam@soon", "@5s or @2m")]
    [InlineData("ipp:media-jam@5s/0s", "at least 1s")]
    public void A_script_that_is_not_understood_fails_validation_naming_the_part(string script, string expected)
    {
        var errors = new SimulatorOptions { ScriptedFaults = script }.Validate().ToList();

        var error = Assert.Single(errors);
        Assert.Contains(script, error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stubborn_jam_and_a_pause_can_be_scripted_beside_the_condition_codes()
    {
        var faults = ScriptedFault.Parse("stubborn-jam@5s, ipp:paused@1m/30s, ipp:media-jam@2s", out var errors);

        Assert.Empty(errors);
        Assert.Equal([new ScriptedFault("stubborn-jam", 5, null), new ScriptedFault("ipp:paused", 60, 30), new ScriptedFault("ipp:media-jam", 2, null)], faults);
    }

    [Fact]
    public void Minutes_and_seconds_parse_and_a_valid_script_passes_validation()
    {
        var faults = ScriptedFault.Parse("ipp:media-jam@2m/30s,ipp:media-empty@7", out var errors);

        Assert.Empty(errors);
        Assert.Equal([new ScriptedFault("ipp:media-jam", 120, 30), new ScriptedFault("ipp:media-empty", 7, null)], faults);
        Assert.Empty(new SimulatorOptions { ScriptedFaults = "ipp:media-jam@2m/30s" }.Validate());
    }
}
