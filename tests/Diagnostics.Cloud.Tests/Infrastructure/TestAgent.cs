using System.Collections.Concurrent;
using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Commands;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Agent.Telemetry;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>
/// The agent's real uplink (durable outbox in a temp directory, MQTT session, reconnects) against a test's broker; given
/// the device's actions, also the agent's real command handling (<see cref="CommandExecutor"/>: consent checks, journal,
/// the result through the outbox), with every command the MQTT client delivered kept in <see cref="CommandsDelivered"/>.
/// </summary>
public sealed class TestAgent : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ILoggerFactory _loggers;
    private readonly Task _running;
    private readonly Task _commands;
    private readonly UplinkEnvelopes _envelopes;

    private TestAgent(DeviceCredentials credentials, BrokerOptions broker, string directory, IDeviceActions? actions)
    {
        Directory = directory;
        DeviceId = credentials.DeviceId;
        _loggers = LoggerFactory.Create(logging => logging.AddProvider(new ListLoggerProvider(Logs)));
        Outbox = Outbox.Open(directory, new OutboxOptions { Durability = OutboxDurability.ProcessCrash }, TimeProvider.System);
        _envelopes = new UplinkEnvelopes(credentials.DeviceId, TimeProvider.System);
        if (actions is not null)
            Commands = new CommandExecutor(directory, actions, Outbox, _envelopes, new CommandOptions(), TimeProvider.System, _loggers.CreateLogger<CommandExecutor>());
        Uplink = new UplinkConnection(credentials, broker, Outbox, TimeProvider.System, new Random(7), _loggers.CreateLogger<UplinkConnection>(),
            downlink: Commands is null ? null : new RecordingDownlink(Commands, CommandsDelivered));
        _commands = Commands?.RunAsync(_stop.Token) ?? Task.CompletedTask;
        _running = Uplink.RunAsync(_stop.Token);
    }

    public string Directory { get; }

    public string DeviceId { get; }

    public Outbox Outbox { get; }

    public UplinkConnection Uplink { get; }

    public ConcurrentQueue<LogEntry> Logs { get; } = new();

    /// <summary>The agent's command handling, when started with the device's actions.</summary>
    public CommandExecutor? Commands { get; }

    /// <summary>Every command the agent's MQTT client delivered, in order, repeats included.</summary>
    public ConcurrentQueue<Command> CommandsDelivered { get; } = new();

    /// <summary>Starts the uplink; reconnects are quick so tests see several attempts in a moment.</summary>
    /// <param name="actions">What the device does when a command runs; without them commands are ignored, as by an agent without a handler.</param>
    public static TestAgent Start(DeviceCredentials credentials, BrokerOptions broker, string? directory = null, IDeviceActions? actions = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        broker.Host = "127.0.0.1";
        broker.ReconnectMinDelay = TimeSpan.FromMilliseconds(50);
        broker.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        broker.ConnectTimeout = TimeSpan.FromSeconds(5);
        return new TestAgent(credentials, broker, directory ?? NewDirectory(), actions);
    }

    public static string NewDirectory() => Path.Combine(Path.GetTempPath(), "dx-cloud-tests", "agent-" + Guid.NewGuid().ToString("N"));

    /// <summary>Enqueues events into the outbox; returns their sequences.</summary>
    public async Task<List<ulong>> EnqueueEventsAsync(int count, string code = "test:tls")
    {
        var sequences = new List<ulong>();
        for (var i = 0; i < count; i++)
            sequences.Add(await Outbox.EnqueueAsync(_envelopes.Event(new DeviceEvent { Kind = EventKind.Raised, Code = $"{code}:{i}", Severity = Severity.Report }), TestContext.Current.CancellationToken));
        return sequences;
    }

    /// <summary>Enqueues one event into the outbox; returns its sequence.</summary>
    public Task<ulong> EnqueueEventAsync(DeviceEvent @event) =>
        Outbox.EnqueueAsync(_envelopes.Event(@event), TestContext.Current.CancellationToken).AsTask();

    /// <summary>Enqueues a heartbeat (one carrying a pairing code lets the owner pair the device); returns its sequence.</summary>
    public Task<ulong> EnqueueHeartbeatAsync(Heartbeat heartbeat) =>
        Outbox.EnqueueAsync(_envelopes.Heartbeat(heartbeat), TestContext.Current.CancellationToken).AsTask();

    public int LogCount(string contains) => Logs.Count(l => l.Message.Contains(contains, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        try
        {
            await _commands;
        }
        catch (OperationCanceledException)
        {
            // Its queue's read was cancelled: the stop asked for.
        }
        Commands?.Dispose();
        Outbox.Dispose();
        _loggers.Dispose();
        _stop.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    /// <summary>Keeps each delivered command, then hands everything to the agent's own handler.</summary>
    private sealed class RecordingDownlink(IDownlinkHandler inner, ConcurrentQueue<Command> delivered) : IDownlinkHandler
    {
        public ValueTask OnCommandAsync(Command command, CancellationToken cancellationToken)
        {
            delivered.Enqueue(command);
            return inner.OnCommandAsync(command, cancellationToken);
        }

        public ValueTask OnUnreadableCommandAsync(string commandId, string reason, CancellationToken cancellationToken) =>
            inner.OnUnreadableCommandAsync(commandId, reason, cancellationToken);

        public ValueTask OnConsentSetAsync(ConsentSet consents, CancellationToken cancellationToken) => inner.OnConsentSetAsync(consents, cancellationToken);
    }
}
