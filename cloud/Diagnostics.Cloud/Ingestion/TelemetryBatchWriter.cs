using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Messaging;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>
/// The ingestion hot path: writes one batch of uplinks, and the device state they leave, in one SQLite transaction on a
/// connection of its own, through statements prepared once and kept (SQLite's own API, bound by position). Profiled
/// under the ingest load run, the ADO.NET layer cost more than SQLite itself: every command execution opened a data
/// reader, looked each parameter up by name, and a per-device command was prepared again for every device of every
/// batch. The SQL and what is written are unchanged. Each stored uplink goes, in the same transaction, to every
/// capability that takes uplinks (<see cref="IStoredUplinkHandOff"/>: the fix, update and host inboxes, the owners'
/// notifications), through statements each capability prepares on this connection and owns.
/// </summary>
/// <remarks>
/// Durability is unchanged too: the connection comes from <see cref="SqliteConnectionFactory"/> with
/// <c>synchronous=FULL</c>, so the commit is on disk before <see cref="WriteAsync"/> returns and the pipeline acks.
/// Not thread-safe: the pipeline's one loop calls it (the store serializes callers). After any failure the transaction
/// is rolled back and the connection dropped, so the next batch starts on a fresh one.
/// </remarks>
internal sealed class TelemetryBatchWriter : IAsyncDisposable
{
    private const string InsertTelemetry = """
        INSERT OR IGNORE INTO telemetry (device_id, seq, kind, device_time_ms, received_time_ms, payload)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6);
        """;

    private const string InsertEvent = """
        INSERT OR IGNORE INTO device_events (device_id, seq, kind, code, condition, severity, message, device_time_ms, received_time_ms)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9);
        """;

    // A message says the device is there only if it came after the broker last saw it connect or go away
    // (presence_at_ms): one stored late, after a disconnect, must not set it online again.
    private const string UpdateDevice = """
        UPDATE devices SET contiguous_mark = ?2, last_seen_ms = MAX(COALESCE(last_seen_ms, 0), ?3),
            online = CASE WHEN presence_at_ms IS NULL OR ?3 > presence_at_ms THEN 1 ELSE online END,
            heartbeat_interval_s = COALESCE(?4, heartbeat_interval_s),
            pairing_code = COALESCE(?5, pairing_code)
        WHERE id = ?1;
        """;

    private const string UpdateStatus = """
        UPDATE devices SET
            model = CASE WHEN ?2 = '' THEN model ELSE ?2 END,
            serial = ?3, firmware = ?4, state = ?5, state_message = ?6,
            health = ?7, status_seq = ?8, status_blob = ?9
        WHERE id = ?1;
        """;

    private const string DeleteConditions = "DELETE FROM active_conditions WHERE device_id = ?1;";

    private const string InsertCondition = """
        INSERT OR REPLACE INTO active_conditions (device_id, code, condition, severity, message, since_ms)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6);
        """;

    private readonly SqliteConnectionFactory _connections;
    private readonly IReadOnlyList<IStoredUplinkHandOff> _handOffs;
    private Prepared? _prepared;

    public TelemetryBatchWriter(SqliteConnectionFactory connections, IEnumerable<IStoredUplinkHandOff> handOffs)
    {
        _connections = connections;
        _handOffs = [.. handOffs];
    }

    public async Task WriteAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        var prepared = _prepared ??= await Prepared.OpenAsync(_connections, _handOffs, cancellationToken);
        try
        {
            prepared.Write(batch);
        }
        catch
        {
            _prepared = null;
            await prepared.DiscardAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _prepared, null) is { } prepared)
            await prepared.DisposeAsync();
    }

    // Sequences are ulong on the wire and INTEGER (signed 64-bit) in SQLite; clock-seeded sequences stay far below
    // 2^63, and the unchecked cast round-trips anyway.
    private static long ToDb(ulong value) => unchecked((long)value);

    /// <summary>One connection and its prepared statements (the capabilities' too), finalized before the connection goes back to the pool.</summary>
    private sealed class Prepared : IAsyncDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly List<IDisposable> _all = [];
        private readonly SqlitePreparedStatement _telemetry, _event, _device, _status, _deleteConditions, _condition;
        private readonly IStoredUplinkWriter[] _handOffs;

        private Prepared(SqliteConnection connection, IReadOnlyList<IStoredUplinkHandOff> handOffs)
        {
            _connection = connection;
            try
            {
                _telemetry = Prepare(InsertTelemetry);
                _event = Prepare(InsertEvent);
                _device = Prepare(UpdateDevice);
                _status = Prepare(UpdateStatus);
                _deleteConditions = Prepare(DeleteConditions);
                _condition = Prepare(InsertCondition);
                _handOffs = new IStoredUplinkWriter[handOffs.Count];
                for (var i = 0; i < handOffs.Count; i++)
                {
                    _handOffs[i] = handOffs[i].Prepare(connection);
                    _all.Add(_handOffs[i]);
                }
            }
            catch
            {
                DisposeStatements();
                throw;
            }
        }

        public static async Task<Prepared> OpenAsync(SqliteConnectionFactory connections, IReadOnlyList<IStoredUplinkHandOff> handOffs, CancellationToken cancellationToken)
        {
            var connection = await connections.OpenAsync(cancellationToken);
            try
            {
                return new Prepared(connection, handOffs);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        public void Write(TelemetryBatch batch)
        {
            // IMMEDIATE: take the write lock up front (waiting out the busy timeout), not halfway through the batch.
            SqlitePreparedStatement.Run(_connection, "BEGIN IMMEDIATE;");
            try
            {
                foreach (var message in batch.Messages)
                    WriteMessage(message);
                foreach (var device in batch.Devices)
                    WriteDevice(device);
                SqlitePreparedStatement.Run(_connection, "COMMIT;");
            }
            catch
            {
                // Nothing of the batch stays; the caller drops this connection as well.
                try
                {
                    SqlitePreparedStatement.Run(_connection, "ROLLBACK;");
                }
                catch (SqliteException)
                {
                    // SQLite may have rolled back already (the failure's own error is the one reported).
                }
                throw;
            }
        }

        private void WriteMessage(AcceptedUplink message)
        {
            var envelope = message.Envelope;
            var device = envelope.DeviceId;
            var seq = ToDb(envelope.Sequence);
            var received = message.ReceivedAt.ToUnixTimeMilliseconds();

            _telemetry.Bind(1, device);
            _telemetry.Bind(2, seq);
            _telemetry.Bind(3, Topics.KindName(message.Kind));
            _telemetry.Bind(4, envelope.DeviceTimeUnixMs);
            _telemetry.Bind(5, received);
            _telemetry.Bind(6, message.Payload);
            // Only a message stored now, never a re-delivery of one stored before: the capabilities act once per message,
            // in the same transaction as the message, so none can miss a stored one.
            if (_telemetry.Execute() == 1)
            {
                var stored = new StoredUplink(envelope, message.Payload, message.ReceivedAt);
                foreach (var handOff in _handOffs)
                    handOff.Write(stored);
            }

            if (envelope.Event is not { } e)
                return;
            _event.Bind(1, device);
            _event.Bind(2, seq);
            _event.Bind(3, e.Kind.ToString());
            _event.Bind(4, e.Code);
            _event.Bind(5, e.Condition);
            _event.Bind(6, e.Severity.ToString());
            _event.Bind(7, e.Message);
            _event.Bind(8, envelope.DeviceTimeUnixMs);
            _event.Bind(9, received);
            _event.Execute();
        }

        private void WriteDevice(DeviceUpdate device)
        {
            _device.Bind(1, device.DeviceId);
            _device.Bind(2, ToDb(device.Mark));
            _device.Bind(3, device.LastSeen.ToUnixTimeMilliseconds());
            _device.BindOrNull(4, device.HeartbeatIntervalSeconds);
            _device.BindOrNull(5, device.PairingCode);
            _device.Execute();

            if (device.Status is not { } current)
                return;
            var status = current.Status;
            _status.Bind(1, device.DeviceId);
            _status.Bind(2, status.Model);
            _status.Bind(3, status.Serial);
            _status.Bind(4, status.FirmwareVersion);
            _status.Bind(5, status.State.ToString());
            _status.Bind(6, status.StateMessage);
            _status.Bind(7, current.Health.ToStorage());
            _status.Bind(8, ToDb(current.Sequence));
            _status.Bind(9, WireCodec.Encode(status));
            _status.Execute();
            _deleteConditions.Bind(1, device.DeviceId);
            _deleteConditions.Execute();
            foreach (var active in status.Conditions)
            {
                _condition.Bind(1, device.DeviceId);
                // A condition without a code is still worth showing; key it by its normalized name.
                _condition.Bind(2, active.Code.Length > 0 ? active.Code : active.Condition);
                _condition.Bind(3, active.Condition);
                _condition.Bind(4, active.Severity.ToString());
                _condition.Bind(5, active.Message);
                _condition.Bind(6, active.SinceUnixMs);
                _condition.Execute();
            }
        }

        private SqlitePreparedStatement Prepare(string sql)
        {
            var statement = new SqlitePreparedStatement(_connection, sql);
            _all.Add(statement);
            return statement;
        }

        private void DisposeStatements()
        {
            foreach (var statement in _all)
                statement.Dispose();
            _all.Clear();
        }

        public async ValueTask DisposeAsync()
        {
            DisposeStatements();
            await _connection.DisposeAsync();
        }

        /// <summary>After a failure: the connection is closed for good instead of going back to the pool in an unknown state.</summary>
        public async ValueTask DiscardAsync()
        {
            SqliteConnection.ClearPool(_connection);
            await DisposeAsync();
        }
    }
}
