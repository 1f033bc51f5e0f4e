using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Storage;

/// <summary>Opens connections to the one SQLite database, creating the file and migrating its schema on first use.</summary>
public sealed class SqliteConnectionFactory : ConnectionFactory
{
    private readonly string _connectionString;
    private readonly WriteTurns _writeTurns = new();

    public SqliteConnectionFactory(IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = System.IO.Path.GetFullPath(options.Value.Path);
        DatabasePath = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    public override SqlDialect Dialect => SqlDialect.Sqlite;

    public override string Location => DatabasePath;

    protected override string MigrationConnectionString => _connectionString;

    public override Task<IDisposable?> TakeWriteTurnAsync(CancellationToken cancellationToken) => _writeTurns.TakeAsync(cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _writeTurns.Dispose();
        base.Dispose(disposing);
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) =>
        (SqliteConnection)await OpenConnectionAsync(cancellationToken);

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        await using var connection = await OpenRawAsync(cancellationToken);
        await using var wal = connection.CreateCommand();
        // WAL lets the API read while the ingestion pipeline writes; it is a property of the file.
        wal.CommandText = "PRAGMA journal_mode=WAL;";
        await wal.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override async Task<DbConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragma = connection.CreateCommand();
            // FULL: a commit is on disk before it returns. The cloud acknowledges after the commit and the device then
            // forgets the message, so a power cut must not lose an acknowledged batch (NORMAL could, in WAL mode).
            pragma.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
