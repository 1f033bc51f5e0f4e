using System.Globalization;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>
/// The PostgreSQL telemetry tables' time ranges (<see cref="Tables"/>: stored messages,
/// <see cref="TelemetryPartitionSchema"/>, and device events, <see cref="DeviceEventPartitionSchema"/>): adds the
/// partition a message's device time needs, in every such table, before the batch that stores it, and drops the
/// partitions past <see cref="StorageOptions.TelemetryRetentionDays"/>. Ranges are
/// <see cref="StorageOptions.TelemetryPartitionDays"/> wide from the Unix epoch and the same in every table; a device
/// time outside the window a device may plausibly report (a wrong clock, years off) lands in the table's default
/// partition, so no device can make the cloud create partitions without bound.
/// </summary>
public sealed partial class TelemetryPartitions(Database database, IOptions<StorageOptions> options, TimeProvider time, ILogger<TelemetryPartitions> logger) : IDisposable
{
    /// <summary>
    /// The tables partitioned by a message's device time. Both hold one row per message (device, sequence), so a
    /// re-sent message, which repeats its device time, meets its stored row in the same partition of each.
    /// </summary>
    public static IReadOnlyList<string> Tables { get; } = ["telemetry", "device_events"];

    /// <summary>Where a table's rows go whose device time has no range (a wrong clock, or rows an upgrade moved in).</summary>
    public static string DefaultPartitionOf(string table) => table + "_default";

    /// <summary>How far back a partition is made when nothing is dropped: a device offline for up to a year keeps its history in range.</summary>
    private static readonly TimeSpan LookbackWithoutRetention = TimeSpan.FromDays(366);

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly long _width = (long)TimeSpan.FromDays(options.Value.TelemetryPartitionDays).TotalMilliseconds;
    /// <summary>The range starts every table in <see cref="Tables"/> has, as this process last saw them.</summary>
    private HashSet<long>? _known;

    /// <summary>Makes the partitions these device times fall in (those inside the window) in every table, once per range per process.</summary>
    public async Task EnsureAsync(IEnumerable<long> deviceTimesMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deviceTimesMs);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var lookback = options.Value.TelemetryRetentionDays > 0 ? TimeSpan.FromDays(options.Value.TelemetryRetentionDays) : LookbackWithoutRetention;
        var earliest = RangeStart(now - (long)lookback.TotalMilliseconds);
        var latest = RangeStart(now) + _width;
        var wanted = deviceTimesMs.Select(RangeStart).Where(s => s >= earliest && s <= latest).ToHashSet();
        if (_known is { } known && wanted.IsSubsetOf(known))
            return;
        await _lock.WaitAsync(cancellationToken);
        try
        {
            _known ??= await RangesInEveryTableAsync(cancellationToken);
            foreach (var start in wanted.Where(s => !_known.Contains(s)).Order())
            {
                foreach (var table in Tables)
                    await AddAsync(table, start, cancellationToken);
                _known.Add(start);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Drops every partition that ends before the retention cutoff, and the default partition's rows that old; answers how many partitions went.</summary>
    public async Task<int> DropExpiredAsync(CancellationToken cancellationToken)
    {
        if (options.Value.TelemetryRetentionDays <= 0)
            return 0;
        var cutoff = time.GetUtcNow().AddDays(-options.Value.TelemetryRetentionDays).ToUnixTimeMilliseconds();
        var dropped = 0;
        await _lock.WaitAsync(cancellationToken);
        try
        {
            foreach (var table in Tables)
            {
                foreach (var partition in (await ListAsync(table, cancellationToken)).Where(p => p.To <= cutoff))
                {
                    // Only the table's own partitions, by the name this class gave them.
                    var name = PartitionName(table, partition.From);
                    await database.ExecuteAsync($"DROP TABLE IF EXISTS {name};", null, cancellationToken);
                    _known?.Remove(partition.From);
                    dropped++;
                    LogDropped(logger, name, partition.To);
                }
                // The default partition holds only what fell outside every range: small, so a delete is fine there.
                await database.ExecuteAsync($"DELETE FROM {DefaultPartitionOf(table)} WHERE device_time_ms < @cutoff;", new { cutoff }, cancellationToken);
            }
        }
        finally
        {
            _lock.Release();
        }
        return dropped;
    }

    public void Dispose() => _lock.Dispose();

    /// <summary>
    /// Makes the ranges that rows waiting in the default partitions fall in (those inside the window), so they move
    /// into their range: what an upgrade of an existing database left there, or rows stored before their range was added.
    /// </summary>
    public async Task AdoptDefaultRowsAsync(CancellationToken cancellationToken)
    {
        var deviceTimes = new List<long>();
        foreach (var table in Tables)
        {
            // One device time per range: the range starts are what EnsureAsync needs, not every row.
            deviceTimes.AddRange(await database.QueryAsync<long>(
                $"SELECT MIN(device_time_ms) FROM {DefaultPartitionOf(table)} GROUP BY floor(device_time_ms::numeric / @width);",
                new { width = _width }, cancellationToken));
        }
        await EnsureAsync(deviceTimes, cancellationToken);
    }

    /// <summary>A table's ranged partitions, from the catalog (other instances add and drop them too).</summary>
    public async Task<IReadOnlyList<(long From, long To)>> ListAsync(string table, CancellationToken cancellationToken)
    {
        if (!Tables.Contains(table))
            throw new ArgumentOutOfRangeException(nameof(table), table, "Not a time-partitioned table.");
        var bounds = await database.QueryAsync<string>("""
            SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = to_regclass(@table);
            """, new { table }, cancellationToken);
        return [.. bounds.Select(b => BoundPattern().Match(b)).Where(m => m.Success)
            .Select(m => (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .OrderBy(p => p.Item1)];
    }

    private long RangeStart(long deviceTimeMs) => Math.DivRem(deviceTimeMs, _width) switch
    {
        (var q, < 0) => (q - 1) * _width,
        (var q, _) => q * _width,
    };

    /// <summary>A range has to be in every table before a batch may count on it: what a crash between two tables left is added again.</summary>
    private async Task<HashSet<long>> RangesInEveryTableAsync(CancellationToken cancellationToken)
    {
        HashSet<long>? common = null;
        foreach (var table in Tables)
        {
            var starts = (await ListAsync(table, cancellationToken)).Select(p => p.From);
            if (common is null)
                common = [.. starts];
            else
                common.IntersectWith(starts);
        }
        return common ?? [];
    }

    private static string PartitionName(string table, long from) =>
        table + "_p" + DateTimeOffset.FromUnixTimeMilliseconds(from).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>
    /// Adds one range to a table: made as a table of its own, given the default partition's rows of that range, then attached, so it
    /// works whether or not the default partition already holds such rows (PostgreSQL refuses a plain
    /// <c>PARTITION OF</c> then). Another instance adding the same range waits on the advisory lock and finds it there.
    /// </summary>
    private async Task AddAsync(string table, long from, CancellationToken cancellationToken)
    {
        var to = from + _width;
        var name = PartitionName(table, from);
        await using var db = await database.BeginAsync(cancellationToken);
        await db.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtext('telemetry partitions'));", null, cancellationToken);
        if (await db.QueryFirstOrDefaultAsync<bool>("SELECT to_regclass(@name) IS NOT NULL;", new { name }, cancellationToken))
            return;
        await db.ExecuteAsync($"""
            CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
            WITH moved AS (DELETE FROM {DefaultPartitionOf(table)} WHERE device_time_ms >= {from} AND device_time_ms < {to} RETURNING *)
            INSERT INTO {name} SELECT * FROM moved;
            ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ({from}) TO ({to});
            """, null, cancellationToken);
        await db.CommitAsync(cancellationToken);
        LogAdded(logger, name, from, to);
    }

    [GeneratedRegex(@"FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)")]
    private static partial Regex BoundPattern();

    [LoggerMessage(EventId = IngestionEventIds.TelemetryPartitionAdded, Level = LogLevel.Information, Message = "Telemetry partition {Partition} added for device times (Unix ms) from {FromMs} to {ToMs}")]
    private static partial void LogAdded(ILogger logger, string partition, long fromMs, long toMs);

    [LoggerMessage(EventId = IngestionEventIds.TelemetryPartitionDropped, Level = LogLevel.Information, Message = "Telemetry partition {Partition} dropped: its device times end at {ToMs} (Unix ms), past retention")]
    private static partial void LogDropped(ILogger logger, string partition, long toMs);
}

/// <summary>
/// PostgreSQL only: at start and every hour, adds the next range ahead of time, gives rows waiting in the default
/// partitions (an upgraded database's) their ranges, and drops partitions past retention.
/// </summary>
internal sealed partial class TelemetryRetention(TelemetryPartitions partitions, InstanceLeases leases, IOptions<StorageOptions> options, TimeProvider time, ILogger<TelemetryRetention> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Provider != StorageProvider.PostgreSQL)
            return;
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await leases.RunAsync("telemetry-retention", async ct =>
                {
                    await partitions.EnsureAsync([time.GetUtcNow().ToUnixTimeMilliseconds(), time.GetUtcNow().Add(Interval).ToUnixTimeMilliseconds()], ct);
                    await partitions.AdoptDefaultRowsAsync(ct);
                    await partitions.DropExpiredAsync(ct);
                }, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = IngestionEventIds.TelemetryRetentionFailed, Level = LogLevel.Error, Message = "Telemetry partition upkeep failed; trying again in an hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
