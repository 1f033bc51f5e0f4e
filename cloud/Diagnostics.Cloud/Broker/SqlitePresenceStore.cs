using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Broker;

internal sealed class SqlitePresenceStore(SqliteConnectionFactory connections) : IPresenceStore
{
    public async Task SetPresenceAsync(string deviceId, bool online, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE devices SET online = $online, last_seen_ms = $at WHERE id = $id;";
        command.Parameters.AddWithValue("$id", deviceId);
        command.Parameters.AddWithValue("$online", online ? 1 : 0);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> MarkSilentDevicesOfflineAsync(DateTimeOffset now, int missedHeartbeats, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Devices that never announced a heartbeat interval are left to the broker's disconnect event.
        command.CommandText = """
            UPDATE devices SET online = 0
            WHERE online = 1 AND heartbeat_interval_s > 0 AND last_seen_ms IS NOT NULL
              AND last_seen_ms + heartbeat_interval_s * 1000 * $missed < $now
            RETURNING id;
            """;
        command.Parameters.AddWithValue("$missed", missedHeartbeats);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
            ids.Add(reader.GetString(0));
        return ids;
    }
}
