using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Devices;

/// <summary>
/// A real database (SQLite file or PostgreSQL) with the cloud's schema, and rows of the current-state tables written
/// directly: for query tests that need many devices in exact states without running ingestion.
/// </summary>
internal sealed class FleetDatabase : IAsyncDisposable
{
    private readonly TestDatabase _database;
    private readonly ConnectionFactory _connections;

    private FleetDatabase(TestDatabase database)
    {
        _database = database;
        _connections = database.CreateConnections();
        Database = new Database(_connections);
        Devices = new DeviceStore(Database);
        History = new FleetHistoryStore(Database);
    }

    public static async Task<FleetDatabase> CreateAsync(StorageProvider engine) => new(await TestDatabase.CreateAsync(engine));

    public Database Database { get; }

    public IDeviceStore Devices { get; }

    public IFleetHistoryStore History { get; }

    public async Task AddDeviceAsync(
        string id, string model = "M", string serial = "", string firmware = "", string health = "unknown",
        bool online = false, long? lastSeenMs = null, params (string Code, string Condition, Severity Severity)[] conditions)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await Database.BeginAsync(ct);
        await db.ExecuteAsync("""
            INSERT INTO devices (id, model, serial, firmware, health, online, last_seen_ms, token_hash, token_salt, registered_at_ms)
            VALUES (@id, @model, @serial, @firmware, @health, @online, @lastSeenMs, @zero, @zero, 0);
            """, new { id, model, serial, firmware, health, online, lastSeenMs, zero = new byte[] { 0 } }, ct);
        await db.ExecuteAsync("""
            INSERT INTO active_conditions (device_id, code, condition, severity, message, since_ms)
            VALUES (@id, @Code, @Condition, @Severity, '', 0);
            """, conditions.Select(c => new { id, c.Code, c.Condition, Severity = c.Severity.ToString() }), ct);
        await db.CommitAsync(ct);
    }

    public Task ExecuteAsync(string sql) => Database.ExecuteAsync(sql, null, TestContext.Current.CancellationToken);

    /// <summary>Stores an envelope in the telemetry table as ingestion does (payload = the encoded envelope).</summary>
    public Task AddTelemetryAsync(Envelope envelope) => Database.ExecuteAsync("""
        INSERT INTO telemetry (device_id, seq, kind, device_time_ms, received_time_ms, payload)
        VALUES (@DeviceId, @seq, @kind, @DeviceTimeUnixMs, @DeviceTimeUnixMs, @payload);
        """, new { envelope.DeviceId, seq = (long)envelope.Sequence, kind = Topics.KindName(envelope.Kind!.Value), envelope.DeviceTimeUnixMs, payload = WireCodec.Encode(envelope) },
        TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        _connections.Dispose();
        await _database.DisposeAsync();
    }
}
