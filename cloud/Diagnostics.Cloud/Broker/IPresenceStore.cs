namespace Diagnostics.Cloud.Broker;

/// <summary>Online/offline and last-seen of each device.</summary>
public interface IPresenceStore
{
    /// <summary>
    /// Applies connection changes in order, in one transaction. A change older than the one a device already has stored
    /// changes nothing, so writes that land out of order never undo a newer connect or disconnect.
    /// </summary>
    Task SetPresenceAsync(IReadOnlyList<PresenceChange> changes, CancellationToken cancellationToken);

    /// <summary>
    /// Marks offline the online devices whose last stored message is older than <paramref name="missedHeartbeats"/> of their
    /// heartbeat intervals, except those <paramref name="heardWithin"/> says the broker heard from within that window
    /// (messages received but not stored yet); returns their ids.
    /// </summary>
    Task<IReadOnlyList<string>> MarkSilentDevicesOfflineAsync(
        DateTimeOffset now, int missedHeartbeats, Func<string, TimeSpan, bool> heardWithin, CancellationToken cancellationToken);
}

/// <summary>A device connected (<paramref name="Online"/>) or went away, at <paramref name="At"/> (when the broker saw it).</summary>
public sealed record PresenceChange(string DeviceId, bool Online, DateTimeOffset At);
