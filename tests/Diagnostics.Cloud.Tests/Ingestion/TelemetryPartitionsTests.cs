using Dapper;
using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Cloud.Tests.Ingestion;

/// <summary>PostgreSQL's telemetry partitions (stored messages and device events): one per range of device time, old ones dropped whole past retention.</summary>
public sealed class TelemetryPartitionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Old_partitions_are_dropped_whole_and_rows_outside_every_range_are_kept_until_retention()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.PostgreSQL);
        var time = new FakeTimeProvider(Now);
        var options = Options.Create(new StorageOptions { Provider = StorageProvider.PostgreSQL, ConnectionString = test.ConnectionString!, TelemetryPartitionDays = 7, TelemetryRetentionDays = 30 });
        using var connections = new PostgresConnectionFactory(options);
        var database = new Database(connections);
        using var partitions = new TelemetryPartitions(database, options, time, NullLogger<TelemetryPartitions>.Instance);
        long At(int days) => Now.AddDays(days).ToUnixTimeMilliseconds();
        // Older than retention and a year ahead: no device may make a partition there; they go to the default partition.
        long[] times = [At(-20), At(-10), At(0), At(-400), At(365)];

        await partitions.EnsureAsync(times, Ct);
        for (var i = 0; i < times.Length; i++)
        {
            await database.ExecuteAsync(
                "INSERT INTO telemetry (device_id, seq, kind, device_time_ms, received_time_ms, payload) VALUES ('d', @seq, 'status', @at, @at, @payload);",
                new { seq = (long)i, at = times[i], payload = new byte[] { 1 } }, Ct);
            await database.ExecuteAsync("""
                INSERT INTO device_events (device_id, seq, kind, code, condition, severity, message, device_time_ms, received_time_ms)
                VALUES ('d', @seq, 'raised', 'E1', 'paper-jam', 'error', 'Jam', @at, @at);
                """, new { seq = (long)i, at = times[i] }, Ct);
        }
        var ranges = await partitions.ListAsync("telemetry", Ct);
        var inDefault = await database.QueryAsync<long>($"SELECT seq FROM {TelemetryPartitions.DefaultPartitionOf("telemetry")} ORDER BY seq;", null, Ct);

        Assert.Equal(3, ranges.Count);
        Assert.All(ranges, r => Assert.Equal(TimeSpan.FromDays(7).TotalMilliseconds, r.To - r.From));
        Assert.Contains(ranges, r => r.From <= At(-20) && At(-20) < r.To);
        Assert.Equal([3L, 4L], inDefault);
        Assert.Equal(ranges, await partitions.ListAsync("device_events", Ct));

        // Twenty days on, the cutoff is ten days before the first "now": the range holding day -20 ends before it.
        time.Advance(TimeSpan.FromDays(20));
        var dropped = await partitions.DropExpiredAsync(Ct);
        var left = await database.QueryAsync<long>("SELECT seq FROM telemetry ORDER BY seq;", null, Ct);
        var eventsLeft = await database.QueryAsync<long>("SELECT seq FROM device_events ORDER BY seq;", null, Ct);

        // One range of each table.
        Assert.Equal(2, dropped);
        Assert.Equal([1L, 2L, 4L], left);
        Assert.Equal([1L, 2L, 4L], eventsLeft);
        Assert.Equal(2, (await partitions.ListAsync("telemetry", Ct)).Count);
        Assert.Equal(2, (await partitions.ListAsync("device_events", Ct)).Count);
    }

    [Fact]
    public async Task A_range_whose_rows_wait_in_the_default_partition_takes_them_when_it_is_added()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.PostgreSQL);
        var options = Options.Create(new StorageOptions { Provider = StorageProvider.PostgreSQL, ConnectionString = test.ConnectionString!, TelemetryPartitionDays = 7 });
        using var connections = new PostgresConnectionFactory(options);
        var database = new Database(connections);
        using var partitions = new TelemetryPartitions(database, options, new FakeTimeProvider(Now), NullLogger<TelemetryPartitions>.Instance);
        var at = Now.ToUnixTimeMilliseconds();
        // Stored before any range existed (as the migration leaves an existing table's rows).
        await database.ExecuteAsync(
            "INSERT INTO telemetry (device_id, seq, kind, device_time_ms, received_time_ms, payload) VALUES ('d', 1, 'status', @at, @at, @payload);",
            new { at, payload = new byte[] { 1 } }, Ct);

        await partitions.EnsureAsync([at], Ct);

        Assert.Single(await partitions.ListAsync("telemetry", Ct));
        Assert.Equal(0L, await database.QueryFirstOrDefaultAsync<long>($"SELECT COUNT(*) FROM {TelemetryPartitions.DefaultPartitionOf("telemetry")};", null, Ct));
        Assert.Equal(1L, await database.QueryFirstOrDefaultAsync<long>("SELECT COUNT(*) FROM telemetry WHERE seq = 1;", null, Ct));
        // The key still holds on the new range: the same message again is refused.
        await using var db = await test.OpenAsync();
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => db.ExecuteAsync(
            "INSERT INTO telemetry (device_id, seq, kind, device_time_ms, received_time_ms, payload) VALUES ('d', 1, 'status', @at, @at, @payload);",
            new { at, payload = new byte[] { 1 } }));
    }
}
