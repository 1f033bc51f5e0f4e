using Dapper;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;

namespace Diagnostics.Cloud.Tests.Ingestion;

/// <summary>
/// On SQLite every stored event pays for each index of device_events: the store keeps only its key's, and a device's
/// events newest first (the device page) still come from that index, walked backwards, with no sort.
/// </summary>
public sealed class DeviceEventIndexTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Device_events_have_only_their_key_index_and_the_newest_first_page_reads_it_without_sorting()
    {
        await using var database = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        // The product's own connection factory brings the file to the current schema.
        using (var connections = (SqliteConnectionFactory)database.CreateConnections())
            await (await connections.OpenAsync(Ct)).DisposeAsync();

        await using var connection = await database.OpenAsync();
        var indexes = (await connection.QueryAsync<(string Name, string Origin)>("SELECT name, origin FROM pragma_index_list('device_events');")).ToList();
        var plan = string.Join(" | ", (await connection.QueryAsync<(long Id, long Parent, long Unused, string Detail)>("""
            EXPLAIN QUERY PLAN
            SELECT seq AS sequence, kind, code, condition, severity, message, device_time_ms, received_time_ms
            FROM device_events WHERE device_id = 'printer-1' ORDER BY seq DESC LIMIT 20 OFFSET 0;
            """)).Select(step => step.Detail));

        var key = Assert.Single(indexes);
        Assert.Equal("pk", key.Origin);
        Assert.Contains(key.Name, plan, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
    }
}
