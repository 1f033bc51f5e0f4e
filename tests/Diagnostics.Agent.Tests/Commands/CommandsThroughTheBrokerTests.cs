using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Agent.Tests.Uplink;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diagnostics.Agent.Tests.Commands;

/// <summary>A whole agent (AgentRuntime with a simulated printer) and the cloud's side of commands through a real MQTT broker.</summary>
public sealed class CommandsThroughTheBrokerTests : IAsyncDisposable
{
    private const string DeviceId = "printer-cmd";

    private readonly TestDirectory _directory = new();
    private readonly FakeCloud _cloud = new();
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private AgentRuntime? _runtime;
    private Task? _running;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
            await _running;
        _runtime?.Dispose();
        _stop.Dispose();
        await _cloud.DisposeAsync();
        _directory.Dispose();
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Starts the agent on a simulated printer that jams at once and that nobody comes to fix for an hour.</summary>
    private async Task<CountingPrinter> StartAgentAsync(string script = "ipp:media-jam@0s")
    {
        await _cloud.StartAsync();
        var printer = new CountingPrinter(new SimulatedPrinter(
            new SimulatorOptions
            {
                ScriptedFaults = script,
                JobsPerHour = 0,
                JamsPerHour = 0,
                DoorOpensPerHour = 0,
                PersonReactsAfterMinSeconds = 3600,
                PersonReactsAfterMaxSeconds = 3600,
            },
            "SN-CMD", TimeProvider.System, new Random(3)));
        _runtime = new AgentRuntime(
            new DeviceCredentials(DeviceId, "token"),
            printer,
            new AgentOptions { DeviceId = DeviceId, DataDirectory = _directory.Path, PollInterval = TimeSpan.FromMilliseconds(50), ConditionDebounceInterval = TimeSpan.Zero },
            new BrokerOptions { Host = "127.0.0.1", Port = _cloud.Port, ReconnectMinDelay = TimeSpan.FromMilliseconds(50), ReconnectMaxDelay = TimeSpan.FromMilliseconds(200) },
            new OutboxOptions { Durability = OutboxDurability.ProcessCrash },
            NullLoggerFactory.Instance, TimeProvider.System, new Random(1));
        _running = _runtime.RunAsync(_stop.Token);
        await Eventually.TrueAsync(() => _runtime.Uplink.IsConnected, "the agent connected");
        return printer;
    }

    private static ConsentGrant Standing(ConsentAction action, string consentId = "policy-1") => new()
    {
        ConsentId = consentId,
        Action = action,
        GrantedUnixMs = Now - 60_000,
        ExpiresUnixMs = Now + 3_600_000,
        GrantedBy = "owner@example.com",
    };

    private static Command Command(string name, string commandId, ConsentGrant consent) => new()
    {
        CommandId = commandId,
        Name = name,
        IssuedUnixMs = Now,
        ExpiresUnixMs = Now + 600_000,
        Consent = consent,
    };

    private List<Envelope> Received() => _cloud.Received.Where(e => e.DeviceId == DeviceId).ToList();

    [Fact]
    public async Task A_command_with_consent_clears_the_jam_reports_succeeded_and_the_next_status_shows_no_jam_and_a_repeat_runs_once()
    {
        var printer = await StartAgentAsync();
        await Eventually.TrueAsync(() => Received().Exists(e => e.Status?.Conditions.Exists(c => c.Condition == Conditions.PaperJam) == true),
            "a status with the paper jam");
        // Nobody fixes the jam and nothing else changes: the next status is the one the command causes.
        var lastJammedStatus = Received().Where(e => e.Status is not null).Max(e => e.Sequence);
        var consent = Standing(ConsentAction.Maintenance);
        await _cloud.SendConsentsAsync(DeviceId, new ConsentSet { IssuedUnixMs = Now - 30_000, Grants = [consent] });
        var command = Command(DeviceCommands.ClearPaperPath, "cmd-clear-1", consent);

        await _cloud.SendCommandAsync(DeviceId, command);

        await Eventually.TrueAsync(() => _cloud.Results(DeviceId).Count == 1, "the command's result on up/result");
        var result = _cloud.Results(DeviceId)[0];
        Assert.Equal(("cmd-clear-1", DeviceCommands.ClearPaperPath, CommandOutcome.Succeeded, "paper jam cleared: the rollers fed the stuck sheet out"),
            (result.CommandId, result.Name, result.Outcome, result.Detail));
        // The pump may read the cleared printer just before the result is enqueued, or at the read the executor asks for after.
        await Eventually.TrueAsync(() => Received().Exists(e => e.Sequence > lastJammedStatus && e.Status is not null), "the next status");
        var next = Received().First(e => e.Sequence > lastJammedStatus && e.Status is not null).Status!;
        Assert.DoesNotContain(next.Conditions, c => c.Condition == Conditions.PaperJam);
        Assert.NotEqual(DeviceState.Stopped, next.State);
        Assert.Contains(Received(), e => e.Event is { Kind: EventKind.Cleared, Condition: Conditions.PaperJam });

        await _cloud.SendCommandAsync(DeviceId, command); // the cloud re-sends it, as on a reconnect

        await Eventually.TrueAsync(() => _cloud.Results(DeviceId).Count == 2, "a second result for the repeat");
        Assert.Equal(WireCodec.Encode(result), WireCodec.Encode(_cloud.Results(DeviceId)[1]));
        Assert.Equal(1, printer.Actions);
        Assert.Equal(1, _runtime!.Commands.CommandsRepeated);
        await Eventually.TrueAsync(() => _runtime.Outbox.Depth == 0, "both results acknowledged by the cloud");
    }

    [Fact]
    public async Task A_fix_that_does_not_work_is_reported_failed_and_the_jam_stays()
    {
        var printer = await StartAgentAsync("stubborn-jam@0s");
        await Eventually.TrueAsync(() => Received().Exists(e => e.Event is { Kind: EventKind.Raised, Condition: Conditions.PaperJam }), "the jam raised");

        await _cloud.SendCommandAsync(DeviceId, Command(DeviceCommands.ClearPaperPath, "cmd-clear-2", Standing(ConsentAction.Maintenance)));

        await Eventually.TrueAsync(() => _cloud.Results(DeviceId).Count == 1, "the command's result");
        Assert.Equal(CommandOutcome.Failed, _cloud.Results(DeviceId)[0].Outcome);
        Assert.StartsWith("the rollers could not clear the jam", _cloud.Results(DeviceId)[0].Detail, StringComparison.Ordinal);
        Assert.True((await printer.ReadAsync(TestContext.Current.CancellationToken)).Conditions.Exists(c => c.Condition == Conditions.PaperJam));
        Assert.DoesNotContain(Received(), e => e.Event is { Kind: EventKind.Cleared, Condition: Conditions.PaperJam });
    }

    [Fact]
    public async Task A_consent_revoked_by_the_retained_consent_set_is_refused_and_the_printer_is_not_touched()
    {
        var printer = await StartAgentAsync();
        var consent = Standing(ConsentAction.Maintenance, "policy-revoked");
        await _cloud.SendConsentsAsync(DeviceId, new ConsentSet { IssuedUnixMs = Now, Grants = [] });
        await Eventually.TrueAsync(() => _runtime!.Commands.Consents is not null, "the consent set arrived");

        await _cloud.SendCommandAsync(DeviceId, Command(DeviceCommands.ClearPaperPath, "cmd-clear-3", consent));

        await Eventually.TrueAsync(() => _cloud.Results(DeviceId).Count == 1, "the refusal");
        var refusal = _cloud.Results(DeviceId)[0];
        Assert.Equal(CommandOutcome.Refused, refusal.Outcome);
        Assert.StartsWith("consent policy-revoked was revoked", refusal.Detail, StringComparison.Ordinal);
        Assert.Equal(0, printer.Actions);
    }

    [Fact]
    public async Task Restart_agent_reports_succeeded_reconnects_the_session_and_keeps_reporting()
    {
        await StartAgentAsync(script: "");
        await Eventually.TrueAsync(() => Received().Exists(e => e.Heartbeat is not null), "the first heartbeat");

        await _cloud.SendCommandAsync(DeviceId, Command(DeviceCommands.RestartAgent, "cmd-restart", Standing(ConsentAction.Restart)));

        await Eventually.TrueAsync(() => _runtime!.Uplink.Connects == 2 && _runtime.Uplink.IsConnected, "the agent reconnected");
        await Eventually.TrueAsync(() => _cloud.Results(DeviceId).Count >= 1 && _runtime!.Outbox.Depth == 0, "the result delivered and acknowledged");
        Assert.All(_cloud.Results(DeviceId), r => Assert.Equal((CommandOutcome.Succeeded, "cmd-restart"), (r.Outcome, r.CommandId)));
        Assert.True((await _cloud.RetainedPresenceAsync(DeviceId))!.Online);
    }

    /// <summary>The simulated printer, counting the actions it was asked to run.</summary>
    private sealed class CountingPrinter(SimulatedPrinter printer) : IDeviceCollector, IDeviceActions
    {
        private int _actions;

        public int Actions => Volatile.Read(ref _actions);

        public string Name => printer.Name;

        public ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken) => printer.ReadAsync(cancellationToken);

        public Task<ActionOutcome> RunAsync(string command, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _actions);
            return printer.RunAsync(command, parameters, cancellationToken);
        }
    }
}
