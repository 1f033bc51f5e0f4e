using System.Data.Common;

namespace Diagnostics.Cloud.Storage;

/// <summary>
/// Opens connections to the configured database (<see cref="SqliteConnectionFactory"/> or
/// <see cref="PostgresConnectionFactory"/>) and brings its schema up to date before the first one is handed out.
/// </summary>
public abstract class ConnectionFactory : IDisposable
{
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    public abstract SqlDialect Dialect { get; }

    /// <summary>Where the data is, for logs and the command line: a file path, or host, port and database (never a password).</summary>
    public abstract string Location { get; }

    /// <summary>What the schema migrations did when this process first opened the database; null before that.</summary>
    public SchemaReport? LastMigration { get; private set; }

    /// <summary>A new open connection, the schema brought up to date first if this process has not yet.</summary>
    public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        if (!_schemaReady)
            await EnsureSchemaAsync(cancellationToken);
        return await OpenRawAsync(cancellationToken);
    }

    /// <summary>
    /// Waits for this process's turn to write, where the engine has one writer at a time (SQLite, see
    /// <see cref="WriteTurns"/>); dispose the answer after the commit. Null: no turn to take (PostgreSQL locks rows).
    /// </summary>
    public virtual Task<IDisposable?> TakeWriteTurnAsync(CancellationToken cancellationToken) => Task.FromResult<IDisposable?>(null);

    /// <summary>Brings the schema up to date (creating what the engine needs first); safe to call more than once.</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady)
            return;
        await _schemaLock.WaitAsync(cancellationToken);
        try
        {
            if (_schemaReady)
                return;
            await PrepareAsync(cancellationToken);
            // Instances starting together on one database take turns: the second finds the steps applied.
            await using var turn = await TakeMigrationTurnAsync(cancellationToken);
            // FluentMigrator's runner is synchronous.
            LastMigration = await Task.Run(() => SchemaMigrations.MigrateUp(Dialect, MigrationConnectionString), cancellationToken);
            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
            _schemaLock.Dispose();
    }

    /// <summary>The connection string the migration runner opens its own connection with.</summary>
    protected abstract string MigrationConnectionString { get; }

    /// <summary>What must exist before the migrations run (the SQLite file's directory, its WAL mode).</summary>
    protected virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Held while the migrations run, so that only one process migrates a shared database at a time.</summary>
    protected virtual Task<IAsyncDisposable?> TakeMigrationTurnAsync(CancellationToken cancellationToken) => Task.FromResult<IAsyncDisposable?>(null);

    /// <summary>A new open connection, set up for the stores, without looking at the schema.</summary>
    protected abstract Task<DbConnection> OpenRawAsync(CancellationToken cancellationToken);
}
