using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Tests.Ingestion;

/// <summary>
/// The ingestion hot path's writer keeps one connection and its prepared statements across batches: a batch that fails
/// halfway must leave nothing behind, and the batches after it must still be stored (on a fresh connection).
/// SQLite only: this writer and its prepared statements are the SQLite store's (PostgresTelemetryStore has one
/// transaction per batch and no kept connection; redelivery through the whole pipeline runs in IngestionPipelineTests on
/// both engines, and across a partition boundary in DeviceEventPartitionsTests).
/// </summary>
public sealed class TelemetryBatchWriterTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000);

    private static AcceptedUplink Raised(string deviceId, ulong sequence, string code)
    {
        var envelope = new Envelope
        {
            DeviceId = deviceId,
            Sequence = sequence,
            DeviceTimeUnixMs = At.ToUnixTimeMilliseconds(),
            SchemaVersion = Envelope.CurrentSchemaVersion,
            Event = new DeviceEvent { Kind = EventKind.Raised, Code = code, Condition = Conditions.PaperJam, Severity = Severity.Error, Message = "jam" },
        };
        return new AcceptedUplink(envelope, UplinkKind.Event, WireCodec.Encode(envelope), At);
    }

    private static TelemetryBatch Batch(params AcceptedUplink[] messages) => new(
        messages,
        [.. messages.GroupBy(m => m.Envelope.DeviceId).Select(g => new DeviceUpdate(g.Key, g.Max(m => m.Envelope.Sequence), At, null, null))]);

    /// <summary>The SQLite writer's database: one of its own, with two registered devices.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly TestDatabase _database;

        private Rig(TestDatabase database)
        {
            _database = database;
            Connections = (SqliteConnectionFactory)database.CreateConnections();
            Database = new Database(Connections);
        }

        public SqliteConnectionFactory Connections { get; }

        public Database Database { get; }

        public static async Task<Rig> CreateAsync()
        {
            var rig = new Rig(await TestDatabase.CreateAsync(StorageProvider.Sqlite));
            foreach (var id in new[] { "printer-1", "printer-2" })
            {
                await rig.Database.ExecuteAsync(
                    "INSERT INTO devices (id, model, serial, firmware, health, online, token_hash, token_salt, registered_at_ms) " +
                    "VALUES (@id, 'M', '', '', 'unknown', 0, x'00', x'00', 0);", new { id }, TestContext.Current.CancellationToken);
            }
            return rig;
        }

        public Task<int> ExecuteAsync(string sql) => Database.ExecuteAsync(sql, null, TestContext.Current.CancellationToken);

        public async Task<long> CountAsync(string sql) =>
            await Database.QueryFirstOrDefaultAsync<long>(sql, null, TestContext.Current.CancellationToken);

        public async ValueTask DisposeAsync()
        {
            (Connections as IDisposable)?.Dispose();
            SqliteConnection.ClearAllPools();
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_batch_that_fails_halfway_keeps_nothing_and_the_next_batch_is_stored()
    {
        await using var database = await Rig.CreateAsync();
        // The second device's event cannot be stored: the batch fails after the first device's rows were written.
        await database.ExecuteAsync("""
            CREATE TRIGGER refuse_printer_2 BEFORE INSERT ON device_events WHEN NEW.device_id = 'printer-2'
            BEGIN SELECT RAISE(ABORT, 'refused'); END;
            """);
        var ct = TestContext.Current.CancellationToken;
        await using var writer = new TelemetryBatchWriter(database.Connections, [new FixInboxWriter()]);

        await Assert.ThrowsAsync<SqliteException>(() => writer.WriteAsync(Batch(Raised("printer-1", 1, "ipp:media-jam"), Raised("printer-2", 1, "ipp:media-jam")), ct));

        Assert.Equal(0, await database.CountAsync("SELECT COUNT(*) FROM telemetry;"));
        Assert.Equal(0, await database.CountAsync("SELECT COUNT(*) FROM device_events;"));
        Assert.Equal(0, await database.CountAsync("SELECT COUNT(*) FROM fix_inbox;"));
        Assert.Equal(0, await database.CountAsync("SELECT COUNT(*) FROM devices WHERE contiguous_mark IS NOT NULL;"));

        await writer.WriteAsync(Batch(Raised("printer-1", 1, "ipp:media-jam"), Raised("printer-1", 2, "ipp:door-open")), ct);

        Assert.Equal(2, await database.CountAsync("SELECT COUNT(*) FROM telemetry WHERE device_id = 'printer-1';"));
        Assert.Equal(2, await database.CountAsync("SELECT COUNT(*) FROM device_events WHERE device_id = 'printer-1';"));
        Assert.Equal(2, await database.CountAsync("SELECT COUNT(*) FROM fix_inbox WHERE device_id = 'printer-1';"));
        Assert.Equal(2, await database.CountAsync("SELECT contiguous_mark FROM devices WHERE id = 'printer-1';"));
    }

    [Fact]
    public async Task A_message_stored_before_is_not_stored_or_queued_again()
    {
        await using var database = await Rig.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var writer = new TelemetryBatchWriter(database.Connections, [new FixInboxWriter()]);

        await writer.WriteAsync(Batch(Raised("printer-1", 1, "ipp:media-jam")), ct);
        // The fix loop took the first raise out of its inbox; the device then sends the same message again.
        await database.ExecuteAsync("DELETE FROM fix_inbox;");
        await writer.WriteAsync(Batch(Raised("printer-1", 1, "ipp:media-jam")), ct);

        Assert.Equal(1, await database.CountAsync("SELECT COUNT(*) FROM telemetry;"));
        Assert.Equal(0, await database.CountAsync("SELECT COUNT(*) FROM fix_inbox;"));
    }

    [Fact]
    public async Task A_raise_of_a_problem_with_an_open_proposal_is_not_queued_for_the_fix_loop()
    {
        await using var database = await Rig.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var writer = new TelemetryBatchWriter(database.Connections, [new FixInboxWriter()]);
        // Someone is already deciding about printer-1's jam (code ipp:media-jam, condition PAPER_JAM).
        await database.ExecuteAsync("""
            INSERT INTO fix_proposals (id, device_id, code, condition, severity, message, event_seq, attempt, reasons, state, created_at_ms, expires_at_ms)
            VALUES ('p1', 'printer-1', 'ipp:media-jam', 'PAPER_JAM', 'Error', 'jam', 1, 1, '', 'proposed', 0, 0);
            """);

        // The same code again, and another code of the same condition: both are that proposal's problem.
        await writer.WriteAsync(Batch(Raised("printer-1", 2, "ipp:media-jam")), ct);
        await writer.WriteAsync(Batch(Raised("printer-1", 3, "vendor:jam-17")), ct);
        Assert.Equal(0, await database.CountAsync("SELECT COUNT(*) FROM fix_inbox;"));
        // Another device's jam is its own.
        await writer.WriteAsync(Batch(Raised("printer-2", 1, "ipp:media-jam")), ct);
        Assert.Equal(1, await database.CountAsync("SELECT COUNT(*) FROM fix_inbox WHERE device_id = 'printer-2';"));

        // Once the proposal is closed, a new raise can lead to a new one.
        await database.ExecuteAsync("UPDATE fix_proposals SET state = 'declined' WHERE id = 'p1';");
        await writer.WriteAsync(Batch(Raised("printer-1", 4, "ipp:media-jam")), ct);
        Assert.Equal(1, await database.CountAsync("SELECT COUNT(*) FROM fix_inbox WHERE device_id = 'printer-1' AND seq = 4;"));
        // Every message is stored whatever the inbox took.
        Assert.Equal(4, await database.CountAsync("SELECT COUNT(*) FROM device_events;"));
    }
}
