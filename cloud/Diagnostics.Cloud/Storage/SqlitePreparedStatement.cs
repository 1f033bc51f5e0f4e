using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Diagnostics.Cloud.Storage;

/// <summary>
/// One statement prepared once on an open SQLite connection and run many times through SQLite's own API, bound by
/// position. For the ingestion hot path (its batch writer and the capabilities that take uplinks in its transaction):
/// profiled under the ingest load run, ADO.NET cost more than SQLite itself (a data reader per execution, parameters
/// looked up by name, a command prepared again per row).
/// </summary>
/// <remarks>Not thread-safe; dispose it before its connection goes back to the pool.</remarks>
public sealed class SqlitePreparedStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public SqlitePreparedStatement(SqliteConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _db = Handle(connection);
        Check(_db, raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    public void Bind(int index, string value) => raw.sqlite3_bind_text(_statement, index, value);

    /// <summary>A null binds SQL NULL.</summary>
    public void BindOrNull(int index, string? value)
    {
        if (value is null)
            raw.sqlite3_bind_null(_statement, index);
        else
            raw.sqlite3_bind_text(_statement, index, value);
    }

    public void Bind(int index, long value) => raw.sqlite3_bind_int64(_statement, index, value);

    /// <summary>A null binds SQL NULL.</summary>
    public void BindOrNull(int index, long? value)
    {
        if (value is { } number)
            raw.sqlite3_bind_int64(_statement, index, number);
        else
            raw.sqlite3_bind_null(_statement, index);
    }

    public void Bind(int index, byte[] value) => raw.sqlite3_bind_blob(_statement, index, value);

    /// <summary>Runs the bound statement to its end and answers how many rows it changed.</summary>
    public int Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        // Reset (and clear, so no value leaks into the next row) even when the step failed; the step's error is the one reported.
        raw.sqlite3_reset(_statement);
        raw.sqlite3_clear_bindings(_statement);
        if (rc != raw.SQLITE_DONE)
            SqliteException.ThrowExceptionForRC(rc, _db);
        return raw.sqlite3_changes(_db);
    }

    /// <summary>Runs SQL that binds nothing and answers no rows (<c>BEGIN IMMEDIATE</c>, <c>COMMIT</c>).</summary>
    public static void Run(SqliteConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var db = Handle(connection);
        Check(db, raw.sqlite3_exec(db, sql));
    }

    public void Dispose() => _statement.Dispose();

    private static sqlite3 Handle(SqliteConnection connection) =>
        connection.Handle ?? throw new InvalidOperationException("The connection is not open.");

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
            SqliteException.ThrowExceptionForRC(rc, db);
    }
}
