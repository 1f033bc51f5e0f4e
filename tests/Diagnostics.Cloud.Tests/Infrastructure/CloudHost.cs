using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Dapper;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>
/// The real cloud host: HTTP in memory, the MQTT broker on a free TCP port, its store in a temp SQLite file or (with
/// <c>engine: PostgreSQL</c>) a database of its own on the test run's PostgreSQL server.
/// </summary>
public sealed class CloudHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _time;
    private readonly bool _ownsDatabase;
    private readonly Action<IServiceCollection>? _services;

    /// <param name="services">Replaces services after the host's own (a store wrapped to hold a write back, say).</param>
    /// <param name="database">A database the test keeps across hosts (a restart); otherwise the host makes and drops its own.</param>
    public CloudHost(
        string? databasePath = null, IDictionary<string, string?>? settings = null, TimeProvider? time = null, Action<IServiceCollection>? services = null,
        StorageProvider engine = StorageProvider.Sqlite, TestDatabase? database = null)
    {
        _services = services;
        // A caller's path or database outlives the host; one made here is the host's to remove.
        _ownsDatabase = databasePath is null && database is null;
        // The constructor is synchronous (as the factory's own start is); the PostgreSQL database is made off this thread.
        Database = database ?? Task.Run(() => TestDatabase.CreateAsync(engine, databasePath)).GetAwaiter().GetResult();
        DatabasePath = Database.Path;
        BrokerPort = FreePort.Next();
        _time = time;
        _settings = new Dictionary<string, string?>(Database.Settings)
        {
            ["Broker:Port"] = BrokerPort.ToString(),
            // MQTT over TLS on a free port, with development certificates made beside the database.
            ["Broker:TlsPort"] = "0",
            ["Broker:BindAddress"] = "127.0.0.1",
            ["Ingestion:BatchSize"] = "100",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            _settings[key] = value;
    }

    public TestDatabase Database { get; }

    public string DatabasePath { get; }

    public int BrokerPort { get; }

    /// <summary>The MQTT over TLS port (starts the host).</summary>
    public int BrokerTlsPort => Services.GetRequiredService<EmbeddedBroker>().TlsPort;

    /// <summary>The development CA the broker's certificate chains to (starts the host).</summary>
    public string DevelopmentCaPath => Services.GetRequiredService<Diagnostics.Cloud.Certificates.ServerCertificate>().DevelopmentCaPath!;

    public ConcurrentQueue<LogEntry> Logs { get; } = new();

    public CloudMetrics Metrics => Services.GetRequiredService<CloudMetrics>();

    public DeviceRegistry Registry => Services.GetRequiredService<DeviceRegistry>();

    /// <summary>Starts the host (if needed) and registers a device, returning its token.</summary>
    public async Task<string> RegisterAsync(string deviceId, string model = "TestModel")
    {
        var result = await Registry.RegisterAsync(deviceId, model, TestContext.Current.CancellationToken);
        Assert.True(result.IsSuccess, $"registration of {deviceId} failed: {result.Error}");
        return result.Device!.Token;
    }

    public async Task<DeviceClient> ConnectDeviceAsync(string deviceId, string? model = null)
    {
        var token = await RegisterAsync(deviceId, model ?? "TestModel");
        return await DeviceClient.ConnectAsync(BrokerPort, deviceId, token);
    }

    /// <summary>Telemetry rows stored for a device, read straight from the database.</summary>
    public async Task<List<ulong>> StoredSequencesAsync(string deviceId)
    {
        await using var connection = await Database.OpenAsync();
        var rows = await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT seq FROM telemetry WHERE device_id = @deviceId ORDER BY seq;", new { deviceId }, cancellationToken: TestContext.Current.CancellationToken));
        return [.. rows.Select(s => unchecked((ulong)s))];
    }

    public async Task<long> TotalTelemetryRowsAsync()
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM telemetry;", cancellationToken: TestContext.Current.CancellationToken));
    }

    public const string TestPassword = "test-password-123";

    /// <summary>A new account of that role, and an HTTP client signed in as it (the cookie is kept by the client).</summary>
    public async Task<HttpClient> SignedInClientAsync(AccountRole role = AccountRole.Admin, string? email = null)
    {
        var ct = TestContext.Current.CancellationToken;
        email ??= $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@tests.test";
        var (_, error) = await Services.GetRequiredService<AccountService>().CreateAsync(email, $"Test {role}", role, TestPassword, ct);
        Assert.Equal(AccountCreationError.None, error);
        var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password = TestPassword }, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return client;
    }

    /// <summary>A new account of that role, signed in; returns its <c>Cookie</c> header for clients that are not HttpClients (SignalR).</summary>
    public async Task<string> SignedInCookieAsync(AccountRole role)
    {
        var ct = TestContext.Current.CancellationToken;
        var email = $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@tests.test";
        var (_, error) = await Services.GetRequiredService<AccountService>().CreateAsync(email, $"Test {role}", role, TestPassword, ct);
        Assert.Equal(AccountCreationError.None, error);
        var client = CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password = TestPassword }, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AccountsExtensions.CookieName + "=", StringComparison.Ordinal));
        return cookie.Split(';')[0];
    }

    /// <summary>
    /// Serves HTTP with Kestrel on a free loopback port instead of in memory, so requests arrive over real sockets with
    /// their real client addresses (see <see cref="LoopbackClients"/>). Call before anything starts the host.
    /// </summary>
    public Uri ServeOverTcp()
    {
        var port = FreePort.Next();
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        StartServer();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>Set by a test that provokes an error on purpose; otherwise any error log fails the test (MQTTnet's habit).</summary>
    public bool ErrorsExpected { get; set; }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDatabase)
            await Database.DisposeAsync();
        var errors = Logs.Where(l => l.Level >= LogLevel.Error).ToList();
        if (!ErrorsExpected && errors.Count > 0)
            Assert.Fail("Unexpected error logs:\n" + string.Join("\n", errors.Select(e => $"[{e.Category} {e.EventId}] {e.Message}")));
    }

    public bool Logged(int eventId, string contains) =>
        Logs.Any(l => l.EventId == eventId && l.Message.Contains(contains, StringComparison.Ordinal));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(new ListLoggerProvider(Logs)));
        if (_time is not null)
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(_time)));
        if (_services is not null)
            builder.ConfigureServices(_services);
    }

    public static string TempDatabasePath()
    {
        var directory = Path.Combine(Path.GetTempPath(), "dx-cloud-tests", Guid.NewGuid().ToString("N"));
        return Path.Combine(directory, "diagnostics.db");
    }
}

public sealed record LogEntry(string Category, LogLevel Level, int EventId, string Message)
{
    /// <summary>When it was logged (the system clock).</summary>
    public DateTimeOffset At { get; init; } = DateTimeOffset.UtcNow;
}

internal sealed class ListLoggerProvider(ConcurrentQueue<LogEntry> entries) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new ListLogger(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class ListLogger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                entries.Enqueue(new LogEntry(category, logLevel, eventId.Id, formatter(state, exception) + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")));
        }
    }
}
