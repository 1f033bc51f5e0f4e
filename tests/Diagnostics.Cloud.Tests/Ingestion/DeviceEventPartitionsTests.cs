using System.Reflection;
using Dapper;
using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Diagnostics.Testing;
using FluentMigrator;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ProtoBuf;

namespace Diagnostics.Cloud.Tests.Ingestion;

/// <summary>
/// PostgreSQL's device events, partitioned by device time like telemetry: a re-delivered event is still stored once
/// after a new range began, and a database of the schema before the partitioning keeps its events.
/// </summary>
public sealed class DeviceEventPartitionsTests
{
    private const int PartitionDays = 7;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The start of a range (ranges are aligned to the Unix epoch), in March 2026.</summary>
    private static readonly DateTimeOffset Boundary = DateTimeOffset.UnixEpoch.AddDays(PartitionDays * (long)Math.Ceiling(
        (new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero) - DateTimeOffset.UnixEpoch).TotalDays / PartitionDays));

    [Fact]
    public async Task An_event_delivered_again_after_the_next_range_began_is_stored_once_in_the_range_of_its_device_time()
    {
        await using var test = await TestDatabase.CreateAsync(StorageProvider.PostgreSQL);
        var time = new FakeTimeProvider(Boundary.AddMinutes(-1));
        var options = Options.Create(new StorageOptions { Provider = StorageProvider.PostgreSQL, ConnectionString = test.ConnectionString!, TelemetryPartitionDays = PartitionDays });
        using var connections = new PostgresConnectionFactory(options);
        var database = new Database(connections);
        using var partitions = new TelemetryPartitions(database, options, time, NullLogger<TelemetryPartitions>.Instance);
        var store = new PostgresTelemetryStore(database, partitions, []);
        await database.ExecuteAsync(
            "INSERT INTO devices (id, token_hash, token_salt, registered_at_ms) VALUES ('printer-1', @none, @none, 0);", new { none = new byte[] { 0 } }, Ct);
        // Made thirty seconds before the boundary, sent then; its acknowledgement is lost, so the device sends it again.
        var jam = JamEvent("printer-1", sequence: 1, deviceTime: Boundary.AddSeconds(-30));
        var beside = JamEvent("printer-1", sequence: 2, deviceTime: Boundary.AddSeconds(-20));

        await store.WriteBatchAsync(Batch(time.GetUtcNow(), jam), Ct);
        // A day later the upkeep has made the next range, and the copy arrives, together with the next message.
        time.Advance(TimeSpan.FromDays(1));
        await partitions.EnsureAsync([time.GetUtcNow().ToUnixTimeMilliseconds()], Ct);
        await store.WriteBatchAsync(Batch(time.GetUtcNow(), jam, beside), Ct);

        var rows = (await database.QueryAsync<(long Seq, string Partition)>(
            "SELECT seq, tableoid::regclass::text FROM device_events WHERE device_id = 'printer-1' ORDER BY seq;", null, Ct)).ToList();
        var ranges = await partitions.ListAsync("device_events", Ct);
        Assert.Equal(2, ranges.Count);
        Assert.Contains(ranges, r => r.From == Boundary.ToUnixTimeMilliseconds());
        Assert.Equal([(1L, PartitionOf(Boundary.AddDays(-PartitionDays))), (2L, PartitionOf(Boundary.AddDays(-PartitionDays)))], rows);
        Assert.Equal(2L, await database.QueryFirstOrDefaultAsync<long>("SELECT COUNT(*) FROM telemetry WHERE device_id = 'printer-1';", null, Ct));
    }

    [Fact]
    public async Task A_database_of_the_schema_before_partitioning_keeps_its_events_and_their_key()
    {
        var server = await PostgresServer.SharedAsync(Ct);
        var name = "events_upgrade_" + Guid.NewGuid().ToString("N");
        var connectionString = await server.CreateDatabaseAsync(name, Ct);
        try
        {
            var unpooled = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
            var step = typeof(DeviceEventPartitionSchema).GetCustomAttribute<MigrationAttribute>()!.Version;
            SchemaMigrations.MigrateUp(SqlDialect.Postgres, unpooled, upToVersion: step - 1);
            var stored = Enumerable.Range(0, 11).Select(i => (Seq: (long)i + 1, At: Boundary.AddDays(-14 + (2 * i)).ToUnixTimeMilliseconds())).ToList();
            // A connection of the test's own: the product's connection factory would bring the schema up to date on open.
            await using (var old = new Npgsql.NpgsqlConnection(unpooled))
            {
                Assert.Equal("r", await old.QueryFirstOrDefaultAsync<string>("SELECT relkind::text FROM pg_class WHERE relname = 'device_events';"));
                // Three weeks of events, one every two days, as the unpartitioned table holds them.
                foreach (var (seq, at) in stored)
                {
                    await old.ExecuteAsync("""
                        INSERT INTO device_events (device_id, seq, kind, code, condition, severity, message, device_time_ms, received_time_ms)
                        VALUES ('printer-1', @seq, 'raised', 'E1', 'paper-jam', 'error', 'Paper jam in tray 2', @at, @at + 5);
                        """, new { seq, at });
                }
            }

            var report = SchemaMigrations.MigrateUp(SqlDialect.Postgres, unpooled);
            var options = Options.Create(new StorageOptions { Provider = StorageProvider.PostgreSQL, ConnectionString = unpooled, TelemetryPartitionDays = PartitionDays });
            using var connections = new PostgresConnectionFactory(options);
            var database = new Database(connections);
            using var partitions = new TelemetryPartitions(database, options, new FakeTimeProvider(Boundary), NullLogger<TelemetryPartitions>.Instance);
            var inDefaultBefore = await database.QueryFirstOrDefaultAsync<long>("SELECT COUNT(*) FROM device_events_default;", null, Ct);
            await partitions.AdoptDefaultRowsAsync(Ct);

            Assert.Contains(report.Applied, s => s.Version == step);
            Assert.Equal("p", await database.QueryFirstOrDefaultAsync<string>("SELECT relkind::text FROM pg_class WHERE relname = 'device_events';", null, Ct));
            Assert.Equal(stored.Count, inDefaultBefore);
            var after = (await database.QueryAsync<(long Seq, long At, long Received, string Message)>(
                "SELECT seq, device_time_ms, received_time_ms, message FROM device_events ORDER BY seq;", null, Ct)).ToList();
            Assert.Equal(stored.Select(s => (s.Seq, s.At, s.At + 5, "Paper jam in tray 2")), after);
            // Days -14 to +6 from a boundary: the three ranges [-14, -7), [-7, 0), [0, 7) took every row.
            Assert.Equal(3, (await partitions.ListAsync("device_events", Ct)).Count);
            Assert.Equal(0L, await database.QueryFirstOrDefaultAsync<long>("SELECT COUNT(*) FROM device_events_default;", null, Ct));
            // The key still refuses a second copy of a stored event.
            var again = await database.ExecuteAsync("""
                INSERT INTO device_events (device_id, seq, kind, code, condition, severity, message, device_time_ms, received_time_ms)
                VALUES ('printer-1', @seq, 'raised', 'E1', 'paper-jam', 'error', 'Paper jam in tray 2', @at, @at) ON CONFLICT DO NOTHING;
                """, new { seq = stored[4].Seq, at = stored[4].At }, Ct);
            Assert.Equal(0, again);
            // The key is the one index a later step leaves (PostgresDeviceEventIndexSchema: the second one repeated it).
            Assert.Equal(new[] { "pk_device_events" }, await database.QueryAsync<string>(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'device_events';", null, Ct));
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await server.DropDatabaseAsync(name, Ct);
        }
    }

    private static string PartitionOf(DateTimeOffset rangeStart) => "device_events_p" + rangeStart.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    private static AcceptedUplink JamEvent(string deviceId, ulong sequence, DateTimeOffset deviceTime)
    {
        var envelope = new Envelope
        {
            DeviceId = deviceId,
            Sequence = sequence,
            DeviceTimeUnixMs = deviceTime.ToUnixTimeMilliseconds(),
            AgentVersion = "1.0.0",
            SchemaVersion = Envelope.CurrentSchemaVersion,
            Event = new DeviceEvent { Kind = EventKind.Raised, Code = "E1", Condition = "paper-jam", Severity = Severity.Error, Message = "Paper jam in tray 2" },
        };
        using var bytes = new MemoryStream();
        Serializer.Serialize(bytes, envelope);
        return new AcceptedUplink(envelope, UplinkKind.Event, bytes.ToArray(), deviceTime);
    }

    private static TelemetryBatch Batch(DateTimeOffset receivedAt, params AcceptedUplink[] messages) =>
        new([.. messages.Select(m => m with { ReceivedAt = receivedAt })],
            [new DeviceUpdate("printer-1", messages.Max(m => m.Envelope.Sequence), receivedAt, null, null)]);
}
