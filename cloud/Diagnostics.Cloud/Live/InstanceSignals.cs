using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Messaging;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Diagnostics.Cloud.Live;

/// <summary>
/// Carries the in-process signals between instances over PostgreSQL LISTEN/NOTIFY: fleet changes (live dashboard,
/// companion, the SignalR hub and the background loops' wake-ups), chat and queue wake-ups, and "the knowledge index
/// changed". Each instance announces what it published locally and replays what the others announce to its own
/// subscribers, so a browser on instance B sees what instance A stored. On SQLite (one instance) it does nothing.
/// </summary>
/// <remarks>
/// Signals are hints to re-read the store, never the record: a signal lost while the listening connection is down
/// delays a view until its next regular check, and loses no data. PostgreSQL was chosen over a Redis backplane
/// because it is already there and because Blazor circuits, long polls and loops need the same signals a SignalR
/// backplane would not carry.
/// </remarks>
public sealed partial class InstanceSignals(
    IOptions<StorageOptions> storage,
    IServiceProvider services,
    FleetChanges changes,
    TimeProvider time,
    CloudMetrics metrics,
    ILogger<InstanceSignals> logger) : BackgroundService
{
    /// <summary>The NOTIFY channel every instance listens on.</summary>
    public const string Channel = "diagnostics_signals";

    // NOTIFY payloads stop at 8000 bytes; a change too large for it goes without its details (a hint is enough).
    private const int MaxPayloadChars = 7000;
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(2);

    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly Channel<string> _outgoing = System.Threading.Channels.Channel.CreateBounded<string>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (storage.Value.Provider == StorageProvider.PostgreSQL)
        {
            changes.Relay = list => Send(new Signal(_instance, Signal.KindChanges, Changes: [.. list.Select(Relayed.From)]));
            // Whatever capabilities this host has (store-only tools and narrow test hosts have fewer) relay their own signals.
            foreach (var relayed in RelayedCapabilities())
            {
                var topic = relayed.Topic;
                relayed.Relay = key => Send(new Signal(_instance, topic, Key: key));
            }
        }
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (storage.Value.Provider != StorageProvider.PostgreSQL)
            return;
        var dataSource = services.GetRequiredService<PostgresConnectionFactory>().DataSource;
        await Task.WhenAll(ListenAsync(dataSource, stoppingToken), SendAsync(dataSource, stoppingToken));
    }

    private void Send(Signal signal)
    {
        var payload = JsonSerializer.Serialize(signal, SignalJson.Default.Signal);
        if (payload.Length > MaxPayloadChars && signal.Changes is { } list)
            payload = JsonSerializer.Serialize(signal with { Changes = [.. list.Select(c => c.WithoutDetails())] }, SignalJson.Default.Signal);
        if (payload.Length > MaxPayloadChars)
        {
            metrics.Error("instances.signal-too-large");
            LogDropped(payload.Length);
            return;
        }
        _outgoing.Writer.TryWrite(payload);
    }

    private async Task SendAsync(NpgsqlDataSource dataSource, CancellationToken stoppingToken)
    {
        try
        {
            while (await _outgoing.Reader.WaitToReadAsync(stoppingToken))
            {
                try
                {
                    await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                    while (_outgoing.Reader.TryRead(out var payload))
                    {
                        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload);", connection);
                        notify.Parameters.AddWithValue("channel", Channel);
                        notify.Parameters.AddWithValue("payload", payload);
                        await notify.ExecuteNonQueryAsync(stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    metrics.Error("instances.notify");
                    LogLost(ex);
                    await Task.Delay(Reconnect, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task ListenAsync(NpgsqlDataSource dataSource, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => Receive(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel};", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                LogListening();
                while (true)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                metrics.Error("instances.listen");
                LogLost(ex);
                try
                {
                    await Task.Delay(Reconnect, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Receive(string payload)
    {
        Signal? signal;
        try
        {
            signal = JsonSerializer.Deserialize(payload, SignalJson.Default.Signal);
        }
        catch (JsonException)
        {
            metrics.Error("instances.signal-unreadable");
            return;
        }
        if (signal is null || signal.From == _instance)
            return;
        switch (signal.Kind)
        {
            case Signal.KindChanges when signal.Changes is { } list:
                changes.PublishLocally([.. list.Select(c => c.ToChange())]);
                break;
            default:
                if (RelayedCapabilities().FirstOrDefault(r => r.Topic == signal.Kind) is { } relayed)
                    _ = ReceiveAsync(relayed, signal.Key);
                break;
        }
    }

    private IEnumerable<IInstanceRelayed> RelayedCapabilities() => services.GetServices<IInstanceRelayed>();

    private async Task ReceiveAsync(IInstanceRelayed relayed, string? key)
    {
        try
        {
            await relayed.ReceiveAsync(key, CancellationToken.None);
        }
        catch (Exception ex)
        {
            metrics.Error("instances." + relayed.Topic);
            LogLost(ex);
        }
    }

    [LoggerMessage(EventId = LiveEventIds.InstanceSignalsListening, Level = LogLevel.Information, Message = "Listening for the other instances' signals on PostgreSQL channel " + Channel)]
    private partial void LogListening();

    [LoggerMessage(EventId = LiveEventIds.InstanceSignalsLost, Level = LogLevel.Warning, Message = "Signals between instances interrupted; reconnecting (views catch up at their next regular check)")]
    private partial void LogLost(Exception exception);

    [LoggerMessage(EventId = LiveEventIds.InstanceSignalDropped, Level = LogLevel.Warning, Message = "A signal of {Chars} characters is too large for NOTIFY and was not sent to the other instances")]
    private partial void LogDropped(int chars);
}

/// <summary>One signal between instances, as sent over NOTIFY.</summary>
public sealed record Signal(string From, string Kind, IReadOnlyList<Relayed>? Changes = null, string? Key = null)
{
    /// <summary>Live's own fleet changes; every other kind is an <see cref="IInstanceRelayed.Topic"/>.</summary>
    public const string KindChanges = "changes";
}

/// <summary>A <see cref="DeviceChange"/> on the wire between instances; protocol messages travel in their wire encoding.</summary>
public sealed record Relayed(
    string DeviceId, long AtMs, DeviceHealth? Health, DevicePresence? Presence, bool ReadyForDownlink, bool HostReported,
    IReadOnlyList<byte[]>? Events, IReadOnlyList<byte[]>? CommandResults, IReadOnlyList<byte[]>? UpdateReports)
{
    public static Relayed From(DeviceChange change) => new(
        change.DeviceId, change.At.ToUnixTimeMilliseconds(), change.Health, change.Presence, change.ReadyForDownlink, change.HostReported,
        change.Events?.Select(e => WireCodec.Encode(e)).ToList(),
        change.CommandResults?.Select(r => WireCodec.Encode(r)).ToList(),
        change.UpdateReports?.Select(r => WireCodec.Encode(r)).ToList());

    /// <summary>What woke whom stays (an empty list still says "there were results"); the contents go.</summary>
    public Relayed WithoutDetails() => this with
    {
        Events = Events is null ? null : [],
        CommandResults = CommandResults is null ? null : [],
        UpdateReports = UpdateReports is null ? null : [],
    };

    public DeviceChange ToChange() => new(
        DeviceId, DateTimeOffset.FromUnixTimeMilliseconds(AtMs), Health, Presence,
        Events?.Select(b => WireCodec.Decode<DeviceEvent>(b)).Where(d => d.IsSuccess).Select(d => d.Value!).ToList(),
        CommandResults?.Select(b => WireCodec.Decode<CommandResult>(b)).Where(d => d.IsSuccess).Select(d => d.Value!).ToList(),
        ReadyForDownlink,
        UpdateReports?.Select(b => WireCodec.Decode<Protocol.Updates.UpdateReport>(b)).Where(d => d.IsSuccess).Select(d => d.Value!).ToList(),
        HostReported);
}

[JsonSerializable(typeof(Signal))]
internal sealed partial class SignalJson : JsonSerializerContext;
