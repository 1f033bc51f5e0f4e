using System.Data.Common;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Diagnostics.Cloud.Storage;

/// <summary>
/// Opens connections to the PostgreSQL database of <c>Storage:ConnectionString</c> from one pooled Npgsql data source,
/// migrating its schema on first use. The database itself must exist; the cloud creates its tables in it.
/// </summary>
public sealed class PostgresConnectionFactory : ConnectionFactory
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _connectionString;

    public PostgresConnectionFactory(IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connectionString = options.Value.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(_connectionString);
        var builder = new NpgsqlConnectionStringBuilder(_connectionString);
        Location = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
    }

    public override SqlDialect Dialect => SqlDialect.Postgres;

    /// <summary>The pooled data source, for what needs a connection of its own (leases, LISTEN).</summary>
    internal NpgsqlDataSource DataSource => _dataSource;

    public override string Location { get; }

    protected override string MigrationConnectionString => _connectionString;

    /// <summary>A session-level advisory lock on a connection of its own, released (and the connection closed) when disposed.</summary>
    protected override async Task<IAsyncDisposable?> TakeMigrationTurnAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLockKey});", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new MigrationTurn(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Any fixed number: the lock only has to be the same for every instance of the cloud.</summary>
    private const long MigrationLockKey = 0x4458_5343_4845_4D41; // "DXSCHEMA"

    private sealed class MigrationTurn(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using (var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLockKey});", connection))
                await command.ExecuteNonQueryAsync();
            await connection.DisposeAsync();
        }
    }

    protected override async Task<DbConnection> OpenRawAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _dataSource.Dispose();
        base.Dispose(disposing);
    }
}
