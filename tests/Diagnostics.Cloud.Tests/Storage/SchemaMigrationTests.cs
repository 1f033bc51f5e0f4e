using Dapper;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Tests.Storage;

public sealed class SchemaMigrationTests
{
    /// <summary>A database created by the cloud before migrations: today's tables with every column added at start since.</summary>
    private const string BeforeMigrations = "schema-before-migrations.sql";

    /// <summary>An older one: the tables as first created, before support sessions grew their queue and devices their pairing code.</summary>
    private const string FirstColumns = "schema-first-columns.sql";

    /// <summary>Every schema step there is, whichever capability wrote it.</summary>
    private static readonly int Steps = typeof(SchemaMigration).Assembly.GetTypes()
        .Count(type => type.IsSubclassOf(typeof(SchemaMigration)) && type.GetCustomAttributes(typeof(FluentMigrator.MigrationAttribute), inherit: false).Length == 1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_new_database_gets_the_same_tables_columns_and_indexes_as_one_created_before_migrations()
    {
        var adopted = await DatabaseOfAsync(BeforeMigrations);
        var fresh = CloudHost.TempDatabasePath();

        Migrate(adopted);
        Migrate(fresh);

        Assert.Equal(await DescribeAsync(adopted), await DescribeAsync(fresh));
    }

    [Theory]
    [InlineData(BeforeMigrations)]
    [InlineData(FirstColumns)]
    public async Task A_database_from_before_migrations_upgrades_in_place_with_its_rows(string dump)
    {
        var path = await DatabaseOfAsync(dump);
        await using (var connection = await OpenAsync(path))
        {
            await connection.ExecuteAsync("""
                INSERT INTO devices (id, model, online, last_seen_ms, token_hash, token_salt, registered_at_ms)
                    VALUES ('dev-1', 'Acme LaserPro 500', 1, 1700000000000, x'01', x'02', 1690000000000);
                INSERT INTO support_sessions (id, customer_id, device_id, state, opened_by, opened_at_ms, last_seq)
                    VALUES ('s-1', 'cust-1', 'dev-1', 'bot', 'cust-1', 1700000000000, 2);
                INSERT INTO support_messages (session_id, seq, kind, author_kind, author_id, author_name, body, internal, at_ms)
                    VALUES ('s-1', 1, 'text', 'customer', 'cust-1', 'Ann', 'The printer jams', 0, 1700000000001);
                INSERT INTO kb_articles (id, published_version) VALUES ('paper-jam', 1);
                INSERT INTO kb_article_versions (article_id, version, markdown, content_hash, author, origin, created_at_ms, published_at_ms)
                    VALUES ('paper-jam', 1, '# Paper jam', 'h1', 'import', 'import', 1690000000000, 1690000000000);
                INSERT INTO notifications (account_id, device_id, seq, code, condition, severity, message, created_at_ms)
                    VALUES ('cust-1', 'dev-1', 7, 'J-100', 'paper-jam', 'error', 'Paper jam', 1700000000002);
                INSERT INTO audit_log (seq, at_ms, actor, action, device_id, subject, details, prev_hash, hash)
                    VALUES (1, 1700000000003, 'ann', 'fix.approved', 'dev-1', 'fix-1', '{}', '', 'abc');
                """);
        }

        var first = Migrate(path);
        var again = Migrate(path);

        Assert.Equal(Steps, first.Applied.Count);
        Assert.Empty(again.Applied);
        Assert.Equal(first.Version, again.Version);
        await using var check = await OpenAsync(path);
        var device = await check.QuerySingleAsync<(string Model, long Online, long LastSeen, string? PairingCode)>(
            "SELECT model, online, last_seen_ms, pairing_code FROM devices WHERE id = 'dev-1';");
        Assert.Equal(("Acme LaserPro 500", 1L, 1700000000000L, (string?)null), device);
        var session = await check.QuerySingleAsync<(string State, long LastSeq, string CustomerName, long Priority, long CustomerReadSeq)>(
            "SELECT state, last_seq, customer_name, priority, customer_read_seq FROM support_sessions WHERE id = 's-1';");
        Assert.Equal(("bot", 2L, "", 0L, 0L), session);
        Assert.Equal("The printer jams", await check.QuerySingleAsync<string>("SELECT body FROM support_messages WHERE session_id = 's-1' AND seq = 1;"));
        Assert.Equal(1L, await check.QuerySingleAsync<long>("SELECT COUNT(*) FROM notifications;"));
        Assert.Equal("abc", await check.QuerySingleAsync<string>("SELECT hash FROM audit_log WHERE seq = 1;"));
        // The store reads the adopted rows as its own.
        using var connections = new SqliteConnectionFactory(Options.Create(new StorageOptions { Path = path }));
        var article = Assert.Single(await new KnowledgeStore(new Database(connections)).PublishedAsync(Ct));
        Assert.Equal(("paper-jam", 1, "# Paper jam", DateTimeOffset.FromUnixTimeMilliseconds(1690000000000)), (article.ArticleId, article.Version, article.Markdown, article.CreatedAt));
    }

    [Fact]
    public async Task A_database_adopted_from_before_migrations_keeps_refusing_what_its_constraints_refused()
    {
        var path = await DatabaseOfAsync(FirstColumns);
        Migrate(path);
        await using var connection = await OpenAsync(path);
        await connection.ExecuteAsync("""
            INSERT INTO support_sessions (id, customer_id, state, opened_by, opened_at_ms, last_seq, client_id) VALUES ('s-1', 'c', 'bot', 'c', 1, 0, 'open-1');
            """);

        // The index over a column the upgrade added exists: the same customer's request id opens one session.
        var repeated = await Assert.ThrowsAsync<SqliteException>(() => connection.ExecuteAsync("""
            INSERT INTO support_sessions (id, customer_id, state, opened_by, opened_at_ms, last_seq, client_id) VALUES ('s-2', 'c', 'bot', 'c', 1, 0, 'open-1');
            """));
        Assert.Equal(19, repeated.SqliteErrorCode); // SQLITE_CONSTRAINT
    }

    [Fact]
    public async Task Storage_migrate_applies_the_steps_once_and_says_which()
    {
        var path = await DatabaseOfAsync(FirstColumns);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var first = await StorageCli.RunAsync(["storage", "migrate", $"--Storage:Path={path}"], output, error, Ct);
        var firstOutput = output.ToString();
        var again = await StorageCli.RunAsync(["storage", "migrate", $"--Storage:Path={path}"], output, error, Ct);
        var usage = await StorageCli.RunAsync(["storage"], output, error, Ct);

        Assert.Equal((0, 0, 2), (first, again, usage));
        Assert.Contains("applied 2026120608: Support:", firstOutput, StringComparison.Ordinal);
        Assert.Contains($"{Steps} steps applied now, 0 already there", firstOutput, StringComparison.Ordinal);
        Assert.Contains($"0 steps applied now, {Steps} already there", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("usage: storage migrate", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storage_migrate_brings_an_empty_PostgreSQL_database_to_the_schema_once()
    {
        var server = await PostgresServer.SharedAsync(Ct);
        var name = "migrate_" + Guid.NewGuid().ToString("N");
        var connectionString = await server.CreateDatabaseAsync(name, Ct);
        try
        {
            string[] arguments = ["storage", "migrate", "--Storage:Provider=PostgreSQL", $"--Storage:ConnectionString={connectionString}"];
            using var output = new StringWriter();
            var first = await StorageCli.RunAsync(arguments, output, TextWriter.Null, Ct);
            var firstOutput = output.ToString();
            var again = await StorageCli.RunAsync(arguments, output, TextWriter.Null, Ct);

            Assert.Equal((0, 0), (first, again));
            Assert.Contains($"PostgreSQL 127.0.0.1:{server.Port}/{name}: schema version", firstOutput, StringComparison.Ordinal);
            Assert.Contains($"{Steps} steps applied now, 0 already there", firstOutput, StringComparison.Ordinal);
            Assert.Contains($"0 steps applied now, {Steps} already there", output.ToString(), StringComparison.Ordinal);
            // The connection string's secret is never printed (a step's description may well speak of passwords).
            Assert.DoesNotContain("Password=", firstOutput, StringComparison.OrdinalIgnoreCase);
            if (new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Password is { Length: > 0 } secret)
                Assert.DoesNotContain(secret, firstOutput, StringComparison.Ordinal);
        }
        finally
        {
            await server.DropDatabaseAsync(name, Ct);
        }
    }

    [Fact]
    public async Task Two_instances_starting_together_on_one_new_PostgreSQL_database_apply_each_step_once()
    {
        var server = await PostgresServer.SharedAsync(Ct);
        var name = "together_" + Guid.NewGuid().ToString("N");
        var options = Options.Create(new StorageOptions { Provider = StorageProvider.PostgreSQL, ConnectionString = await server.CreateDatabaseAsync(name, Ct) });
        try
        {
            using var first = new PostgresConnectionFactory(options);
            using var second = new PostgresConnectionFactory(options);

            await Task.WhenAll(first.EnsureSchemaAsync(Ct), second.EnsureSchemaAsync(Ct));

            Assert.Equal(Steps, first.LastMigration!.Applied.Count + second.LastMigration!.Applied.Count);
            Assert.Contains(0, new[] { first.LastMigration.Applied.Count, second.LastMigration.Applied.Count });
        }
        finally
        {
            await server.DropDatabaseAsync(name, Ct);
        }
    }

    [Fact]
    public async Task A_new_PostgreSQL_database_has_the_same_tables_and_columns_as_a_new_SQLite_one()
    {
        await using var sqlite = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        await using var postgres = await TestDatabase.CreateAsync(StorageProvider.PostgreSQL);
        Migrate(sqlite.Path);

        await using var lite = await sqlite.OpenAsync();
        var sqliteColumns = await lite.QueryAsync<(string Table, string Column, long NotNull)>("""
            SELECT m.name, c.name, c."notnull" OR c.pk FROM sqlite_master m JOIN pragma_table_info(m.name) c
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'schema_versions';
            """);
        await using var pg = await postgres.OpenAsync();
        // Partitions are the telemetry table's storage, not tables of their own.
        var postgresColumns = await pg.QueryAsync<(string Table, string Column, bool NotNull)>("""
            SELECT c.table_name, c.column_name, c.is_nullable = 'NO' FROM information_schema.columns c
            JOIN pg_class t ON t.relname = c.table_name AND NOT t.relispartition
            WHERE c.table_schema = 'public' AND c.table_name <> 'schema_versions';
            """);

        static List<string> Described(IEnumerable<(string Table, string Column, bool NotNull)> columns) =>
            [.. columns.Select(c => $"{c.Table}.{c.Column} notnull={c.NotNull}").Order(StringComparer.Ordinal)];
        Assert.Equal(Described(sqliteColumns.Select(c => (c.Table, c.Column, c.NotNull != 0))), Described(postgresColumns));
    }

    private static SchemaReport Migrate(string path)
    {
        using var connections = new SqliteConnectionFactory(Options.Create(new StorageOptions { Path = path }));
        connections.EnsureSchemaAsync(Ct).GetAwaiter().GetResult();
        return connections.LastMigration!;
    }

    /// <summary>A new database file made from one of the checked-in schema dumps.</summary>
    private static async Task<string> DatabaseOfAsync(string dump)
    {
        var path = CloudHost.TempDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var connection = await OpenAsync(path);
        await connection.ExecuteAsync(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Storage", dump), Ct));
        return path;
    }

    private static async Task<SqliteConnection> OpenAsync(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(Ct);
        return connection;
    }

    /// <summary>
    /// Each table's columns (name, type affinity, not null, default, place in the key) and indexes (unique, partial,
    /// columns with order and collation). Affinity, not the declared type: SQLite stores by affinity, so BIGINT and
    /// INTEGER columns keep the same values. A rowid alias (a lone INTEGER key) can never be null, declared or not.
    /// </summary>
    private static async Task<string> DescribeAsync(string path)
    {
        await using var connection = await OpenAsync(path);
        var lines = new List<string>();
        var tables = await connection.QueryAsync<string>(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_versions' ORDER BY name;");
        foreach (var table in tables)
        {
            var columns = await connection.QueryAsync<(string Name, string Type, long NotNull, string? Default, long Key)>(
                "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(@table) ORDER BY name;", new { table });
            var rowidAlias = columns.Count(c => c.Key > 0) == 1 ? columns.SingleOrDefault(c => c.Key == 1 && c.Type == "INTEGER").Name : null;
            lines.AddRange(columns.Select(c =>
                $"{table}.{c.Name} {Affinity(c.Type)} notnull={(c.Name == rowidAlias ? 1 : c.NotNull)} default={c.Default} key={c.Key}"));
            var indexes = await connection.QueryAsync<(string Name, long Unique, long Partial)>(
                "SELECT name, \"unique\", partial FROM pragma_index_list(@table);", new { table });
            var described = new List<string>();
            foreach (var index in indexes)
            {
                var keys = await connection.QueryAsync<(string Name, long Desc, string Collation)>(
                    "SELECT name, desc, coll FROM pragma_index_xinfo(@index) WHERE key = 1 ORDER BY seqno;", new { index = index.Name });
                described.Add($"{table} index unique={index.Unique} partial={index.Partial} ({string.Join(", ", keys.Select(k => $"{k.Name}{(k.Desc == 1 ? " DESC" : "")} {k.Collation}"))})");
            }
            lines.AddRange(described.Order(StringComparer.Ordinal));
        }
        return string.Join("\n", lines);
    }

    /// <summary>SQLite's rules for a declared type's affinity (section 3.1 of "Datatypes In SQLite").</summary>
    private static string Affinity(string declared) => declared.ToUpperInvariant() switch
    {
        var t when t.Contains("INT", StringComparison.Ordinal) => "INTEGER",
        var t when t.Contains("CHAR", StringComparison.Ordinal) || t.Contains("CLOB", StringComparison.Ordinal) || t.Contains("TEXT", StringComparison.Ordinal) => "TEXT",
        var t when t.Contains("BLOB", StringComparison.Ordinal) || t.Length == 0 => "BLOB",
        var t when t.Contains("REAL", StringComparison.Ordinal) || t.Contains("FLOA", StringComparison.Ordinal) || t.Contains("DOUB", StringComparison.Ordinal) => "REAL",
        _ => "NUMERIC",
    };
}
