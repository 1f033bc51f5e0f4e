using System.Buffers;
using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>
/// Checks an uplink where the broker received it (topic, identity, size, decoding, kind) and queues it, or says why
/// not. A rejection is logged and counted by reason; nothing rejected reaches the store.
/// </summary>
public sealed partial class UplinkIntake(
    UplinkChannel queue,
    Broker.PresenceTracker presence,
    IOptions<IngestionOptions> options,
    TimeProvider time,
    CloudMetrics metrics,
    ILogger<UplinkIntake> logger)
{
    /// <summary>Queues the message (waiting while the queue is full) and returns null, or returns the reject reason.</summary>
    public async ValueTask<string?> AcceptAsync(string clientId, TopicParseResult topic, ReadOnlySequence<byte> payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        metrics.Received();
        if (!topic.IsValid || topic.Direction != TopicDirection.Up)
            return Reject(RejectReason.InvalidTopic, clientId, topic, topic.Error ?? "not an uplink topic");
        if (topic.DeviceId != clientId)
            return Reject(RejectReason.TopicMismatch, clientId, topic, $"topic device '{topic.DeviceId}' is not the authenticated client");
        if (Topics.ParseKind(topic.Kind) is not { } kind)
            return Reject(RejectReason.UnknownKind, clientId, topic, $"unknown uplink kind '{topic.Kind}'");
        var max = options.Value.MaxPayloadBytes;
        if (payload.Length > max)
            return Reject(RejectReason.TooLarge, clientId, topic, $"payload of {payload.Length} bytes exceeds {max}");

        var bytes = payload.ToArray();
        var decoded = WireCodec.DecodeUplink(bytes, max);
        if (!decoded.IsSuccess)
        {
            var reason = decoded.Error switch
            {
                DecodeError.TooLarge => RejectReason.TooLarge,
                DecodeError.Malformed => RejectReason.Malformed,
                DecodeError.UnsupportedSchema => RejectReason.UnsupportedSchema,
                _ => RejectReason.Invalid,
            };
            return Reject(reason, clientId, topic, decoded.Detail ?? "");
        }
        var envelope = decoded.Value!;
        if (envelope.DeviceId != topic.DeviceId)
            return Reject(RejectReason.TopicMismatch, clientId, topic, $"envelope device '{envelope.DeviceId}' differs from the topic's");
        if (envelope.Kind != kind)
            return Reject(RejectReason.KindMismatch, clientId, topic, $"envelope carries {envelope.Kind}, topic says {kind}");

        // Heard now, whenever the store gets to it: the presence monitor counts missed heartbeats from here.
        presence.Heard(clientId);
        await queue.EnqueueAsync(new AcceptedUplink(envelope, kind, bytes, time.GetUtcNow()), cancellationToken);
        return null;
    }

    private string Reject(string reason, string clientId, TopicParseResult topic, string detail)
    {
        metrics.Rejected(reason);
        LogRejected(clientId, topic.DeviceId, topic.Kind, reason, detail);
        return reason;
    }

    [LoggerMessage(EventId = IngestionEventIds.UplinkRejected, Level = LogLevel.Warning,
        Message = "Uplink from {ClientId} (topic device {DeviceId}, kind {Kind}) rejected: {Reason}: {Detail}")]
    private partial void LogRejected(string clientId, string deviceId, string kind, string reason, string detail);
}
