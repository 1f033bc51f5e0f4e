using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Broker;

internal sealed class PresenceStore(Database database) : IPresenceStore
{
    public async Task SetPresenceAsync(IReadOnlyList<PresenceChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
            return;
        await using var db = await database.BeginAsync(cancellationToken);
        // presence_at_ms is when the connection state last changed; ingestion sets online only for a message received
        // after it, so a heartbeat stored late never revives a device that disconnected since. One statement per change,
        // in order (Dapper runs it for each).
        await db.ExecuteAsync($"""
            UPDATE devices SET online = @Online, presence_at_ms = @At, last_seen_ms = {database.Dialect.Greatest("COALESCE(last_seen_ms, 0)", "@At")}
            WHERE id = @DeviceId AND (presence_at_ms IS NULL OR presence_at_ms <= @At);
            """, changes, cancellationToken);
        await db.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> MarkSilentDevicesOfflineAsync(
        DateTimeOffset now, int missedHeartbeats, Func<string, TimeSpan, bool> heardWithin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heardWithin);
        await using var db = await database.BeginAsync(cancellationToken);
        // Devices that never announced a heartbeat interval are left to the broker's disconnect event.
        var candidates = await db.QueryAsync<SilentCandidate>("""
            SELECT id, heartbeat_interval_s FROM devices
            WHERE online = TRUE AND heartbeat_interval_s > 0 AND last_seen_ms IS NOT NULL
              AND last_seen_ms + heartbeat_interval_s * 1000 * @missedHeartbeats < @now;
            """, new { missedHeartbeats, now }, cancellationToken);
        var silent = new List<string>(candidates.Count);
        foreach (var candidate in candidates)
        {
            if (heardWithin(candidate.Id, TimeSpan.FromSeconds(candidate.HeartbeatIntervalS * (long)missedHeartbeats)))
                continue;
            if (await db.ExecuteAsync("UPDATE devices SET online = FALSE WHERE id = @Id AND online = TRUE;", candidate, cancellationToken) == 1)
                silent.Add(candidate.Id);
        }
        await db.CommitAsync(cancellationToken);
        return silent;
    }

    private sealed record SilentCandidate(string Id, long HeartbeatIntervalS);
}
