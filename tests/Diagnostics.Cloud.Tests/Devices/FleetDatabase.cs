using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Tests.Devices;

/// <summary>
/// A real SQLite file with the cloud's schema, and rows of the current-state tables written directly: for query tests
/// that need many devices in exact states without running ingestion.
/// </summary>
internal sealed class FleetDatabase : IAsyncDisposable
{
    private readonly string _path = CloudHost.TempDatabasePath();

    public FleetDatabase()
    {
        Connections = new SqliteConnectionFactory(Options.Create(new StorageOptions { Path = _path }));
        Devices = new SqliteDeviceStore(Connections);
        History = new FleetHistoryStore(new Database(Connections));
    }

    public SqliteConnectionFactory Connections { get; }

    public IDeviceStore Devices { get; }

    public IFleetHistoryStore History { get; }

    public async Task AddDeviceAsync(
        string id, string model = "M", string serial = "", string firmware = "", string health = "unknown",
        bool online = false, long? lastSeenMs = null, params (string Code, string Condition, Severity Severity)[] conditions)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = await Connections.OpenAsync(ct);
        await using var device = connection.CreateCommand();
        device.CommandText = """
            INSERT INTO devices (id, model, serial, firmware, health, online, last_seen_ms, token_hash, token_salt, registered_at_ms)
            VALUES ($id, $model, $serial, $firmware, $health, $online, $lastSeen, x'00', x'00', 0);
            """;
        device.Parameters.AddWithValue("$id", id);
        device.Parameters.AddWithValue("$model", model);
        device.Parameters.AddWithValue("$serial", serial);
        device.Parameters.AddWithValue("$firmware", firmware);
        device.Parameters.AddWithValue("$health", health);
        device.Parameters.AddWithValue("$online", online ? 1 : 0);
        device.Parameters.AddWithValue("$lastSeen", (object?)lastSeenMs ?? DBNull.Value);
        await device.ExecuteNonQueryAsync(ct);
        foreach (var (code, condition, severity) in conditions)
        {
            await using var active = connection.CreateCommand();
            active.CommandText = """
                INSERT INTO active_conditions (device_id, code, condition, severity, message, since_ms)
                VALUES ($id, $code, $condition, $severity, '', 0);
                """;
            active.Parameters.AddWithValue("$id", id);
            active.Parameters.AddWithValue("$code", code);
            active.Parameters.AddWithValue("$condition", condition);
            active.Parameters.AddWithValue("$severity", severity.ToString());
            await active.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await Connections.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Stores an envelope in the telemetry table as ingestion does (payload = the encoded envelope).</summary>
    public async Task AddTelemetryAsync(Envelope envelope)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = await Connections.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO telemetry (device_id, seq, kind, device_time_ms, received_time_ms, payload)
            VALUES ($id, $seq, $kind, $at, $at, $payload);
            """;
        command.Parameters.AddWithValue("$id", envelope.DeviceId);
        command.Parameters.AddWithValue("$seq", (long)envelope.Sequence);
        command.Parameters.AddWithValue("$kind", Topics.KindName(envelope.Kind!.Value));
        command.Parameters.AddWithValue("$at", envelope.DeviceTimeUnixMs);
        command.Parameters.AddWithValue("$payload", WireCodec.Encode(envelope));
        await command.ExecuteNonQueryAsync(ct);
    }

    public ValueTask DisposeAsync()
    {
        Connections.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory is harmless.
        }
        return ValueTask.CompletedTask;
    }
}
