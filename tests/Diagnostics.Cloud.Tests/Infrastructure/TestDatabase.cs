using System.Data.Common;
using System.Reflection;
using Diagnostics.Cloud.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;
using Xunit.Sdk;
using Xunit.v3;

namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>
/// One test's database on the engine the test runs against: a SQLite file in a temp directory, or a database of its
/// own on the test run's one PostgreSQL server (<see cref="PostgresServer.SharedAsync"/>), copied from a template the
/// migrations ran on once, so a test pays for a file copy instead of every schema step.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private const string TemplateName = "dx_schema_template";
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static bool _templateReady;

    private readonly PostgresServer? _server;
    private readonly string? _databaseName;

    private TestDatabase(StorageProvider engine, string path, PostgresServer? server, string? databaseName, string? connectionString)
    {
        Engine = engine;
        Path = path;
        _server = server;
        _databaseName = databaseName;
        ConnectionString = connectionString;
    }

    public StorageProvider Engine { get; }

    /// <summary>The SQLite file; on PostgreSQL, still where the cloud keeps what lives beside its store (certificates, packages).</summary>
    public string Path { get; }

    /// <summary>What names this store in text the cloud shows (a health report): the file on SQLite, the database's name on PostgreSQL.</summary>
    public string Name => _databaseName ?? Path;

    /// <summary>The PostgreSQL connection string; null on SQLite.</summary>
    public string? ConnectionString { get; }

    /// <summary>The <c>Storage</c> section that points the cloud at this database.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Storage:Provider"] = Engine.ToString(),
        ["Storage:Path"] = Path,
        ["Storage:ConnectionString"] = ConnectionString ?? "",
    };

    /// <summary>The same, as command-line overrides for the CLI commands.</summary>
    public string[] CliArguments => [.. Settings.Select(s => $"--{s.Key}={s.Value}")];

    public static async Task<TestDatabase> CreateAsync(StorageProvider engine, string? path = null)
    {
        path ??= CloudHost.TempDatabasePath();
        if (engine == StorageProvider.Sqlite)
            return new TestDatabase(engine, path, null, null, null);
        var ct = TestContext.Current.CancellationToken;
        var server = await PostgresServer.SharedAsync(ct);
        await EnsureTemplateAsync(server, ct);
        var name = "t_" + Guid.NewGuid().ToString("N");
        string connectionString;
        // PostgreSQL copies a template only while no other CREATE DATABASE reads it.
        await TemplateLock.WaitAsync(ct);
        try
        {
            connectionString = await server.CreateDatabaseAsync(name, ct, TemplateName);
        }
        finally
        {
            TemplateLock.Release();
        }
        return new TestDatabase(engine, path, server, name, connectionString);
    }

    /// <summary>A connection factory of the product's own, as a host would make one.</summary>
    public ConnectionFactory CreateConnections()
    {
        var options = Options.Create(new StorageOptions { Provider = Engine, Path = Path, ConnectionString = ConnectionString ?? "" });
        return Engine == StorageProvider.PostgreSQL ? new PostgresConnectionFactory(options) : new SqliteConnectionFactory(options);
    }

    /// <summary>A connection of the test's own (unpooled), for reading what the cloud stored without going through it.</summary>
    public async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = Engine == StorageProvider.PostgreSQL
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString)
            : new SqliteConnection($"Data Source={Path};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DropDatabaseAsync(_databaseName!, CancellationToken.None);
            NpgsqlConnection.ClearAllPools();
        }
        else
        {
            SqliteConnection.ClearAllPools();
        }
        try
        {
            Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory is harmless.
        }
    }

    private static async Task EnsureTemplateAsync(PostgresServer server, CancellationToken cancellationToken)
    {
        await TemplateLock.WaitAsync(cancellationToken);
        try
        {
            if (_templateReady)
                return;
            await server.DropDatabaseAsync(TemplateName, cancellationToken);
            var connectionString = await server.CreateDatabaseAsync(TemplateName, cancellationToken);
            // Unpooled: a template must have no open connection when it is copied.
            var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
            await Task.Run(() => SchemaMigrations.MigrateUp(SqlDialect.Postgres, unpooled), cancellationToken);
            _templateReady = true;
        }
        finally
        {
            TemplateLock.Release();
        }
    }
}

/// <summary>
/// Runs a theory once on SQLite and once on PostgreSQL, passing the <see cref="StorageProvider"/> as its last
/// argument after the attribute's own values (<c>[BothEngines("a", 1)]</c>, one attribute per row, like
/// <c>InlineData</c>) or after each row of a static member of the test class (<c>[BothEngines(MemberName = nameof(Rows))]</c>,
/// like <c>MemberData</c>). Each row carries an <c>Engine</c> trait (<c>dotnet test --filter Engine=PostgreSQL</c>).
/// The PostgreSQL row fails under CI and skips elsewhere, saying what to install, when PostgreSQL is missing.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class BothEnginesAttribute(params object?[] values) : DataAttribute
{
    private static readonly StorageProvider[] Engines = [StorageProvider.Sqlite, StorageProvider.PostgreSQL];

    /// <summary>A static property, field or method of the test class whose rows each run on both engines.</summary>
    public string? MemberName { get; set; }

    public override ValueTask<IReadOnlyCollection<ITheoryDataRow>> GetData(MethodInfo testMethod, DisposalTracker disposalTracker)
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        IEnumerable<object?[]> rows = MemberName is null ? [values] : RowsOf(testMethod.DeclaringType!, MemberName);
        return new([.. rows.SelectMany(row => Engines.Select(engine =>
            (ITheoryDataRow)new TheoryDataRow([.. row, engine]).WithTrait("Engine", engine.ToString())))]);
    }

    public override bool SupportsDiscoveryEnumeration() => true;

    private static IEnumerable<object?[]> RowsOf(Type testClass, string member)
    {
        const BindingFlags Static = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.FlattenHierarchy;
        var value = testClass.GetProperty(member, Static)?.GetValue(null)
            ?? testClass.GetField(member, Static)?.GetValue(null)
            ?? testClass.GetMethod(member, Static, Type.EmptyTypes)?.Invoke(null, null)
            ?? throw new ArgumentException($"{testClass.Name} has no static member {member} with rows.", nameof(member));
        foreach (var row in (System.Collections.IEnumerable)value)
        {
            yield return row switch
            {
                ITheoryDataRow theoryRow => theoryRow.GetData(),
                object?[] array => array,
                _ => [row],
            };
        }
    }
}
