using Diagnostics.Cloud.Devices;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>Stores uplinks and the current state they imply, one transaction per batch.</summary>
public interface ITelemetryStore
{
    /// <summary>Every device's stream (mark, stored sequences above it, newest status) as last committed.</summary>
    Task<IReadOnlyDictionary<string, SequenceTracker>> LoadStreamsAsync(CancellationToken cancellationToken);

    /// <summary>Writes the batch in one transaction: all of it or none of it.</summary>
    Task WriteBatchAsync(TelemetryBatch batch, CancellationToken cancellationToken);
}

/// <summary>New messages to store and, per device, the state they leave it in.</summary>
public sealed record TelemetryBatch(IReadOnlyList<AcceptedUplink> Messages, IReadOnlyList<DeviceUpdate> Devices);

public sealed record DeviceUpdate(
    string DeviceId,
    ulong Mark,
    DateTimeOffset LastSeen,
    int? HeartbeatIntervalSeconds,
    CurrentStatus? Status,
    string? PairingCode = null);

public sealed record CurrentStatus(ulong Sequence, DeviceStatus Status, DeviceHealth Health);
