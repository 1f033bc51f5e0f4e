using System.Collections.Frozen;
using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Collectors.Simulated;

/// <summary>What the simulated printer does when the agent runs a command on it.</summary>
public sealed class SimulatedPrinterActionsTests
{
    private static readonly IReadOnlyDictionary<string, string> NoParameters = FrozenDictionary<string, string>.Empty;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A printer with no random faults and nobody around to fix anything for an hour, unless a script says so.</summary>
    private SimulatedPrinter Printer(string script = "", double jobsPerHour = 0, int seed = 1) => new(
        new SimulatorOptions
        {
            ScriptedFaults = script,
            JobsPerHour = jobsPerHour,
            JamsPerHour = 0,
            DoorOpensPerHour = 0,
            PersonReactsAfterMinSeconds = 3600,
            PersonReactsAfterMaxSeconds = 3600,
        },
        "SN-1", _time, new Random(seed));

    private async Task<DeviceStatus> AfterAsync(SimulatedPrinter printer, int seconds)
    {
        _time.Advance(TimeSpan.FromSeconds(seconds));
        return await printer.ReadAsync(Ct);
    }

    private static bool Has(DeviceStatus status, string condition) => status.Conditions.Exists(c => c.Condition == condition);

    [Fact]
    public async Task Clear_paper_path_clears_a_jam_and_the_printer_is_no_longer_stopped()
    {
        var printer = Printer("ipp:media-jam@2s");
        var jammed = await AfterAsync(printer, 3);
        Assert.True(Has(jammed, Conditions.PaperJam));
        Assert.Equal(DeviceState.Stopped, jammed.State);

        var outcome = await printer.RunAsync(DeviceCommands.ClearPaperPath, NoParameters, Ct);

        Assert.Equal(ActionOutcome.Succeeded("paper jam cleared: the rollers fed the stuck sheet out"), outcome);
        var cleared = await printer.ReadAsync(Ct);
        Assert.False(Has(cleared, Conditions.PaperJam));
        Assert.NotEqual(DeviceState.Stopped, cleared.State);
        Assert.False(Has(await AfterAsync(printer, 7200), Conditions.PaperJam), "the person's countdown is gone with the jam");
    }

    [Fact]
    public async Task A_stubborn_jam_is_reported_as_a_paper_jam_that_clear_paper_path_cannot_clear_but_a_person_can()
    {
        var printer = Printer("stubborn-jam@2s/60s");
        var jammed = await AfterAsync(printer, 3);
        Assert.Contains(jammed.Conditions, c => (c.Code, c.Condition) == (SimulatedPrinter.MediaJamCode, Conditions.PaperJam));

        var outcome = await printer.RunAsync(DeviceCommands.ClearPaperPath, NoParameters, Ct);

        Assert.Equal(ActionOutcome.Failed("the rollers could not clear the jam: a sheet is stuck in the paper path; open the front door and remove it by hand"), outcome);
        Assert.True(Has(await printer.ReadAsync(Ct), Conditions.PaperJam));
        Assert.False(Has(await AfterAsync(printer, 60), Conditions.PaperJam), "a person cleared it after the scripted minute");
    }

    [Fact]
    public async Task Clear_paper_path_without_a_jam_succeeds_and_says_there_was_none()
    {
        var printer = Printer();
        await AfterAsync(printer, 1);

        var outcome = await printer.RunAsync(DeviceCommands.ClearPaperPath, NoParameters, Ct);

        Assert.Equal(ActionOutcome.Succeeded("no paper jam: the paper path was already clear"), outcome);
    }

    [Fact]
    public async Task Resume_printer_ends_a_pause_and_says_so_when_there_was_none()
    {
        var printer = Printer("ipp:paused@1s");
        var paused = await AfterAsync(printer, 2);
        var condition = paused.Conditions.Single(c => c.Code == SimulatedPrinter.PausedCode);
        Assert.Equal((Conditions.Paused, Severity.Error, DeviceState.Stopped), (condition.Condition, condition.Severity, paused.State));

        var resumed = await printer.RunAsync(DeviceCommands.ResumePrinter, NoParameters, Ct);
        var again = await printer.RunAsync(DeviceCommands.ResumePrinter, NoParameters, Ct);

        Assert.Equal(ActionOutcome.Succeeded("resumed: the printer was paused and prints again"), resumed);
        Assert.Equal(ActionOutcome.Succeeded("the printer was not paused: nothing to resume"), again);
        Assert.Equal(DeviceState.Idle, (await printer.ReadAsync(Ct)).State);
    }

    [Fact]
    public async Task Cancel_stuck_jobs_empties_the_queue_of_a_jammed_printer()
    {
        // Jobs keep coming while a jam stops the printer: they queue up.
        var printer = Printer("ipp:media-jam@1s", jobsPerHour: 3600);
        var stuck = await AfterAsync(printer, 30);
        Assert.Contains("Paper jam", stuck.StateMessage, StringComparison.Ordinal);

        var outcome = await printer.RunAsync(DeviceCommands.CancelStuckJobs, NoParameters, Ct);
        await printer.RunAsync(DeviceCommands.ClearPaperPath, NoParameters, Ct);

        Assert.Matches(@"^cancelled every queued job \(\d+ pages\)$", outcome.Detail);
        Assert.Equal(CommandOutcome.Succeeded, outcome.Outcome);
        Assert.Equal(DeviceState.Idle, (await printer.ReadAsync(Ct)).State);
        Assert.Equal(ActionOutcome.Succeeded("no jobs queued: nothing to cancel"), await printer.RunAsync(DeviceCommands.CancelStuckJobs, NoParameters, Ct));
    }

    [Theory]
    [InlineData(DeviceCommands.Identify, CommandOutcome.Succeeded, "the printer beeped and flashed its panel lights")]
    [InlineData(DeviceCommands.Calibrate, CommandOutcome.Succeeded, "calibrated: colour registration and density adjusted")]
    [InlineData(DeviceCommands.CleanPrintHeads, CommandOutcome.Succeeded, "print heads cleaned")]
    [InlineData(DeviceCommands.CollectDiagnostics, CommandOutcome.Failed, "not supported by this device")] // the agent collects reports itself
    [InlineData("teleport", CommandOutcome.Failed, "not supported by this device")]
    public async Task The_other_commands(string command, CommandOutcome outcome, string detail)
    {
        var result = await Printer().RunAsync(command, NoParameters, Ct);

        Assert.Equal((outcome, detail), (result.Outcome, result.Detail));
    }

    [Fact]
    public async Task Identify_does_what_its_action_parameter_asks()
    {
        var result = await Printer().RunAsync(DeviceCommands.Identify, new Dictionary<string, string> { ["action"] = "sound" }, Ct);

        Assert.Equal("the printer beeped", result.Detail);
    }

    [Fact]
    public async Task Commands_do_not_draw_from_the_random_generator_so_the_printer_still_follows_its_seed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var plain = new SimulatedPrinter(new SimulatorOptions(), "SN-7", time, new Random(7));
        var commanded = new SimulatedPrinter(new SimulatorOptions(), "SN-7", time, new Random(7));
        for (var minute = 0; minute < 120; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            if (minute % 10 == 0)
            {
                await commanded.RunAsync(DeviceCommands.Identify, NoParameters, Ct);
                await commanded.RunAsync(DeviceCommands.Calibrate, NoParameters, Ct);
            }
            Assert.Equal(WireCodec.Encode(await plain.ReadAsync(Ct)), WireCodec.Encode(await commanded.ReadAsync(Ct)));
        }
    }
}
