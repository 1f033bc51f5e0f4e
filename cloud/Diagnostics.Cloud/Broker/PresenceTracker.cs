using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Broker;

/// <summary>
/// Presence from the connection first: online on connect or a presence "online", offline on disconnect or the last-will
/// "offline", each stamped when the broker saw it. Changes are written in groups (one transaction for every change that
/// arrived while the last one committed: 10,000 devices connecting at once are a few commits, not 10,000), and each
/// caller's task completes when its change is stored. It also remembers when each connected device was last heard
/// (at receipt, before ingestion stores anything), so a heartbeat still queued for the store does not count as missed.
/// </summary>
public sealed partial class PresenceTracker(
    IPresenceStore store, FleetChanges changes, TimeProvider time, CloudMetrics metrics, ILogger<PresenceTracker> logger) : IAsyncDisposable
{
    private const int MaxChangesPerWrite = 2_000;
    private readonly Channel<PendingChange> _pending = Channel.CreateUnbounded<PendingChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, long> _lastHeardUnixMs = new(StringComparer.Ordinal);
    private readonly Lock _writerLock = new();
    private Task? _writer;

    public Task ConnectedAsync(string deviceId, CancellationToken cancellationToken)
    {
        LogConnected(deviceId);
        Heard(deviceId);
        return SetAsync(deviceId, online: true, cancellationToken);
    }

    public Task DisconnectedAsync(string deviceId, CancellationToken cancellationToken)
    {
        LogDisconnected(deviceId);
        _lastHeardUnixMs.TryRemove(deviceId, out _);
        return SetAsync(deviceId, online: false, cancellationToken);
    }

    /// <summary>Largest presence payload accepted, and so the largest message a device can leave retained.</summary>
    public const int MaxPresenceBytes = 1024;

    /// <summary>Applies a presence message and returns null, or returns why it was refused (then nothing changed).</summary>
    public async Task<string?> PresenceMessageAsync(string deviceId, ReadOnlySequence<byte> payload, CancellationToken cancellationToken) =>
        (await ApplyPresenceMessageAsync(deviceId, payload, cancellationToken)).Refused;

    /// <summary>
    /// Applies a presence message: why it was refused (then nothing changed), or what it said. An external broker's
    /// traffic has no connect event, so there the device's "online" is also when it is ready for its downlink.
    /// </summary>
    public async Task<(string? Refused, bool Online)> ApplyPresenceMessageAsync(string deviceId, ReadOnlySequence<byte> payload, CancellationToken cancellationToken)
    {
        // Checked before copying: the payload may be as large as the broker's packet limit.
        var decoded = payload.Length > MaxPresenceBytes
            ? DecodeResult<Presence>.Fail(DecodeError.TooLarge, $"Payload of {payload.Length} bytes exceeds the limit of {MaxPresenceBytes}.")
            : WireCodec.Decode<Presence>(payload.ToArray(), MaxPresenceBytes);
        if (!decoded.IsSuccess)
        {
            var reason = decoded.Error == DecodeError.TooLarge ? RejectReason.TooLarge : RejectReason.Malformed;
            metrics.Rejected(reason);
            LogPresenceMalformed(deviceId, decoded.Detail ?? "");
            return (reason, false);
        }
        await SetAsync(deviceId, decoded.Value!.Online, cancellationToken);
        return (null, decoded.Value.Online);
    }

    /// <summary>The broker received an uplink from the device (stored or not yet).</summary>
    public void Heard(string deviceId) => _lastHeardUnixMs[deviceId] = time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Whether the device was heard within <paramref name="window"/> before now (false when it never was since it connected).</summary>
    public bool HeardWithin(string deviceId, TimeSpan window) =>
        _lastHeardUnixMs.TryGetValue(deviceId, out var heard) && heard >= (time.GetUtcNow() - window).ToUnixTimeMilliseconds();

    /// <summary>
    /// The device subscribed to its downlink: only now can a command or its consents reach it (its session starts
    /// clean, so anything sent between connect and subscribe is lost), so this is when waiting work goes out.
    /// </summary>
    public void SubscribedToDownlink(string deviceId) =>
        changes.Publish(new DeviceChange(deviceId, time.GetUtcNow(), ReadyForDownlink: true));

    private Task SetAsync(string deviceId, bool online, CancellationToken cancellationToken)
    {
        var pending = new PendingChange(new PresenceChange(deviceId, online, time.GetUtcNow()));
        if (!_pending.Writer.TryWrite(pending))
            return Task.CompletedTask; // Disposed: the host is stopping and the store may be gone.
        EnsureWriter();
        return pending.Stored.Task.WaitAsync(cancellationToken);
    }

    private void EnsureWriter()
    {
        if (Volatile.Read(ref _writer) is not null)
            return;
        lock (_writerLock)
            _writer ??= Task.Run(WriteAsync);
    }

    private async Task WriteAsync()
    {
        var batch = new List<PendingChange>();
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxChangesPerWrite && _pending.Reader.TryRead(out var pending))
                batch.Add(pending);
            try
            {
                await store.SetPresenceAsync([.. batch.Select(p => p.Change)], CancellationToken.None);
                changes.Publish([.. batch.Select(p => new DeviceChange(p.Change.DeviceId, p.Change.At,
                    Presence: p.Change.Online ? DevicePresence.Online : DevicePresence.Offline))]);
                foreach (var pending in batch)
                    LogPresence(pending.Change.DeviceId, pending.Change.Online ? "online" : "offline");
            }
            catch (Exception ex)
            {
                // Lost like a dropped connection event: the next connect, disconnect or heartbeat sets it right.
                metrics.Error("presence");
                LogPresenceError(ex, batch.Count, batch[0].Change.DeviceId);
            }
            foreach (var pending in batch)
                pending.Stored.TrySetResult();
            batch.Clear();
        }
    }

    /// <summary>Writes what is queued, then stops taking changes.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        Task? writer;
        lock (_writerLock)
            writer = _writer;
        if (writer is not null)
            await writer;
    }

    private sealed record PendingChange(PresenceChange Change)
    {
        public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = BrokerEventIds.DeviceConnected, Level = LogLevel.Information, Message = "Device {DeviceId} connected")]
    private partial void LogConnected(string deviceId);

    [LoggerMessage(EventId = BrokerEventIds.DeviceDisconnected, Level = LogLevel.Information, Message = "Device {DeviceId} disconnected")]
    private partial void LogDisconnected(string deviceId);

    [LoggerMessage(EventId = BrokerEventIds.PresenceChanged, Level = LogLevel.Debug, Message = "Device {DeviceId} is {Presence}")]
    private partial void LogPresence(string deviceId, string presence);

    [LoggerMessage(EventId = BrokerEventIds.PresenceMalformed, Level = LogLevel.Warning, Message = "Presence message from {DeviceId} rejected: {Detail}")]
    private partial void LogPresenceMalformed(string deviceId, string detail);

    [LoggerMessage(EventId = BrokerEventIds.PresenceError, Level = LogLevel.Error, Message = "{Count} presence change(s) could not be stored (the first for {DeviceId})")]
    private partial void LogPresenceError(Exception exception, int count, string deviceId);
}
