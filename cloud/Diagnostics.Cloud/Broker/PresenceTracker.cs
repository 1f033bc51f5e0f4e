using System.Buffers;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Broker;

/// <summary>Online on connect or a presence "online"; offline on disconnect or the last-will "offline".</summary>
public sealed partial class PresenceTracker(
    IPresenceStore store, FleetChanges changes, TimeProvider time, CloudMetrics metrics, ILogger<PresenceTracker> logger)
{
    public Task ConnectedAsync(string deviceId, CancellationToken cancellationToken)
    {
        LogConnected(deviceId);
        return SetAsync(deviceId, online: true, cancellationToken);
    }

    public Task DisconnectedAsync(string deviceId, CancellationToken cancellationToken)
    {
        LogDisconnected(deviceId);
        return SetAsync(deviceId, online: false, cancellationToken);
    }

    /// <summary>Largest presence payload accepted, and so the largest message a device can leave retained.</summary>
    public const int MaxPresenceBytes = 1024;

    /// <summary>Applies a presence message and returns null, or returns why it was refused (then nothing changed).</summary>
    public async Task<string?> PresenceMessageAsync(string deviceId, ReadOnlySequence<byte> payload, CancellationToken cancellationToken)
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
            return reason;
        }
        await SetAsync(deviceId, decoded.Value!.Online, cancellationToken);
        return null;
    }

    /// <summary>
    /// The device subscribed to its downlink: only now can a command or its consents reach it (its session starts
    /// clean, so anything sent between connect and subscribe is lost), so this is when waiting work goes out.
    /// </summary>
    public void SubscribedToDownlink(string deviceId) =>
        changes.Publish(new DeviceChange(deviceId, time.GetUtcNow(), ReadyForDownlink: true));

    private async Task SetAsync(string deviceId, bool online, CancellationToken cancellationToken)
    {
        try
        {
            var now = time.GetUtcNow();
            await store.SetPresenceAsync(deviceId, online, now, cancellationToken);
            changes.Publish(new DeviceChange(deviceId, now, Presence: online ? DevicePresence.Online : DevicePresence.Offline));
            LogPresence(deviceId, online ? "online" : "offline");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.Error("presence");
            LogPresenceError(ex, deviceId);
        }
    }

    [LoggerMessage(EventId = EventIds.DeviceConnected, Level = LogLevel.Information, Message = "Device {DeviceId} connected")]
    private partial void LogConnected(string deviceId);

    [LoggerMessage(EventId = EventIds.DeviceDisconnected, Level = LogLevel.Information, Message = "Device {DeviceId} disconnected")]
    private partial void LogDisconnected(string deviceId);

    [LoggerMessage(EventId = EventIds.PresenceChanged, Level = LogLevel.Debug, Message = "Device {DeviceId} is {Presence}")]
    private partial void LogPresence(string deviceId, string presence);

    [LoggerMessage(EventId = EventIds.PresenceMalformed, Level = LogLevel.Warning, Message = "Presence message from {DeviceId} rejected: {Detail}")]
    private partial void LogPresenceMalformed(string deviceId, string detail);

    [LoggerMessage(EventId = EventIds.PresenceError, Level = LogLevel.Error, Message = "Presence of {DeviceId} could not be stored")]
    private partial void LogPresenceError(Exception exception, string deviceId);
}
