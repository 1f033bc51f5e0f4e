using System.Collections.Concurrent;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Agent.Telemetry;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>The agent's real uplink (durable outbox in a temp directory, MQTT session, reconnects) against a test's broker.</summary>
public sealed class TestAgent : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ILoggerFactory _loggers;
    private readonly Task _running;
    private readonly UplinkEnvelopes _envelopes;

    private TestAgent(DeviceCredentials credentials, BrokerOptions broker, string directory)
    {
        Directory = directory;
        DeviceId = credentials.DeviceId;
        _loggers = LoggerFactory.Create(logging => logging.AddProvider(new ListLoggerProvider(Logs)));
        Outbox = Outbox.Open(directory, new OutboxOptions { Durability = OutboxDurability.ProcessCrash }, TimeProvider.System);
        _envelopes = new UplinkEnvelopes(credentials.DeviceId, TimeProvider.System);
        Uplink = new UplinkConnection(credentials, broker, Outbox, TimeProvider.System, new Random(7), _loggers.CreateLogger<UplinkConnection>());
        _running = Uplink.RunAsync(_stop.Token);
    }

    public string Directory { get; }

    public string DeviceId { get; }

    public Outbox Outbox { get; }

    public UplinkConnection Uplink { get; }

    public ConcurrentQueue<LogEntry> Logs { get; } = new();

    /// <summary>Starts the uplink; reconnects are quick so tests see several attempts in a moment.</summary>
    public static TestAgent Start(DeviceCredentials credentials, BrokerOptions broker, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        broker.Host = "127.0.0.1";
        broker.ReconnectMinDelay = TimeSpan.FromMilliseconds(50);
        broker.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        broker.ConnectTimeout = TimeSpan.FromSeconds(5);
        return new TestAgent(credentials, broker, directory ?? NewDirectory());
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

    public int LogCount(string contains) => Logs.Count(l => l.Message.Contains(contains, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
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
}
