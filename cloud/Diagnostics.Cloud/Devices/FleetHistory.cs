using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Devices;

/// <summary>The fleet's counts at one moment: devices per health, online devices, devices per active condition.</summary>
public sealed record FleetSample(
    DateTimeOffset At,
    long Total,
    long Healthy,
    long Warning,
    long Critical,
    long Unknown,
    long Online,
    IReadOnlyDictionary<string, long> Conditions);

/// <summary>Samples of the fleet's counts over time, for "active conditions over time" charts.</summary>
public interface IFleetHistoryStore
{
    /// <summary>Counts the fleet now (in the database, one transaction) and stores it as the sample at <paramref name="at"/>.</summary>
    Task<FleetSample> RecordAsync(DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Samples taken at or after <paramref name="from"/>, oldest first.</summary>
    Task<IReadOnlyList<FleetSample>> GetSamplesAsync(DateTimeOffset from, CancellationToken cancellationToken);

    /// <summary>Deletes samples older than <paramref name="before"/>; returns how many were deleted.</summary>
    Task<int> DeleteBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken);
}

internal sealed class SqliteFleetHistoryStore(SqliteConnectionFactory connections) : IFleetHistoryStore
{
    public async Task<FleetSample> RecordAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        var atMs = at.ToUnixTimeMilliseconds();
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (Microsoft.Data.Sqlite.SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = connection.CreateCommand())
        {
            // Aggregates over the current-state tables only (indexed by health and condition), never the telemetry history.
            // A second sample at the same millisecond replaces the first.
            command.CommandText = """
                INSERT OR REPLACE INTO fleet_history (at_ms, total, healthy, warning, critical, unknown, online)
                SELECT $at, COUNT(*),
                       COALESCE(SUM(health = 'healthy'), 0), COALESCE(SUM(health = 'warning'), 0),
                       COALESCE(SUM(health = 'critical'), 0), COALESCE(SUM(health NOT IN ('healthy', 'warning', 'critical')), 0),
                       COALESCE(SUM(online <> 0), 0)
                FROM devices;
                DELETE FROM fleet_history_conditions WHERE at_ms = $at;
                INSERT INTO fleet_history_conditions (at_ms, condition, devices)
                SELECT $at, CASE WHEN condition = '' THEN code ELSE condition END AS name, COUNT(DISTINCT device_id)
                FROM active_conditions GROUP BY name;
                """;
            command.Parameters.AddWithValue("$at", atMs);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        var samples = await ReadAsync(connection, atMs, atMs, cancellationToken);
        return samples.Single();
    }

    public async Task<IReadOnlyList<FleetSample>> GetSamplesAsync(DateTimeOffset from, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await ReadAsync(connection, from.ToUnixTimeMilliseconds(), long.MaxValue, cancellationToken);
    }

    public async Task<int> DeleteBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var beforeMs = before.ToUnixTimeMilliseconds();
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using (var conditions = connection.CreateCommand())
        {
            conditions.CommandText = "DELETE FROM fleet_history_conditions WHERE at_ms < $before;";
            conditions.Parameters.AddWithValue("$before", beforeMs);
            await conditions.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var samples = connection.CreateCommand();
        samples.CommandText = "DELETE FROM fleet_history WHERE at_ms < $before;";
        samples.Parameters.AddWithValue("$before", beforeMs);
        return await samples.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<FleetSample>> ReadAsync(Microsoft.Data.Sqlite.SqliteConnection connection, long fromMs, long toMs, CancellationToken cancellationToken)
    {
        var conditions = new Dictionary<long, Dictionary<string, long>>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT at_ms, condition, devices FROM fleet_history_conditions WHERE at_ms BETWEEN $from AND $to;
                """;
            command.Parameters.AddWithValue("$from", fromMs);
            command.Parameters.AddWithValue("$to", toMs);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var at = reader.GetInt64(0);
                if (!conditions.TryGetValue(at, out var counts))
                    conditions[at] = counts = new Dictionary<string, long>(StringComparer.Ordinal);
                counts[reader.GetString(1)] = reader.GetInt64(2);
            }
        }
        var samples = new List<FleetSample>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT at_ms, total, healthy, warning, critical, unknown, online FROM fleet_history
                WHERE at_ms BETWEEN $from AND $to ORDER BY at_ms;
                """;
            command.Parameters.AddWithValue("$from", fromMs);
            command.Parameters.AddWithValue("$to", toMs);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var at = reader.GetInt64(0);
                samples.Add(new FleetSample(
                    DateTimeOffset.FromUnixTimeMilliseconds(at),
                    reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6),
                    conditions.TryGetValue(at, out var counts) ? counts : new Dictionary<string, long>()));
            }
        }
        return samples;
    }
}
