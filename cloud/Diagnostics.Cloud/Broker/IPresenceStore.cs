namespace Diagnostics.Cloud.Broker;

/// <summary>Online/offline and last-seen of each device.</summary>
public interface IPresenceStore
{
    Task SetPresenceAsync(string deviceId, bool online, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Marks offline the online devices whose last message is older than <paramref name="missedHeartbeats"/> of their heartbeat intervals; returns their ids.</summary>
    Task<IReadOnlyList<string>> MarkSilentDevicesOfflineAsync(DateTimeOffset now, int missedHeartbeats, CancellationToken cancellationToken);
}
