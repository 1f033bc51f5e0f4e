using Diagnostics.Cloud.Storage;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Broker;

internal sealed class SqlitePresenceStore(SqliteConnectionFactory connections) : IPresenceStore
{
    public async Task SetPresenceAsync(IReadOnlyList<PresenceChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
            return;
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // presence_at_ms is when the connection state last changed; ingestion sets online = 1 only for a message received
        // after it, so a heartbeat stored late never revives a device that disconnected since.
        command.CommandText = """
            UPDATE devices SET online = $online, presence_at_ms = $at, last_seen_ms = MAX(COALESCE(last_seen_ms, 0), $at)
            WHERE id = $id AND (presence_at_ms IS NULL OR presence_at_ms <= $at);
            """;
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var online = command.Parameters.Add("$online", SqliteType.Integer);
        var at = command.Parameters.Add("$at", SqliteType.Integer);
        foreach (var change in changes)
        {
            id.Value = change.DeviceId;
            online.Value = change.Online ? 1 : 0;
            at.Value = change.At.ToUnixTimeMilliseconds();
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> MarkSilentDevicesOfflineAsync(
        DateTimeOffset now, int missedHeartbeats, Func<string, TimeSpan, bool> heardWithin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heardWithin);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var candidates = new List<string>();
        await using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            // Devices that never announced a heartbeat interval are left to the broker's disconnect event.
            select.CommandText = """
                SELECT id, heartbeat_interval_s FROM devices
                WHERE online = 1 AND heartbeat_interval_s > 0 AND last_seen_ms IS NOT NULL
                  AND last_seen_ms + heartbeat_interval_s * 1000 * $missed < $now;
                """;
            select.Parameters.AddWithValue("$missed", missedHeartbeats);
            select.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var deviceId = reader.GetString(0);
                if (!heardWithin(deviceId, TimeSpan.FromSeconds(reader.GetInt64(1) * (long)missedHeartbeats)))
                    candidates.Add(deviceId);
            }
        }
        var silent = new List<string>(candidates.Count);
        await using (var update = connection.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = "UPDATE devices SET online = 0 WHERE id = $id AND online = 1;";
            var id = update.Parameters.Add("$id", SqliteType.Text);
            foreach (var deviceId in candidates)
            {
                id.Value = deviceId;
                if (await update.ExecuteNonQueryAsync(cancellationToken) == 1)
                    silent.Add(deviceId);
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return silent;
    }
}
