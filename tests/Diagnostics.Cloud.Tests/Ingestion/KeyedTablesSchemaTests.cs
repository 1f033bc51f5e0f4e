using System.Reflection;
using Dapper;
using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using FluentMigrator;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Tests.Ingestion;

/// <summary>
/// Fewer B-trees per stored message: on SQLite telemetry and device events live in their key's B-tree (no rowid table
/// beside it), on PostgreSQL the device events keep only their key's index. A database of the schema before keeps
/// every row, the key still refuses a repeated message, and every reader of the two tables still finds its rows
/// through the key, without a scan or a sort.
/// </summary>
public sealed class KeyedTablesSchemaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static long Step => typeof(KeyedTablesSchema).GetCustomAttribute<MigrationAttribute>()!.Version;

    /// <summary>The device page's query (DeviceStore.GetEventsAsync).</summary>
    private const string EventsNewestFirst = """
        SELECT seq AS sequence, kind, code, condition, severity, message, device_time_ms, received_time_ms
        FROM device_events WHERE device_id = 'printer-1' ORDER BY seq DESC LIMIT 20 OFFSET 0
        """;

    [Fact]
    public async Task A_sqlite_database_of_the_schema_before_keeps_every_row_and_its_key_in_tables_without_rowid()
    {
        await using var database = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var connectionString = $"Data Source={database.Path};Pooling=False";
        SchemaMigrations.MigrateUp(SqlDialect.Sqlite, connectionString, upToVersion: Step - 1);
        // Rows as the schema before stored them: two devices, payloads of every size up to the protocol's largest
        // uplink (a row larger than a page spills into overflow pages in either layout), a sequence past 2^63 as
        // ingestion casts it.
        var telemetry = Enumerable.Range(0, 40).Select(i => new TelemetryRow(
            i % 2 == 0 ? "printer-1" : "printer-2", i == 39 ? long.MinValue + 5 : i + 1, i % 3 == 0 ? "Event" : "Status",
            1_700_000_000_000 + i, 1_700_000_000_500 + i, [.. Enumerable.Repeat((byte)i, i == 38 ? 65_536 : 1 + (i * 37))])).ToList();
        var events = telemetry.Where(t => t.Kind == "Event").Select(t => new EventRow(
            t.DeviceId, t.Seq, "Raised", $"E{t.Seq}", "paper_jam", "Error", $"Jam in tray {t.Seq}", t.DeviceTimeMs, t.ReceivedTimeMs)).ToList();
        await using (var old = new SqliteConnection(connectionString))
        {
            Assert.Equal(0L, await old.QueryFirstAsync<long>("SELECT wr FROM pragma_table_list('telemetry');"));
            await old.ExecuteAsync("INSERT INTO telemetry VALUES (@DeviceId, @Seq, @Kind, @DeviceTimeMs, @ReceivedTimeMs, @Payload);", telemetry);
            await old.ExecuteAsync("INSERT INTO device_events VALUES (@DeviceId, @Seq, @Kind, @Code, @Condition, @Severity, @Message, @DeviceTimeMs, @ReceivedTimeMs);", events);
        }

        // The product's own connection factory brings the file to the current schema.
        using (var connections = (SqliteConnectionFactory)database.CreateConnections())
            await (await connections.OpenAsync(Ct)).DisposeAsync();

        await using var connection = await database.OpenAsync();
        Assert.Equal(
            new[] { ("device_events", 1L), ("telemetry", 1L) },
            await connection.QueryAsync<(string, long)>("SELECT name, wr FROM pragma_table_list WHERE name IN ('telemetry', 'device_events') ORDER BY name;"));
        Assert.Equal(
            telemetry.OrderBy(t => t.DeviceId, StringComparer.Ordinal).ThenBy(t => t.Seq),
            await connection.QueryAsync<TelemetryRow>("SELECT device_id AS DeviceId, seq, kind, device_time_ms AS DeviceTimeMs, received_time_ms AS ReceivedTimeMs, payload FROM telemetry ORDER BY device_id, seq;"),
            TelemetryRow.Comparer);
        Assert.Equal(
            events.OrderBy(e => e.DeviceId, StringComparer.Ordinal).ThenBy(e => e.Seq),
            await connection.QueryAsync<EventRow>("SELECT device_id AS DeviceId, seq, kind, code, condition, severity, message, device_time_ms AS DeviceTimeMs, received_time_ms AS ReceivedTimeMs FROM device_events ORDER BY device_id, seq;"));
        // The key still makes a repeated message land once (ingestion's INSERT OR IGNORE).
        Assert.Equal(0, await connection.ExecuteAsync("INSERT OR IGNORE INTO telemetry VALUES ('printer-1', 1, 'Event', 0, 0, x'00');"));
        Assert.Equal(0, await connection.ExecuteAsync("INSERT OR IGNORE INTO device_events VALUES ('printer-1', 1, 'Raised', '', '', 'Error', '', 0, 0);"));
    }

    [Fact]
    public async Task Every_sqlite_reader_of_telemetry_and_device_events_searches_the_key_without_sorting()
    {
        await using var database = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        using (var connections = (SqliteConnectionFactory)database.CreateConnections())
            await (await connections.OpenAsync(Ct)).DisposeAsync();
        await using var connection = await database.OpenAsync();

        // The readers' queries as the product sends them: the device page, the status history's payloads
        // (DeviceStore), the marks' sequences above each device's mark at start (SqliteTelemetryStore).
        string[] readers =
        [
            EventsNewestFirst,
            "SELECT payload FROM telemetry WHERE device_id = 'printer-1' AND kind = 'Status' ORDER BY seq DESC LIMIT 20",
            SqliteTelemetryStore.StoredAboveMarks,
        ];
        foreach (var query in readers)
        {
            var plan = string.Join(" | ", (await connection.QueryAsync<(long Id, long Parent, long Unused, string Detail)>("EXPLAIN QUERY PLAN " + query)).Select(step => step.Detail));
            Assert.Matches(@"SEARCH (telemetry|device_events|t) USING PRIMARY KEY \(device_id=\?", plan);
            Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"SCAN (telemetry|device_events|t)\b", plan);
        }
    }

    [Fact]
    public async Task Postgres_device_events_keep_only_their_key_index_and_the_newest_first_page_reads_it_without_sorting()
    {
        await using var database = await TestDatabase.CreateAsync(StorageProvider.PostgreSQL);
        await using var connection = await database.OpenAsync();

        var indexes = await connection.QueryAsync<string>("SELECT indexname FROM pg_indexes WHERE tablename = 'device_events' ORDER BY indexname;");
        // The planner would read a handful of rows without an index; forbid what it can avoid, to see what it can use.
        await connection.ExecuteAsync("SET enable_seqscan = off; SET enable_sort = off;");
        var plan = string.Join("\n", await connection.QueryAsync<string>("EXPLAIN " + EventsNewestFirst));

        Assert.Equal(new[] { "pk_device_events" }, indexes);
        Assert.Contains("Index Scan Backward using", plan, StringComparison.Ordinal);
        // A Merge Append over the partitions names its "Sort Key"; a Sort node is what must not be there.
        Assert.DoesNotMatch(@"(?m)(^|->)\s*(Incremental )?Sort\s+\(", plan);
    }

    private sealed record TelemetryRow(string DeviceId, long Seq, string Kind, long DeviceTimeMs, long ReceivedTimeMs, byte[] Payload)
    {
        private static readonly byte[] NoBytes = [];

        public static IEqualityComparer<TelemetryRow> Comparer { get; } = EqualityComparer<TelemetryRow>.Create(
            (a, b) => a is not null && b is not null && a with { Payload = NoBytes } == b with { Payload = NoBytes } && a.Payload.AsSpan().SequenceEqual(b.Payload),
            row => row.Seq.GetHashCode());
    }

    private sealed record EventRow(string DeviceId, long Seq, string Kind, string Code, string Condition, string Severity, string Message, long DeviceTimeMs, long ReceivedTimeMs);
}
