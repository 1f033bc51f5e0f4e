using Diagnostics.Cloud.Devices;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>Stores uplinks and the current state they imply, one transaction per batch.</summary>
public interface ITelemetryStore
{
    /// <summary>Every device's stream (mark, stored sequences above it, newest status) as last committed.</summary>
    Task<IReadOnlyDictionary<string, SequenceTracker>> LoadStreamsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes the batch in one transaction: all of it or none of it. Answers each device's mark as committed, which
    /// is the one to acknowledge: with several instances it can be ahead of the batch's own (another instance stored
    /// the sequences in between), so the store, not the caller's memory, has the last word.
    /// </summary>
    Task<IReadOnlyDictionary<string, ulong>> WriteBatchAsync(TelemetryBatch batch, CancellationToken cancellationToken);
}

/// <summary>New messages to store and, per device, the state they leave it in.</summary>
public sealed record TelemetryBatch(IReadOnlyList<AcceptedUplink> Messages, IReadOnlyList<DeviceUpdate> Devices)
{
    /// <summary>The marks as the batch proposes them: what a store that is the only writer commits.</summary>
    public IReadOnlyDictionary<string, ulong> ProposedMarks() => Devices.ToDictionary(d => d.DeviceId, d => d.Mark, StringComparer.Ordinal);
}

public sealed record DeviceUpdate(
    string DeviceId,
    ulong Mark,
    DateTimeOffset LastSeen,
    int? HeartbeatIntervalSeconds,
    CurrentStatus? Status,
    string? PairingCode = null);

public sealed record CurrentStatus(ulong Sequence, DeviceStatus Status, DeviceHealth Health);
