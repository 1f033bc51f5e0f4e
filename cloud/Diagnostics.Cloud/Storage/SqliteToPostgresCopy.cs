using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Diagnostics.Cloud.Storage;

/// <summary>One table's rows in the source and the target.</summary>
public sealed record TableCount(string Table, long Source, long Target)
{
    public bool Matches => Source == Target;
}

/// <summary>Progress of a copy: rows of one table written so far.</summary>
public sealed record CopyProgress(string Table, long Copied, long Total, double RowsPerSecond);

/// <summary>
/// Copies every table of a SQLite store into a PostgreSQL one of the same schema version: the tables the SQLite file
/// holds (but the migration bookkeeping), their columns by name, rows read in order and written with PostgreSQL's binary
/// <c>COPY</c> in batches, parents before the tables that reference them, all in one transaction — so a failure leaves
/// the target as it was. Identity sequences are moved past the copied ids. Pure data movement: what to copy into, and
/// whether to, is the command's (<c>EngineMigration/SqliteToPostgresCli</c>).
/// </summary>
public sealed class SqliteToPostgresCopy(SqliteConnection source, NpgsqlConnection target) : IAsyncDisposable
{
    private SqliteTransaction? _snapshot;

    /// <summary>
    /// Reads everything after this from one snapshot of the SQLite file (a read transaction, which WAL mode keeps
    /// consistent while a running service goes on writing), so counts and rows agree with each other.
    /// </summary>
    public void BeginSnapshot() => _snapshot ??= source.BeginTransaction(deferred: true);

    public async ValueTask DisposeAsync()
    {
        if (_snapshot is not null)
            await _snapshot.DisposeAsync();
    }

    private SqliteCommand SourceCommand(string sql)
    {
        var command = source.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _snapshot;
        return command;
    }

    /// <summary>Each engine keeps its own: the schema steps applied (already there on the target) and SQLite's AUTOINCREMENT counters.</summary>
    public static readonly IReadOnlySet<string> EngineTables = new HashSet<string>(StringComparer.Ordinal) { "schema_versions", "sqlite_sequence" };

    /// <summary>The tables to copy: every table of the source but <see cref="EngineTables"/>.</summary>
    public async Task<IReadOnlyList<string>> SourceTablesAsync(CancellationToken cancellationToken)
    {
        var tables = new List<string>();
        await using var command = SourceCommand("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            if (!EngineTables.Contains(name))
                tables.Add(name);
        }
        return tables;
    }

    /// <summary>Rows per table on both sides.</summary>
    public async Task<IReadOnlyList<TableCount>> CountAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        var counts = new List<TableCount>();
        foreach (var table in tables)
            counts.Add(new(table, await SourceCountAsync(table, cancellationToken), await ScalarAsync(target, $"SELECT COUNT(*) FROM {Quote(table)};", cancellationToken)));
        return counts;
    }

    /// <summary>What keeps the copy from running: a table or column of the source the target lacks.</summary>
    public async Task<IReadOnlyList<string>> ProblemsAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var table in tables)
        {
            var targetColumns = await TargetColumnsAsync(table, cancellationToken);
            if (targetColumns.Count == 0)
            {
                problems.Add($"table {table} is not in the PostgreSQL database");
                continue;
            }
            foreach (var column in await SourceColumnsAsync(table, cancellationToken))
            {
                if (!targetColumns.ContainsKey(column))
                    problems.Add($"column {table}.{column} is not in the PostgreSQL database");
            }
        }
        return problems;
    }

    /// <summary>Copies the rows of <paramref name="tables"/> (the target's tables must be empty), reporting progress per batch.</summary>
    public async Task CopyAsync(
        IReadOnlyList<string> tables, int batchSize, Func<string, CancellationToken, Task>? beforeTable, IProgress<CopyProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var ordered = await ParentsFirstAsync(tables, cancellationToken);
        await using var transaction = await target.BeginTransactionAsync(cancellationToken);
        foreach (var table in ordered)
        {
            if (beforeTable is not null)
                await beforeTable(table, cancellationToken);
            await CopyTableAsync(table, batchSize, progress, cancellationToken);
        }
        await MoveIdentitiesPastCopiedIdsAsync(ordered, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task CopyTableAsync(string table, int batchSize, IProgress<CopyProgress>? progress, CancellationToken cancellationToken)
    {
        var columns = await SourceColumnsAsync(table, cancellationToken);
        var types = await TargetColumnsAsync(table, cancellationToken);
        var total = await SourceCountAsync(table, cancellationToken);
        var columnList = string.Join(", ", columns.Select(Quote));
        var dbTypes = columns.Select(c => DbTypeOf(types[c])).ToArray();
        // rowid order: the order the rows were written in (every table here has one).
        await using var read = SourceCommand($"SELECT {columnList} FROM {Quote(table)} ORDER BY rowid;");
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        long copied = 0;
        var more = await reader.ReadAsync(cancellationToken);
        while (more)
        {
            await using (var writer = await target.BeginBinaryImportAsync($"COPY {Quote(table)} ({columnList}) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                var inBatch = 0;
                do
                {
                    await writer.StartRowAsync(cancellationToken);
                    for (var i = 0; i < columns.Count; i++)
                    {
                        var value = reader.GetValue(i);
                        if (value is DBNull)
                            await writer.WriteNullAsync(cancellationToken);
                        else
                            await writer.WriteAsync(Convert(value, dbTypes[i], table, columns[i]), dbTypes[i], cancellationToken);
                    }
                    inBatch++;
                    more = await reader.ReadAsync(cancellationToken);
                }
                while (more && inBatch < batchSize);
                await writer.CompleteAsync(cancellationToken);
                copied += inBatch;
            }
            progress?.Report(new(table, copied, total, copied / Math.Max(clock.Elapsed.TotalSeconds, 1e-6)));
        }
        if (copied == 0)
            progress?.Report(new(table, 0, 0, 0));
    }

    /// <summary>SQLite hands back INTEGER, REAL, TEXT or BLOB; the PostgreSQL column says what it becomes.</summary>
    private static object Convert(object value, NpgsqlDbType type, string table, string column) => (type, value) switch
    {
        (NpgsqlDbType.Boolean, long l) => l != 0,
        (NpgsqlDbType.Smallint, long l) => checked((short)l),
        (NpgsqlDbType.Integer, long l) => checked((int)l),
        (NpgsqlDbType.Bigint, long l) => l,
        (NpgsqlDbType.Double, long l) => (double)l,
        (NpgsqlDbType.Double, double d) => d,
        (NpgsqlDbType.Real, double d) => (float)d,
        (NpgsqlDbType.Real, long l) => (float)l,
        (NpgsqlDbType.Numeric, long l) => (decimal)l,
        (NpgsqlDbType.Numeric, double d) => (decimal)d,
        (NpgsqlDbType.Bytea, byte[] b) => b,
        (NpgsqlDbType.Text, string s) => s,
        (NpgsqlDbType.Text, long l) => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        (NpgsqlDbType.Text, double d) => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"{table}.{column}: a {value.GetType().Name} cannot go into a PostgreSQL {type} column."),
    };

    private static NpgsqlDbType DbTypeOf(string dataType) => dataType switch
    {
        "boolean" => NpgsqlDbType.Boolean,
        "smallint" => NpgsqlDbType.Smallint,
        "integer" => NpgsqlDbType.Integer,
        "bigint" => NpgsqlDbType.Bigint,
        "double precision" => NpgsqlDbType.Double,
        "real" => NpgsqlDbType.Real,
        "numeric" => NpgsqlDbType.Numeric,
        "bytea" => NpgsqlDbType.Bytea,
        "text" or "character varying" or "character" => NpgsqlDbType.Text,
        _ => throw new NotSupportedException($"PostgreSQL column type '{dataType}' is not one the copy knows."),
    };

    /// <summary>A table after every table it references (foreign keys in the target), so constraints hold row by row.</summary>
    private async Task<IReadOnlyList<string>> ParentsFirstAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        var parents = tables.ToDictionary(t => t, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            """
            SELECT child.relname, parent.relname FROM pg_constraint c
            JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid
            WHERE c.contype = 'f' AND child.relnamespace = current_schema()::regnamespace;
            """, target))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (parents.TryGetValue(reader.GetString(0), out var set) && parents.ContainsKey(reader.GetString(1)) && reader.GetString(0) != reader.GetString(1))
                    set.Add(reader.GetString(1));
            }
        }
        var ordered = new List<string>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        while (ordered.Count < tables.Count)
        {
            var ready = tables.Where(t => !placed.Contains(t) && parents[t].IsSubsetOf(placed)).ToList();
            if (ready.Count == 0)
                throw new InvalidOperationException("The tables' foreign keys form a cycle: " + string.Join(", ", tables.Where(t => !placed.Contains(t))));
            ordered.AddRange(ready);
            placed.UnionWith(ready);
        }
        return ordered;
    }

    private async Task MoveIdentitiesPastCopiedIdsAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        foreach (var table in tables)
        {
            foreach (var column in (await TargetColumnsAsync(table, cancellationToken)).Keys)
            {
                await using var find = new NpgsqlCommand("SELECT pg_get_serial_sequence(@table, @column);", target);
                find.Parameters.AddWithValue("table", Quote(table));
                find.Parameters.AddWithValue("column", column);
                if (await find.ExecuteScalarAsync(cancellationToken) is not string sequence)
                    continue;
                await using var move = new NpgsqlCommand($"SELECT setval(@sequence, COALESCE((SELECT MAX({Quote(column)}) FROM {Quote(table)}), 0) + 1, false);", target);
                move.Parameters.AddWithValue("sequence", sequence);
                await move.ExecuteScalarAsync(cancellationToken);
            }
        }
    }

    private async Task<List<string>> SourceColumnsAsync(string table, CancellationToken cancellationToken)
    {
        var columns = new List<string>();
        await using var command = SourceCommand("SELECT name FROM pragma_table_info(@table) ORDER BY cid;");
        command.Parameters.AddWithValue("@table", table);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            columns.Add(reader.GetString(0));
        return columns;
    }

    private async Task<Dictionary<string, string>> TargetColumnsAsync(string table, CancellationToken cancellationToken)
    {
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table;", target);
        command.Parameters.AddWithValue("table", table);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            columns[reader.GetString(0)] = reader.GetString(1);
        return columns;
    }

    /// <summary>Runs <paramref name="sql"/> (one value) on the source, inside the snapshot if one was begun.</summary>
    public async Task<long> SourceScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = SourceCommand(sql);
        return System.Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private Task<long> SourceCountAsync(string table, CancellationToken cancellationToken) => SourceScalarAsync($"SELECT COUNT(*) FROM {Quote(table)};", cancellationToken);

    private static async Task<long> ScalarAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return System.Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
