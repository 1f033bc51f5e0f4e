using Dapper;
using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;

namespace Diagnostics.Cloud.Tests.Ingestion;

/// <summary>
/// Every stored message pays for each B-tree of telemetry and device events, so they hold only their keys' and every
/// reader finds its rows through a key, without a scan of the history or a sort: on SQLite the readers' plans, on
/// PostgreSQL the device events' one index (<see cref="PostgresDeviceEventIndexSchema"/>) read backwards for the page.
/// </summary>
public sealed class HistoryReaderPlanTests
{
    /// <summary>The device page's query (DeviceStore.GetEventsAsync).</summary>
    private const string EventsNewestFirst = """
        SELECT seq AS sequence, kind, code, condition, severity, message, device_time_ms, received_time_ms
        FROM device_events WHERE device_id = 'printer-1' ORDER BY seq DESC LIMIT 20 OFFSET 0
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_sqlite_reader_of_telemetry_and_device_events_searches_a_key_without_scanning_or_sorting()
    {
        await using var database = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        // The product's own connection factory brings the file to the current schema.
        using (var connections = (SqliteConnectionFactory)database.CreateConnections())
            await (await connections.OpenAsync(Ct)).DisposeAsync();
        await using var connection = await database.OpenAsync();

        // The readers' queries as the product sends them: the device page, the status history's payloads
        // (DeviceStore), the sequences above each device's mark at start (SqliteTelemetryStore).
        string[] readers =
        [
            EventsNewestFirst,
            "SELECT payload FROM telemetry WHERE device_id = 'printer-1' AND kind = 'Status' ORDER BY seq DESC LIMIT 20",
            SqliteTelemetryStore.StoredAboveMarks,
        ];
        foreach (var query in readers)
        {
            var plan = string.Join(" | ", (await connection.QueryAsync<(long Id, long Parent, long Unused, string Detail)>("EXPLAIN QUERY PLAN " + query)).Select(step => step.Detail));
            Assert.Matches(@"SEARCH (telemetry|device_events|t) USING (COVERING )?INDEX sqlite_autoindex_(telemetry|device_events)_1 \(device_id=\?", plan);
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
        // The planner reads an empty table without an index; forbid what it can avoid, to see what it can use.
        await connection.ExecuteAsync("SET enable_seqscan = off; SET enable_sort = off;");
        var plan = string.Join("\n", await connection.QueryAsync<string>("EXPLAIN " + EventsNewestFirst));

        Assert.Equal(new[] { "pk_device_events" }, indexes);
        Assert.Contains("Index Scan Backward using", plan, StringComparison.Ordinal);
        // A Merge Append over the partitions names its "Sort Key"; a Sort node is what must not be there.
        Assert.DoesNotMatch(@"(?m)(^|->)\s*(Incremental )?Sort\s+\(", plan);
    }
}
