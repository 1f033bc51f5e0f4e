using System.Globalization;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>
/// The PostgreSQL telemetry table's time ranges (<see cref="TelemetryPartitionSchema"/>): adds the partition a
/// message's device time needs before the batch that stores it, and drops the partitions past
/// <see cref="StorageOptions.TelemetryRetentionDays"/>. Ranges are <see cref="StorageOptions.TelemetryPartitionDays"/>
/// wide from the Unix epoch; a device time outside the window a device may plausibly report (a wrong clock, years
/// off) lands in the default partition, so no device can make the cloud create partitions without bound.
/// </summary>
public sealed partial class TelemetryPartitions(Database database, IOptions<StorageOptions> options, TimeProvider time, ILogger<TelemetryPartitions> logger) : IDisposable
{
    public const string DefaultPartition = "telemetry_default";

    /// <summary>How far back a partition is made when nothing is dropped: a device offline for up to a year keeps its history in range.</summary>
    private static readonly TimeSpan LookbackWithoutRetention = TimeSpan.FromDays(366);

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly long _width = (long)TimeSpan.FromDays(options.Value.TelemetryPartitionDays).TotalMilliseconds;
    private HashSet<long>? _known;

    /// <summary>Makes the partitions these device times fall in (those inside the window), once per range per process.</summary>
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
            _known ??= [.. (await ListAsync(cancellationToken)).Select(p => p.From)];
            foreach (var start in wanted.Where(s => !_known.Contains(s)).Order())
            {
                await AddAsync(start, cancellationToken);
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
            foreach (var partition in (await ListAsync(cancellationToken)).Where(p => p.To <= cutoff))
            {
                // Only the table's own partitions, by the name this class gave them.
                var name = PartitionName(partition.From);
                await database.ExecuteAsync($"DROP TABLE IF EXISTS {name};", null, cancellationToken);
                _known?.Remove(partition.From);
                dropped++;
                LogDropped(logger, name, partition.To);
            }
            // The default partition holds only what fell outside every range: small, so a delete is fine there.
            await database.ExecuteAsync($"DELETE FROM {DefaultPartition} WHERE device_time_ms < @cutoff;", new { cutoff }, cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
        return dropped;
    }

    public void Dispose() => _lock.Dispose();

    /// <summary>The ranged partitions there are, from the catalog (other instances add and drop them too).</summary>
    public async Task<IReadOnlyList<(long From, long To)>> ListAsync(CancellationToken cancellationToken)
    {
        var bounds = await database.QueryAsync<string>("""
            SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'telemetry'::regclass;
            """, null, cancellationToken);
        return [.. bounds.Select(b => BoundPattern().Match(b)).Where(m => m.Success)
            .Select(m => (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .OrderBy(p => p.Item1)];
    }

    private long RangeStart(long deviceTimeMs) => Math.DivRem(deviceTimeMs, _width) switch
    {
        (var q, < 0) => (q - 1) * _width,
        (var q, _) => q * _width,
    };

    private static string PartitionName(long from) =>
        "telemetry_p" + DateTimeOffset.FromUnixTimeMilliseconds(from).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>
    /// Adds one range: made as a table of its own, given the default partition's rows of that range, then attached, so it
    /// works whether or not the default partition already holds such rows (PostgreSQL refuses a plain
    /// <c>PARTITION OF</c> then). Another instance adding the same range waits on the advisory lock and finds it there.
    /// </summary>
    private async Task AddAsync(long from, CancellationToken cancellationToken)
    {
        var to = from + _width;
        var name = PartitionName(from);
        await using var db = await database.BeginAsync(cancellationToken);
        await db.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtext('telemetry partitions'));", null, cancellationToken);
        if (await db.QueryFirstOrDefaultAsync<bool>("SELECT to_regclass(@name) IS NOT NULL;", new { name }, cancellationToken))
            return;
        await db.ExecuteAsync($"""
            CREATE TABLE {name} (LIKE telemetry INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
            WITH moved AS (DELETE FROM {DefaultPartition} WHERE device_time_ms >= {from} AND device_time_ms < {to} RETURNING *)
            INSERT INTO {name} SELECT * FROM moved;
            ALTER TABLE telemetry ATTACH PARTITION {name} FOR VALUES FROM ({from}) TO ({to});
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

/// <summary>PostgreSQL only: drops telemetry partitions past retention at start and every hour, and adds the next range ahead of time.</summary>
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
