using System.Globalization;
using Dapper;
using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.EngineMigration;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Diagnostics.Cloud.Tests.Storage;

/// <summary>
/// <c>migrate-sqlite-to-postgres</c> on a real SQLite file and a real PostgreSQL: every table holds rows — devices,
/// credentials and the audit chain written by the product itself (registrations, a rotation, a revocation), every other
/// table filled to a few hundred rows — and the copy must arrive whole, verified, usable by the cloud, and refuse to mix.
/// </summary>
public sealed class SqliteToPostgresMigrationTests
{
    private const int RowsPerTable = 300;
    private const int TelemetryRows = 20_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Copies_every_table_verifies_counts_and_the_audit_chain_and_the_cloud_runs_on_the_copy()
    {
        await using var sqlite = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        await using var postgres = await TestDatabase.CreateAsync(StorageProvider.PostgreSQL);
        string token;
        await using (var host = new CloudHost(database: sqlite))
        {
            token = await host.RegisterAsync("mig-kept");
            await host.RegisterAsync("mig-rotated");
            Assert.NotNull(await host.Registry.RotateAsync("mig-rotated", "test", Ct));
            await host.RegisterAsync("mig-revoked");
            Assert.True(await host.Registry.RevokeAsync("mig-revoked", "test", Ct));
        }
        var expected = await FillEveryEmptyTableAsync(sqlite.Path);

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await SqliteToPostgresCli.RunAsync(Arguments(sqlite, postgres, "--batch-size", "1000"), output, error, Ct);

        TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());
        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("Verified: every table's count matches, and the audit trail's", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"  telemetry: {TelemetryRows:N0}/{TelemetryRows:N0} rows", output.ToString(), StringComparison.Ordinal);
        await using (var target = await postgres.OpenAsync())
        {
            foreach (var (table, rows) in expected)
                Assert.True(rows == await target.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM \"{table}\";"), $"{table}: {rows} rows expected");
            // Values arrive as they were, typed for PostgreSQL (a boolean stays a boolean, bytes stay bytes).
            Assert.Equal("mig-kept", await target.ExecuteScalarAsync<string>("SELECT id FROM devices WHERE id = 'mig-kept';"));
        }
        using var audit = new StringWriter();
        Assert.Equal(0, await AuditCli.RunAsync(["audit", "verify", .. postgres.CliArguments], audit, TextWriter.Null, Ct));

        // The cloud on the copy: the device's token still works, the revoked device stays revoked, new rows get new ids.
        await using (var cloud = new CloudHost(database: postgres))
        {
            Assert.True(await cloud.Registry.VerifyAsync("mig-kept", token, Ct));
            Assert.True((await cloud.Registry.GetCredentialsAsync("mig-revoked", Ct))!.IsRevoked);
            await using var target = await postgres.OpenAsync();
            var before = await target.ExecuteScalarAsync<long>("SELECT MAX(id) FROM notifications;");
            var id = await target.ExecuteScalarAsync<long>("SELECT nextval(pg_get_serial_sequence('notifications', 'id'));");
            Assert.True(id > before, $"new notification id {id} after {before}");
        }
    }

    [Fact]
    public async Task A_second_run_copies_nothing_and_a_target_with_other_data_is_refused_untouched()
    {
        await using var sqlite = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        await using var postgres = await TestDatabase.CreateAsync(StorageProvider.PostgreSQL);
        await using (var host = new CloudHost(database: sqlite))
            await host.RegisterAsync("mig-twice");
        Assert.Equal(0, await SqliteToPostgresCli.RunAsync(Arguments(sqlite, postgres), TextWriter.Null, TextWriter.Null, Ct));

        using var again = new StringWriter();
        Assert.Equal(0, await SqliteToPostgresCli.RunAsync(Arguments(sqlite, postgres), again, TextWriter.Null, Ct));
        Assert.Contains("already holds every table's rows: nothing copied", again.ToString(), StringComparison.Ordinal);

        // Another installation's device appears in the target: the counts no longer match, and nothing is written.
        await using (var target = await postgres.OpenAsync())
        {
            var columns = await NonIdColumnsAsync(target, "devices");
            await target.ExecuteAsync($"INSERT INTO devices (id, {columns}) SELECT 'someone-else', {columns} FROM devices WHERE id = 'mig-twice';");
        }
        var devicesBefore = await CountAsync(postgres, "devices");
        var auditBefore = await CountAsync(postgres, "audit_log");
        using var refusal = new StringWriter();
        Assert.Equal(1, await SqliteToPostgresCli.RunAsync(Arguments(sqlite, postgres), TextWriter.Null, refusal, Ct));
        Assert.Contains("Refused: the PostgreSQL database already holds data that is not this SQLite file's: ", refusal.ToString(), StringComparison.Ordinal);
        Assert.Contains("devices (2 rows there, 1 here)", refusal.ToString(), StringComparison.Ordinal);
        Assert.Equal((devicesBefore, auditBefore), (await CountAsync(postgres, "devices"), await CountAsync(postgres, "audit_log")));
    }

    [Fact]
    public async Task A_missing_source_file_or_missing_arguments_are_refused_clearly()
    {
        using var error = new StringWriter();
        Assert.Equal(2, await SqliteToPostgresCli.RunAsync([SqliteToPostgresCli.Command], TextWriter.Null, error, Ct));
        Assert.Contains("usage: migrate-sqlite-to-postgres --from <sqlite file>", error.ToString(), StringComparison.Ordinal);
        var missing = Path.Combine(Path.GetTempPath(), "dx-no-such-" + Guid.NewGuid().ToString("N") + ".db");
        Assert.Equal(1, await SqliteToPostgresCli.RunAsync([SqliteToPostgresCli.Command, "--from", missing], TextWriter.Null, error, Ct));
        Assert.Contains($"No SQLite database at '{missing}'", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }

    private static string[] Arguments(TestDatabase sqlite, TestDatabase postgres, params string[] more) =>
        [SqliteToPostgresCli.Command, "--from", sqlite.Path, $"--Storage:ConnectionString={postgres.ConnectionString}", .. more];

    private static async Task<long> CountAsync(TestDatabase database, string table)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM \"{table}\";");
    }

    private static async Task<string> NonIdColumnsAsync(System.Data.Common.DbConnection connection, string table) =>
        string.Join(", ", (await connection.QueryAsync<string>(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table AND column_name <> 'id' ORDER BY ordinal_position;", new { table }))
            .Select(c => $"\"{c}\""));

    /// <summary>
    /// Rows in every table the product left empty: row <c>i</c> holds <c>i</c> in every column (as text, integer, real or
    /// bytes), so keys are unique and a reference (a review's session) finds its parent; a 1–5 score stays in range. The
    /// audit trail is not touched: its chain is the product's. Answers every table's row count.
    /// </summary>
    private static async Task<Dictionary<string, long>> FillEveryEmptyTableAsync(string path)
    {
        // Tables are filled in name order, a child before its parent: the references hold once all are in (row i names parent i).
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Foreign Keys=False");
        await connection.OpenAsync(Ct);
        var tables = (await connection.QueryAsync<string>(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'schema_versions' ORDER BY name;")).ToList();
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        var counts = new Dictionary<string, long>();
        foreach (var table in tables)
        {
            var existing = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM \"{table}\";", transaction: transaction);
            if (existing == 0 && table != "audit_log")
            {
                var columns = (await connection.QueryAsync<(string Name, string Type)>("SELECT name, type FROM pragma_table_info(@table);", new { table }, transaction)).ToList();
                var sql = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) VALUES ({string.Join(", ", columns.Select(c => "@" + Parameter(c.Name)))});";
                var rows = table == "telemetry" ? TelemetryRows : RowsPerTable;
                for (var i = 1; i <= rows; i++)
                {
                    var values = new DynamicParameters();
                    foreach (var (name, type) in columns)
                        values.Add(Parameter(name), ValueFor(name, type, i));
                    await connection.ExecuteAsync(sql, values, transaction);
                }
                existing = rows;
            }
            counts[table] = existing;
        }
        await transaction.CommitAsync(Ct);
        Assert.All(counts, c => Assert.True(c.Value > 0, $"{c.Key} is empty"));
        return counts;
    }

    private static string Parameter(string column) => "p_" + column;

    private static object ValueFor(string column, string type, int i) => column == "score" ? 1 + (i % 5)
        : type.ToUpperInvariant() switch
        {
            "INTEGER" or "BIGINT" or "INT" => i,
            "REAL" or "DOUBLE" or "FLOAT" => i + 0.5,
            "BLOB" => BitConverter.GetBytes(i),
            "BOOLEAN" => i % 2,
            _ => i.ToString(CultureInfo.InvariantCulture),
        };
}
