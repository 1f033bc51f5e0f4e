using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Commands;
using Diagnostics.Agent.Telemetry;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Commands;

/// <summary>The executor on a fake clock with a real outbox and journal on disk, and a device that records what it is asked.</summary>
public sealed class CommandExecutorTests : IDisposable
{
    private const string DeviceId = "printer-1";
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    private readonly TestDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly Outbox _outbox;
    private readonly RecordingActions _device = new();
    private readonly List<CommandExecutor> _executors = [];

    public CommandExecutorTests()
    {
        _outbox = Outbox.Open(_directory.Path, new OutboxOptions { Durability = OutboxDurability.ProcessCrash }, _time);
    }

    public void Dispose()
    {
        _executors.ForEach(e => e.Dispose());
        _outbox.Dispose();
        _directory.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>An executor on the test's data directory; a second one on the same directory is the agent after a restart.</summary>
    private CommandExecutor Executor(IDeviceActions? device = null, CommandOptions? options = null, Action? afterAction = null, Action? restartAgent = null, bool noDevice = false)
    {
        var executor = new CommandExecutor(_directory.Path, noDevice ? null : device ?? _device, _outbox, new UplinkEnvelopes(DeviceId, _time),
            options ?? new CommandOptions(), _time, NullLogger<CommandExecutor>.Instance, afterAction, restartAgent);
        _executors.Add(executor);
        return executor;
    }

    private ConsentGrant Standing(ConsentAction action, string consentId = "policy-1") => new()
    {
        ConsentId = consentId,
        Action = action,
        GrantedUnixMs = Now - 60_000,
        ExpiresUnixMs = Now + 3_600_000,
        GrantedBy = "owner@example.com",
    };

    private Command Command(string name = DeviceCommands.ClearPaperPath, string commandId = "cmd-1", ConsentGrant? consent = null, params (string Name, string Value)[] parameters) => new()
    {
        CommandId = commandId,
        Name = name,
        Parameters = [.. parameters.Select(p => new CommandParameter { Name = p.Name, Value = p.Value })],
        IssuedUnixMs = Now,
        ExpiresUnixMs = Now + 600_000,
        Consent = consent ?? Standing(DeviceCommands.ConsentNeeded.GetValueOrDefault(name, ConsentAction.Maintenance)),
    };

    private async Task<List<CommandResult>> SentResultsAsync()
    {
        var records = await _outbox.ReadFromAsync(0, 1000, Ct);
        Assert.All(records, r => Assert.Equal(UplinkKind.CommandResult, r.Kind));
        return records.Select(r => WireCodec.DecodeUplink(r.Payload).Value!.CommandResult!).ToList();
    }

    private async Task AssertRefusedAsync(Command command, string detail)
    {
        var result = await Executor().ExecuteAsync(command, Ct);

        Assert.Equal((CommandOutcome.Refused, detail), (result.Outcome, result.Detail));
        Assert.Empty(_device.Calls);
        var sent = Assert.Single(await SentResultsAsync());
        Assert.Equal((command.CommandId, command.Name, CommandOutcome.Refused, detail), (sent.CommandId, sent.Name, sent.Outcome, sent.Detail));
    }

    [Fact]
    public async Task Runs_a_command_with_a_valid_consent_and_enqueues_its_result_through_the_outbox()
    {
        var readsRequested = 0;
        var executor = Executor(afterAction: () => readsRequested++);
        _device.Answer = (_, _) =>
        {
            _time.Advance(TimeSpan.FromSeconds(3));
            return Task.FromResult(ActionOutcome.Succeeded("paper path cleared"));
        };

        var result = await executor.ExecuteAsync(Command(), Ct);

        var call = Assert.Single(_device.Calls);
        Assert.Equal(DeviceCommands.ClearPaperPath, call.Command);
        Assert.Empty(call.Parameters);
        var sent = Assert.Single(await SentResultsAsync());
        Assert.Equal(("cmd-1", DeviceCommands.ClearPaperPath, CommandOutcome.Succeeded, "paper path cleared"), (sent.CommandId, sent.Name, sent.Outcome, sent.Detail));
        Assert.Equal((Start.ToUnixTimeMilliseconds(), Start.ToUnixTimeMilliseconds() + 3_000), (sent.StartedUnixMs, sent.FinishedUnixMs));
        Assert.Equal(sent.Detail, result.Detail);
        Assert.Equal(1, readsRequested);
        Assert.Equal(1, executor.CommandsRun);
    }

    [Fact]
    public async Task Collect_diagnostics_is_the_agents_own_command_whatever_the_collector()
    {
        var readsRequested = 0;
        var collected = new List<string>();
        var executor = new CommandExecutor(_directory.Path, null, _outbox, new UplinkEnvelopes(DeviceId, _time), new CommandOptions(), _time,
            NullLogger<CommandExecutor>.Instance, afterAction: () => readsRequested++,
            collectDiagnostics: (commandId, _) =>
            {
                collected.Add(commandId);
                return Task.FromResult(ActionOutcome.Succeeded("diagnostics report uploaded (10 bytes, 4 sections)"));
            });
        _executors.Add(executor);

        var result = await executor.ExecuteAsync(Command(DeviceCommands.CollectDiagnostics, "cmd-diag"), Ct);

        Assert.Equal((CommandOutcome.Succeeded, "diagnostics report uploaded (10 bytes, 4 sections)"), (result.Outcome, result.Detail));
        Assert.Equal(["cmd-diag"], collected);
        Assert.Empty(_device.Calls);
        Assert.Equal(0, readsRequested);
        var again = await executor.ExecuteAsync(Command(DeviceCommands.CollectDiagnostics, "cmd-diag"), Ct);
        Assert.Equal(result.Detail, again.Detail);
        Assert.Single(collected);
    }

    [Fact]
    public async Task Collect_diagnostics_without_a_reporter_fails_as_not_supported_by_the_agent()
    {
        var result = await Executor().ExecuteAsync(Command(DeviceCommands.CollectDiagnostics), Ct);

        Assert.Equal((CommandOutcome.Failed, "not supported by this agent"), (result.Outcome, result.Detail));
        Assert.Empty(_device.Calls);
    }

    [Fact]
    public async Task Passes_the_parameters_a_command_accepts_to_the_device()
    {
        await Executor().ExecuteAsync(Command(DeviceCommands.Identify, parameters: ("action", "sound")), Ct);

        Assert.Equal("sound", Assert.Single(_device.Calls).Parameters["action"]);
    }

    [Fact]
    public Task Refuses_an_unknown_command() =>
        AssertRefusedAsync(Command("self-destruct"), "unknown command 'self-destruct'");

    [Theory]
    [InlineData(DeviceCommands.ClearPaperPath, "tray", "2", "parameter 'tray' is not accepted by clear-paper-path: it takes no parameters")]
    [InlineData(DeviceCommands.Identify, "volume", "11", "parameter 'volume' is not accepted by identify: it accepts action")]
    [InlineData(DeviceCommands.Identify, "action", "explode", "parameter 'action' of identify must be one of display, flash, sound, speak (was 'explode')")]
    public Task Refuses_parameters_the_command_does_not_accept(string name, string parameter, string value, string detail) =>
        AssertRefusedAsync(Command(name, parameters: (parameter, value)), detail);

    [Fact]
    public Task Refuses_a_parameter_given_twice() =>
        AssertRefusedAsync(Command(DeviceCommands.Identify, parameters: [("action", "sound"), ("action", "display")]), "parameter 'action' is given twice");

    [Fact]
    public async Task Refuses_a_command_without_consent()
    {
        var command = Command();
        command.Consent = null;

        await AssertRefusedAsync(command, "no consent: clear-paper-path needs a maintenance consent");
    }

    [Theory]
    [InlineData(ConsentAction.Diagnostics)]
    [InlineData(ConsentAction.Restart)]
    [InlineData(ConsentAction.Unspecified)]
    public Task Refuses_a_consent_for_another_action_than_the_devices_own_table_says_the_command_needs(ConsentAction given) =>
        AssertRefusedAsync(Command(consent: Standing(given)),
            $"consent policy-1 is for {given.ToString().ToLowerInvariant()}, but clear-paper-path needs maintenance");

    [Fact]
    public async Task Refuses_a_consent_that_expired_by_the_devices_clock()
    {
        var command = Command();
        command.Consent!.ExpiresUnixMs = Now + 1_000;
        _time.Advance(TimeSpan.FromSeconds(2));

        await AssertRefusedAsync(command, "consent policy-1 expired at 2023-11-14T22:13:21Z (device clock 2023-11-14T22:13:22Z)");
    }

    [Fact]
    public async Task Refuses_a_one_time_consent_bound_to_another_command()
    {
        var consent = Standing(ConsentAction.Maintenance, "approval-7");
        consent.CommandId = "cmd-other";

        await AssertRefusedAsync(Command(consent: consent), "consent approval-7 is a one-time approval of command cmd-other, not of this one");
    }

    [Fact]
    public async Task Runs_on_a_one_time_consent_bound_to_this_command()
    {
        var consent = Standing(ConsentAction.Maintenance, "approval-1");
        consent.CommandId = "cmd-1";

        var result = await Executor().ExecuteAsync(Command(consent: consent), Ct);

        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
    }

    [Fact]
    public async Task A_command_past_its_expiry_is_answered_expired_and_not_run()
    {
        var command = Command();
        _time.Advance(TimeSpan.FromMinutes(11));

        var result = await Executor().ExecuteAsync(command, Ct);

        Assert.Equal((CommandOutcome.Expired, "the command expired at 2023-11-14T22:23:20Z (device clock 2023-11-14T22:24:20Z)"), (result.Outcome, result.Detail));
        Assert.Empty(_device.Calls);
        Assert.Equal(CommandOutcome.Expired, Assert.Single(await SentResultsAsync()).Outcome);
    }

    [Fact]
    public async Task A_command_without_an_expiry_is_refused()
    {
        var command = Command();
        command.ExpiresUnixMs = 0;

        await AssertRefusedAsync(command, "the command has no expiry");
    }

    [Fact]
    public async Task Runs_each_command_once_and_answers_a_repeat_with_the_same_result_even_after_a_restart_on_the_same_data_directory()
    {
        var command = Command();
        var executor = Executor();
        var first = await executor.ExecuteAsync(command, Ct);
        _time.Advance(TimeSpan.FromSeconds(5));
        var again = await executor.ExecuteAsync(command, Ct);                   // a broker re-delivery, same process
        executor.Dispose();

        var restarted = Executor();                                             // the agent restarted
        var afterRestart = await restarted.ExecuteAsync(command, Ct);

        Assert.Single(_device.Calls);
        var sent = await SentResultsAsync();
        Assert.Equal(3, sent.Count);
        Assert.All(sent, r => Assert.Equal(WireCodec.Encode(first), WireCodec.Encode(r)));
        Assert.Equal(WireCodec.Encode(first), WireCodec.Encode(again));
        Assert.Equal(WireCodec.Encode(first), WireCodec.Encode(afterRestart));
        Assert.Equal(1, restarted.CommandsRepeated);
    }

    [Fact]
    public async Task A_refusal_is_also_answered_the_same_way_when_the_command_comes_again()
    {
        var command = Command("self-destruct");
        var executor = Executor();
        var first = await executor.ExecuteAsync(command, Ct);
        _time.Advance(TimeSpan.FromMinutes(1));

        var again = await executor.ExecuteAsync(command, Ct);

        Assert.Equal(WireCodec.Encode(first), WireCodec.Encode(again));
    }

    [Fact]
    public async Task A_command_whose_action_was_interrupted_by_a_crash_is_answered_failed_and_not_run_again()
    {
        var command = Command();
        var never = new TaskCompletionSource<ActionOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var hung = new RecordingActions { Answer = (_, _) => never.Task };
        _ = Executor(hung).ExecuteAsync(command, Ct);                           // the process "dies" while the device acts
        await Eventually.TrueAsync(() => hung.Calls.Count == 1, "the first executor asked the device");

        var result = await Executor().ExecuteAsync(command, Ct);                // the restarted agent gets the re-sent command

        Assert.Equal((CommandOutcome.Failed, "interrupted: the agent stopped while the device was running it; not run again"), (result.Outcome, result.Detail));
        Assert.Empty(_device.Calls);
        // The first executor's action never completes: that process is gone.
    }

    [Fact]
    public async Task A_newer_consent_set_without_a_standing_consent_revokes_it_and_the_revocation_survives_a_restart()
    {
        var executor = Executor();
        var consent = Standing(ConsentAction.Maintenance, "policy-9");
        Assert.True(await executor.ApplyConsentSetAsync(new ConsentSet { IssuedUnixMs = Now - 30_000, Grants = [consent] }, Ct));
        Assert.Equal(CommandOutcome.Succeeded, (await executor.ExecuteAsync(Command(commandId: "cmd-1", consent: consent), Ct)).Outcome);

        Assert.True(await executor.ApplyConsentSetAsync(new ConsentSet { IssuedUnixMs = Now, Grants = [] }, Ct));
        var refused = await executor.ExecuteAsync(Command(commandId: "cmd-2", consent: consent), Ct);

        Assert.Equal((CommandOutcome.Refused, "consent policy-9 was revoked (absent from the consent set of 2023-11-14T22:13:20Z)"), (refused.Outcome, refused.Detail));
        executor.Dispose();
        var restarted = Executor();
        Assert.Equal(Now, restarted.Consents!.IssuedUnixMs);
        var afterRestart = await restarted.ExecuteAsync(Command(commandId: "cmd-3", consent: consent), Ct);
        Assert.Equal(refused.Detail, afterRestart.Detail);
        Assert.Single(_device.Calls);
    }

    [Fact]
    public async Task An_older_or_equal_consent_set_changes_nothing()
    {
        var executor = Executor();
        var consent = Standing(ConsentAction.Maintenance, "policy-9");
        await executor.ApplyConsentSetAsync(new ConsentSet { IssuedUnixMs = Now, Grants = [] }, Ct);

        // The broker re-delivers the retained set on every connect; a stale one must not bring a revoked consent back.
        Assert.False(await executor.ApplyConsentSetAsync(new ConsentSet { IssuedUnixMs = Now - 1, Grants = [consent] }, Ct));
        Assert.False(await executor.ApplyConsentSetAsync(new ConsentSet { IssuedUnixMs = Now, Grants = [consent] }, Ct));

        Assert.Empty(executor.Consents!.Grants);
        Assert.Equal(CommandOutcome.Refused, (await executor.ExecuteAsync(Command(consent: consent), Ct)).Outcome);
    }

    [Fact]
    public async Task A_consent_granted_after_the_latest_set_is_not_revoked_by_it_and_one_listed_in_a_newer_set_stays_valid()
    {
        var executor = Executor();
        await executor.ApplyConsentSetAsync(new ConsentSet { IssuedUnixMs = Now - 120_000, Grants = [] }, Ct);
        var newer = Standing(ConsentAction.Maintenance, "policy-new");            // granted a minute ago, after that set

        Assert.Equal(CommandOutcome.Succeeded, (await executor.ExecuteAsync(Command(commandId: "cmd-1", consent: newer), Ct)).Outcome);

        await executor.ApplyConsentSetAsync(new ConsentSet { IssuedUnixMs = Now, Grants = [newer] }, Ct);
        Assert.Equal(CommandOutcome.Succeeded, (await executor.ExecuteAsync(Command(commandId: "cmd-2", consent: newer), Ct)).Outcome);
    }

    [Fact]
    public async Task A_one_time_approval_is_not_revoked_by_a_newer_set_of_standing_consents()
    {
        // The cloud's sets list standing consents only and it publishes one on every reconnect, before re-sending commands.
        var executor = Executor();
        var approval = Standing(ConsentAction.Maintenance, "approval-1");
        approval.CommandId = "cmd-1";
        await executor.ApplyConsentSetAsync(new ConsentSet { IssuedUnixMs = Now, Grants = [] }, Ct);

        Assert.Equal(CommandOutcome.Succeeded, (await executor.ExecuteAsync(Command(consent: approval), Ct)).Outcome);
    }

    [Fact]
    public async Task Restart_agent_reports_succeeded_then_asks_the_runtime_to_restart_once_and_not_again_on_a_repeat()
    {
        var restarts = 0;
        var sentBeforeRestart = -1;
        var executor = Executor(restartAgent: () =>
        {
            restarts++;
            sentBeforeRestart = (int)_outbox.Depth;
        });
        var command = Command(DeviceCommands.RestartAgent);

        var result = await executor.ExecuteAsync(command, Ct);
        await executor.ExecuteAsync(command, Ct);

        Assert.Equal((CommandOutcome.Succeeded, CommandExecutor.RestartDetail), (result.Outcome, result.Detail));
        Assert.Equal(1, restarts);
        Assert.Equal(1, sentBeforeRestart);
        Assert.Empty(_device.Calls);
    }

    [Fact]
    public async Task A_device_whose_collector_cannot_act_fails_device_commands_as_not_supported()
    {
        var result = await Executor(noDevice: true).ExecuteAsync(Command(), Ct);

        Assert.Equal((CommandOutcome.Failed, "not supported by this device"), (result.Outcome, result.Detail));
    }

    [Fact]
    public async Task A_device_action_that_throws_or_hangs_is_reported_failed_and_the_next_command_still_runs()
    {
        var options = new CommandOptions { ActionTimeout = TimeSpan.FromSeconds(30) };
        _device.Answer = async (command, ct) =>
        {
            if (command == DeviceCommands.Calibrate)
                throw new InvalidOperationException("calibration sensor missing");
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, ct);
            return ActionOutcome.Succeeded("never");
        };
        var executor = Executor(options: options);

        var thrown = await executor.ExecuteAsync(Command(DeviceCommands.Calibrate, "cmd-1"), Ct);
        var hanging = executor.ExecuteAsync(Command(DeviceCommands.ResumePrinter, "cmd-2"), Ct);
        await Eventually.TrueAsync(() => _device.Calls.Count == 2, "the second action started");
        _time.Advance(TimeSpan.FromSeconds(31));
        var timedOut = await hanging;

        Assert.Equal((CommandOutcome.Failed, "the device action failed: calibration sensor missing"), (thrown.Outcome, thrown.Detail));
        Assert.Equal((CommandOutcome.Failed, "the device did not finish within 30 s"), (timedOut.Outcome, timedOut.Detail));
        _device.Answer = (_, _) => Task.FromResult(ActionOutcome.Succeeded("done"));
        Assert.Equal(CommandOutcome.Succeeded, (await executor.ExecuteAsync(Command(DeviceCommands.ClearPaperPath, "cmd-3"), Ct)).Outcome);
    }

    [Fact]
    public async Task A_command_that_could_not_be_read_is_refused_by_its_id_and_recorded()
    {
        var executor = Executor();

        var refused = await executor.RefuseUnreadableAsync("cmd-broken", "Malformed: truncated", Ct);
        var again = await executor.RefuseUnreadableAsync("cmd-broken", "Malformed: truncated", Ct);

        Assert.Equal(("cmd-broken", "", CommandOutcome.Refused, "the command could not be read: Malformed: truncated"),
            (refused.CommandId, refused.Name, refused.Outcome, refused.Detail));
        Assert.Equal(WireCodec.Encode(refused), WireCodec.Encode(again));
        Assert.Equal(2, (await SentResultsAsync()).Count);
    }

    [Fact]
    public async Task Commands_delivered_through_the_downlink_handler_are_run_in_order_by_the_queue()
    {
        var executor = Executor();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = executor.RunAsync(stop.Token);
        IDownlinkHandler handler = executor;

        await handler.OnCommandAsync(Command(DeviceCommands.ClearPaperPath, "cmd-1"), Ct);
        await handler.OnCommandAsync(Command(DeviceCommands.Calibrate, "cmd-2"), Ct);
        await handler.OnCommandAsync(Command(DeviceCommands.ClearPaperPath, "cmd-1"), Ct);
        await handler.OnUnreadableCommandAsync("cmd-3", "TooLarge: too big", Ct);

        await Eventually.TrueAsync(() => _outbox.Depth == 4, "four results enqueued");
        Assert.Equal([DeviceCommands.ClearPaperPath, DeviceCommands.Calibrate], _device.Calls.Select(c => c.Command));
        Assert.Equal(["cmd-1", "cmd-2", "cmd-1", "cmd-3"], (await SentResultsAsync()).Select(r => r.CommandId));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task The_journal_keeps_the_latest_entries_and_the_young_ones_and_forgets_the_rest()
    {
        var executor = Executor(options: new CommandOptions { JournalMaxEntries = 3, JournalMaxAge = TimeSpan.FromDays(1) });
        for (var i = 1; i <= 5; i++)
            await executor.ExecuteAsync(Command(commandId: $"old-{i}"), Ct);
        _time.Advance(TimeSpan.FromDays(2));
        for (var i = 1; i <= 4; i++)
            await executor.ExecuteAsync(Command(commandId: $"young-{i}"), Ct);

        var journal = CommandJournal.Open(_directory.Path, new CommandOptions(), _time, out var problem);

        Assert.Null(problem);
        Assert.Equal(4, journal.Count);
        Assert.Null(journal.Find("old-5"));
        Assert.All(Enumerable.Range(1, 4), i => Assert.NotNull(journal.Find($"young-{i}")));
        Assert.False(File.Exists(Path.Combine(_directory.Path, CommandJournal.FileName + ".tmp")));
    }

    [Fact]
    public async Task An_unreadable_journal_is_moved_aside_and_the_agent_starts_with_an_empty_one()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory.Path, CommandJournal.FileName), "{ not json", Ct);

        var result = await Executor().ExecuteAsync(Command(), Ct);

        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        Assert.True(File.Exists(Path.Combine(_directory.Path, CommandJournal.FileName + ".unreadable")));
    }
}
