using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Tests.Storage;

/// <summary>
/// The process's SQLite writers take turns in order (<see cref="WriteTurns"/>): the next starts when the last lets go,
/// and a writer that waits too long goes on to SQLite's own lock rather than hang. SQLite only: PostgreSQL has row
/// locks and needs no turns.
/// </summary>
public sealed class WriteTurnsTests
{
    [Fact]
    public async Task The_next_writer_gets_its_turn_only_when_the_last_lets_go()
    {
        using var turns = new WriteTurns();
        var ct = TestContext.Current.CancellationToken;
        var first = await turns.TakeAsync(ct);
        Assert.NotNull(first);

        var second = turns.TakeAsync(ct);
        var third = turns.TakeAsync(ct);
        Assert.False(second.IsCompleted);

        first.Dispose();
        first.Dispose(); // a second dispose of the same turn must not let a third writer in as well
        var secondTurn = await second;
        Assert.NotNull(secondTurn);
        Assert.False(third.IsCompleted);

        secondTurn.Dispose();
        Assert.NotNull(await third);
    }

    [Fact]
    public async Task A_writer_that_waits_past_its_patience_goes_on_without_a_turn()
    {
        using var turns = new WriteTurns(TimeSpan.FromMilliseconds(50));
        var ct = TestContext.Current.CancellationToken;
        using var held = await turns.TakeAsync(ct);

        // Null: the writer meets SQLite's lock itself (its busy timeout), as it did without the turns.
        Assert.Null(await turns.TakeAsync(ct));
    }

    [Fact]
    public async Task An_ingestion_batch_waits_for_an_open_write_transaction_and_is_stored_after_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        using var connections = (SqliteConnectionFactory)database.CreateConnections();
        var db = new Database(connections);
        await db.ExecuteAsync(
            "INSERT INTO devices (id, model, serial, firmware, health, online, token_hash, token_salt, registered_at_ms) " +
            "VALUES ('printer-1', 'M', '', '', 'unknown', 0, x'00', x'00', 0);", null, ct);
        await using var store = new SqliteTelemetryStore(connections, []);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000);
        var envelope = new Envelope { DeviceId = "printer-1", Sequence = 1, DeviceTimeUnixMs = at.ToUnixTimeMilliseconds(), SchemaVersion = Envelope.CurrentSchemaVersion, Heartbeat = new Heartbeat() };
        var batch = new TelemetryBatch([new AcceptedUplink(envelope, UplinkKind.Heartbeat, WireCodec.Encode(envelope), at)], [new DeviceUpdate("printer-1", 1, at, null, null)]);

        Task writing;
        await using (var other = await db.BeginAsync(ct))
        {
            await other.ExecuteAsync("UPDATE devices SET model = 'N' WHERE id = 'printer-1';", null, ct);
            writing = store.WriteBatchAsync(batch, ct);
            Assert.False(writing.IsCompleted);
            await other.CommitAsync(ct);
        }
        await writing;

        Assert.Equal(1L, await db.QueryFirstOrDefaultAsync<long>("SELECT contiguous_mark FROM devices WHERE id = 'printer-1' AND model = 'N';", null, ct));
        SqliteConnection.ClearAllPools();
    }
}
