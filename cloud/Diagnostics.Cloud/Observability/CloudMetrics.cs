using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Diagnostics.Cloud.Observability;

/// <summary>Reasons a message, connection or subscription is refused; the <c>reason</c> tag of the rejected counter.</summary>
public static class RejectReason
{
    public const string Malformed = "malformed";
    public const string TooLarge = "too_large";
    public const string Invalid = "invalid";
    public const string UnsupportedSchema = "unsupported_schema";
    public const string UnknownKind = "unknown_kind";
    public const string TopicMismatch = "topic_mismatch";
    public const string KindMismatch = "kind_mismatch";
    public const string InvalidTopic = "invalid_topic";
    public const string AclDenied = "acl_denied";
    public const string SubscribeDenied = "subscribe_denied";
    public const string AuthFailed = "auth_failed";
    public const string StoreFailed = "store_failed";
    public const string PacketTooLarge = "packet_too_large";
    public const string ConnectRate = "connect_rate";
    public const string PublishRate = "publish_rate";
    public const string InFlight = "in_flight";
}

/// <summary>Why a person's or a device's request for access was refused (the <c>reason</c> tag of <c>dx.access.refused</c>).</summary>
public static class AccessRefusal
{
    public const string SignIn = "sign_in";
    public const string PairingCodeUnknown = "pairing_code_unknown";
    public const string PairingLockedOut = "pairing_locked_out";
    public const string DeviceNotYours = "device_not_yours";
    public const string Enrollment = "enrollment";
    public const string LiveChannel = "live_channel";
    public const string SignInThrottled = "sign_in_throttled";
    public const string CrossSite = "cross_site";
    public const string BrokerHookCaller = "broker_hook_caller";
}

/// <summary>
/// The cloud's counters, on the <c>Diagnostics.Cloud</c> meter (exported at <c>/metrics</c>) and readable in-process
/// through the totals, so a load tool can compare what arrived with what was stored.
/// </summary>
public sealed class CloudMetrics
{
    public const string MeterName = "Diagnostics.Cloud";

    private readonly Counter<long> _received;
    private readonly Counter<long> _stored;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _acksSent;
    private readonly Counter<long> _gapSequences;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _accessRefused;
    private readonly ConcurrentDictionary<string, long> _rejectedByReason = new();
    private readonly ConcurrentDictionary<string, long> _errorsBySource = new();
    private long _receivedTotal;
    private long _storedTotal;
    private long _duplicatesTotal;
    private long _acksSentTotal;
    private long _gapSequencesTotal;

    public CloudMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _received = meter.CreateCounter<long>("dx.messages.received", "{message}", "Uplink messages received from devices.");
        _stored = meter.CreateCounter<long>("dx.messages.stored", "{message}", "Uplink messages stored (first time).");
        _duplicates = meter.CreateCounter<long>("dx.messages.duplicates", "{message}", "Uplink messages already stored or below the contiguous mark.");
        _rejected = meter.CreateCounter<long>("dx.messages.rejected", "{message}", "Messages, connections and subscriptions refused, by reason.");
        _acksSent = meter.CreateCounter<long>("dx.acks.sent", "{ack}", "Acks published to devices after a commit.");
        _gapSequences = meter.CreateCounter<long>("dx.sequences.gap", "{sequence}", "Sequences the devices declared discarded and the cloud skipped.");
        _accessRefused = meter.CreateCounter<long>("dx.access.refused", "{request}", "Sign-ins, pairings and device requests refused, by reason.");
        _errors = meter.CreateCounter<long>("dx.errors", "{error}", "Unexpected exceptions caught and logged, by source.");
    }

    public long ReceivedTotal => Interlocked.Read(ref _receivedTotal);
    public long StoredTotal => Interlocked.Read(ref _storedTotal);
    public long DuplicatesTotal => Interlocked.Read(ref _duplicatesTotal);
    public long AcksSentTotal => Interlocked.Read(ref _acksSentTotal);
    public long GapSequencesTotal => Interlocked.Read(ref _gapSequencesTotal);

    public long RejectedTotal(string reason) => _rejectedByReason.TryGetValue(reason, out var n) ? n : 0;

    public long ErrorsTotal(string source) => _errorsBySource.TryGetValue(source, out var n) ? n : 0;

    public IReadOnlyDictionary<string, long> RejectedByReason => new Dictionary<string, long>(_rejectedByReason);

    public void Received()
    {
        Interlocked.Increment(ref _receivedTotal);
        _received.Add(1);
    }

    public void Stored(long count)
    {
        Interlocked.Add(ref _storedTotal, count);
        _stored.Add(count);
    }

    public void Duplicates(long count)
    {
        Interlocked.Add(ref _duplicatesTotal, count);
        _duplicates.Add(count);
    }

    public void Rejected(string reason, long count = 1)
    {
        _rejectedByReason.AddOrUpdate(reason, count, (_, n) => n + count);
        _rejected.Add(count, new KeyValuePair<string, object?>("reason", reason));
    }

    public void AckSent()
    {
        Interlocked.Increment(ref _acksSentTotal);
        _acksSent.Add(1);
    }

    public void GapSequences(long count)
    {
        Interlocked.Add(ref _gapSequencesTotal, count);
        _gapSequences.Add(count);
    }

    public void AccessRefused(string reason) => _accessRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Error(string source)
    {
        _errorsBySource.AddOrUpdate(source, 1, (_, n) => n + 1);
        _errors.Add(1, new KeyValuePair<string, object?>("source", source));
    }
}
