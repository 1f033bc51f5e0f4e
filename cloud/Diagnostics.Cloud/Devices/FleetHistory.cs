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

internal sealed class FleetHistoryStore(Database database) : IFleetHistoryStore
{
    private const string SampleColumns = "at_ms, total, healthy, warning, critical, unknown, online";

    public async Task<FleetSample> RecordAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var db = await database.BeginAsync(cancellationToken);
        // Aggregates over the current-state tables only (indexed by health and condition), never the telemetry history.
        // A second sample at the same millisecond replaces the first.
        await db.ExecuteAsync($"""
            INSERT INTO fleet_history ({SampleColumns})
            SELECT @at, COUNT(*),
                   COUNT(*) FILTER (WHERE health = 'healthy'), COUNT(*) FILTER (WHERE health = 'warning'),
                   COUNT(*) FILTER (WHERE health = 'critical'), COUNT(*) FILTER (WHERE health NOT IN ('healthy', 'warning', 'critical')),
                   COUNT(*) FILTER (WHERE online)
            FROM devices WHERE TRUE
            ON CONFLICT (at_ms) DO UPDATE SET total = excluded.total, healthy = excluded.healthy, warning = excluded.warning,
                critical = excluded.critical, unknown = excluded.unknown, online = excluded.online;
            DELETE FROM fleet_history_conditions WHERE at_ms = @at;
            INSERT INTO fleet_history_conditions (at_ms, condition, devices)
            SELECT @at, CASE WHEN condition = '' THEN code ELSE condition END AS name, COUNT(DISTINCT device_id)
            FROM active_conditions GROUP BY name;
            """, new { at }, cancellationToken);
        var sample = (await ReadAsync(db, at, at, cancellationToken)).Single();
        await db.CommitAsync(cancellationToken);
        return sample;
    }

    public async Task<IReadOnlyList<FleetSample>> GetSamplesAsync(DateTimeOffset from, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        return await ReadAsync(db, from, DateTimeOffset.MaxValue, cancellationToken);
    }

    public async Task<int> DeleteBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        await db.ExecuteAsync("DELETE FROM fleet_history_conditions WHERE at_ms < @before;", new { before }, cancellationToken);
        return await db.ExecuteAsync("DELETE FROM fleet_history WHERE at_ms < @before;", new { before }, cancellationToken);
    }

    private static async Task<List<FleetSample>> ReadAsync(DbSession db, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var window = new { from, to };
        var conditions = (await db.QueryAsync<ConditionCount>("SELECT at_ms, condition, devices FROM fleet_history_conditions WHERE at_ms BETWEEN @from AND @to;",
                window, cancellationToken))
            .GroupBy(c => c.At)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, long>)g.ToDictionary(c => c.Condition, c => c.Devices, StringComparer.Ordinal));
        var samples = await db.QueryAsync<FleetSample>($"SELECT {SampleColumns} FROM fleet_history WHERE at_ms BETWEEN @from AND @to ORDER BY at_ms;",
            window, cancellationToken);
        return [.. samples.Select(s => s with { Conditions = conditions.GetValueOrDefault(s.At) ?? new Dictionary<string, long>() })];
    }

    private sealed record ConditionCount(DateTimeOffset At, string Condition, long Devices);
}
