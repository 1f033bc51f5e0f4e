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

    public override string Location { get; }

    /// <summary>The pooled data source, for what only Npgsql can do (binary COPY into the telemetry tables).</summary>
    public NpgsqlDataSource DataSource => _dataSource;

    protected override string MigrationConnectionString => _connectionString;

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        (NpgsqlConnection)await OpenConnectionAsync(cancellationToken);

    protected override async Task<DbConnection> OpenRawAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _dataSource.Dispose();
        base.Dispose(disposing);
    }
}
