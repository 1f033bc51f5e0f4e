using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>
/// The ingestion hot path: writes one batch of uplinks, and the device state they leave, in one SQLite transaction on a
/// connection of its own, through statements prepared once and kept (SQLite's own API, bound by position). Profiled
/// under the ingest load run, the ADO.NET layer cost more than SQLite itself: every command execution opened a data
/// reader, looked each parameter up by name, and a per-device command was prepared again for every device of every
/// batch. The SQL and what is written are unchanged.
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

    // A problem raised on a paired device notifies its owner in the same transaction as the event itself, so a crash
    // can never keep the event and lose the notification (or the reverse). One unread notification per device and
    // problem: a jam that comes back before the owner read about the first is not a second alert.
    private const string InsertNotification = """
        INSERT OR IGNORE INTO notifications (account_id, device_id, seq, code, condition, severity, message, created_at_ms)
        SELECT o.account_id, ?1, ?2, ?3, ?4, ?5, ?6, ?7
        FROM device_owners o WHERE o.device_id = ?1
          AND NOT EXISTS (SELECT 1 FROM notifications n
                          WHERE n.account_id = o.account_id AND n.device_id = ?1 AND n.code = ?3 AND n.read_at_ms IS NULL);
        """;

    // For the fix loop, only what can still lead somewhere: a raise of a problem whose earlier raise still waits in the
    // inbox is not added (the loop would find the first one's fix under way and drop it), so a flapping sensor under
    // load does not pile up work the loop can only throw away.
    private const string InsertFixInbox = """
        INSERT OR IGNORE INTO fix_inbox (device_id, seq, envelope, received_at_ms, problem)
        SELECT ?1, ?2, ?3, ?4, ?5
        WHERE ?5 IS NULL OR NOT EXISTS (SELECT 1 FROM fix_inbox WHERE device_id = ?1 AND problem = ?5);
        """;

    private const string InsertUpdateInbox = "INSERT OR IGNORE INTO update_inbox (device_id, seq, envelope, received_at_ms) VALUES (?1, ?2, ?3, ?4);";

    private const string InsertHostInbox = "INSERT OR IGNORE INTO host_inbox (device_id, seq, envelope, received_at_ms) VALUES (?1, ?2, ?3, ?4);";

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
    private Prepared? _prepared;

    public TelemetryBatchWriter(SqliteConnectionFactory connections) => _connections = connections;

    public async Task WriteAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        var prepared = _prepared ??= await Prepared.OpenAsync(_connections, cancellationToken);
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

    /// <summary>One connection and its prepared statements, finalized before the connection goes back to the pool.</summary>
    private sealed class Prepared : IAsyncDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly sqlite3 _db;
        private readonly List<sqlite3_stmt> _all = [];
        private readonly sqlite3_stmt _telemetry, _event, _notification, _fixInbox, _updateInbox, _hostInbox, _device, _status, _deleteConditions, _condition;

        private Prepared(SqliteConnection connection)
        {
            _connection = connection;
            _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
            _telemetry = Prepare(InsertTelemetry);
            _event = Prepare(InsertEvent);
            _notification = Prepare(InsertNotification);
            _fixInbox = Prepare(InsertFixInbox);
            _updateInbox = Prepare(InsertUpdateInbox);
            _hostInbox = Prepare(InsertHostInbox);
            _device = Prepare(UpdateDevice);
            _status = Prepare(UpdateStatus);
            _deleteConditions = Prepare(DeleteConditions);
            _condition = Prepare(InsertCondition);
        }

        public static async Task<Prepared> OpenAsync(SqliteConnectionFactory connections, CancellationToken cancellationToken)
        {
            var connection = await connections.OpenAsync(cancellationToken);
            try
            {
                return new Prepared(connection);
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
            Check(raw.sqlite3_exec(_db, "BEGIN IMMEDIATE;"));
            try
            {
                foreach (var message in batch.Messages)
                    WriteMessage(message);
                foreach (var device in batch.Devices)
                    WriteDevice(device);
                Check(raw.sqlite3_exec(_db, "COMMIT;"));
            }
            catch
            {
                // Nothing of the batch stays; the caller drops this connection as well.
                raw.sqlite3_exec(_db, "ROLLBACK;");
                throw;
            }
        }

        private void WriteMessage(AcceptedUplink message)
        {
            var envelope = message.Envelope;
            var device = envelope.DeviceId;
            var seq = ToDb(envelope.Sequence);
            var received = message.ReceivedAt.ToUnixTimeMilliseconds();

            Bind(_telemetry, 1, device);
            raw.sqlite3_bind_int64(_telemetry, 2, seq);
            Bind(_telemetry, 3, Topics.KindName(message.Kind));
            raw.sqlite3_bind_int64(_telemetry, 4, envelope.DeviceTimeUnixMs);
            raw.sqlite3_bind_int64(_telemetry, 5, received);
            raw.sqlite3_bind_blob(_telemetry, 6, message.Payload);
            // Only a message stored now, never a re-delivery of one stored before: the loops act once per message.
            var stored = Execute(_telemetry) == 1;

            // Problems and command results for the fix loop, update reports for the rollout scheduler, host reports for the
            // host inventory (Hosts/): each in the same transaction as the message, so no loop can miss a stored message.
            if (stored && (envelope.CommandResult is not null
                || envelope.Event is { Kind: EventKind.Raised } raisedProblem && DeviceHealthRules.IsProblem(raisedProblem.Severity, raisedProblem.Condition)))
            {
                Bind(_fixInbox, 1, device);
                raw.sqlite3_bind_int64(_fixInbox, 2, seq);
                raw.sqlite3_bind_blob(_fixInbox, 3, message.Payload);
                raw.sqlite3_bind_int64(_fixInbox, 4, received);
                if (envelope.Event is { } raised && (raised.Code.Length > 0 ? raised.Code : raised.Condition) is { Length: > 0 } problem)
                    Bind(_fixInbox, 5, problem);
                else
                    raw.sqlite3_bind_null(_fixInbox, 5);
                Execute(_fixInbox);
            }
            if (stored && envelope.UpdateReport is not null)
                AddToInbox(_updateInbox, device, seq, message.Payload, received);
            if (stored && envelope.HostReport is not null)
                AddToInbox(_hostInbox, device, seq, message.Payload, received);

            if (envelope.Event is not { } e)
                return;
            Bind(_event, 1, device);
            raw.sqlite3_bind_int64(_event, 2, seq);
            Bind(_event, 3, e.Kind.ToString());
            Bind(_event, 4, e.Code);
            Bind(_event, 5, e.Condition);
            Bind(_event, 6, e.Severity.ToString());
            Bind(_event, 7, e.Message);
            raw.sqlite3_bind_int64(_event, 8, envelope.DeviceTimeUnixMs);
            raw.sqlite3_bind_int64(_event, 9, received);
            Execute(_event);

            if (e.Kind != EventKind.Raised || !DeviceHealthRules.IsProblem(e.Severity, e.Condition))
                return;
            Bind(_notification, 1, device);
            raw.sqlite3_bind_int64(_notification, 2, seq);
            Bind(_notification, 3, e.Code);
            Bind(_notification, 4, e.Condition);
            // What the owner is told weighs the problem; the stored event keeps the device's own severity.
            Bind(_notification, 5, DeviceHealthRules.Weight(e.Severity, e.Condition).ToString());
            Bind(_notification, 6, e.Message);
            raw.sqlite3_bind_int64(_notification, 7, received);
            Execute(_notification);
        }

        /// <summary>The update and host inboxes have the same columns.</summary>
        private void AddToInbox(sqlite3_stmt inbox, string device, long seq, byte[] payload, long received)
        {
            Bind(inbox, 1, device);
            raw.sqlite3_bind_int64(inbox, 2, seq);
            raw.sqlite3_bind_blob(inbox, 3, payload);
            raw.sqlite3_bind_int64(inbox, 4, received);
            Execute(inbox);
        }

        private void WriteDevice(DeviceUpdate device)
        {
            Bind(_device, 1, device.DeviceId);
            raw.sqlite3_bind_int64(_device, 2, ToDb(device.Mark));
            raw.sqlite3_bind_int64(_device, 3, device.LastSeen.ToUnixTimeMilliseconds());
            if (device.HeartbeatIntervalSeconds is { } interval)
                raw.sqlite3_bind_int64(_device, 4, interval);
            else
                raw.sqlite3_bind_null(_device, 4);
            if (device.PairingCode is { } pairingCode)
                Bind(_device, 5, pairingCode);
            else
                raw.sqlite3_bind_null(_device, 5);
            Execute(_device);

            if (device.Status is not { } current)
                return;
            var status = current.Status;
            Bind(_status, 1, device.DeviceId);
            Bind(_status, 2, status.Model);
            Bind(_status, 3, status.Serial);
            Bind(_status, 4, status.FirmwareVersion);
            Bind(_status, 5, status.State.ToString());
            Bind(_status, 6, status.StateMessage);
            Bind(_status, 7, current.Health.ToStorage());
            raw.sqlite3_bind_int64(_status, 8, ToDb(current.Sequence));
            raw.sqlite3_bind_blob(_status, 9, WireCodec.Encode(status));
            Execute(_status);
            Bind(_deleteConditions, 1, device.DeviceId);
            Execute(_deleteConditions);
            foreach (var active in status.Conditions)
            {
                Bind(_condition, 1, device.DeviceId);
                // A condition without a code is still worth showing; key it by its normalized name.
                Bind(_condition, 2, active.Code.Length > 0 ? active.Code : active.Condition);
                Bind(_condition, 3, active.Condition);
                Bind(_condition, 4, active.Severity.ToString());
                Bind(_condition, 5, active.Message);
                raw.sqlite3_bind_int64(_condition, 6, active.SinceUnixMs);
                Execute(_condition);
            }
        }

        private static void Bind(sqlite3_stmt statement, int index, string value) => raw.sqlite3_bind_text(statement, index, value);

        /// <summary>Runs a bound statement to its end and answers how many rows it changed.</summary>
        private int Execute(sqlite3_stmt statement)
        {
            var rc = raw.sqlite3_step(statement);
            // Reset (and clear, so no value leaks into the next row) even when the step failed; the step's error is the one reported.
            raw.sqlite3_reset(statement);
            raw.sqlite3_clear_bindings(statement);
            if (rc != raw.SQLITE_DONE)
                SqliteException.ThrowExceptionForRC(rc, _db);
            return raw.sqlite3_changes(_db);
        }

        private sqlite3_stmt Prepare(string sql)
        {
            Check(raw.sqlite3_prepare_v2(_db, sql, out var statement));
            _all.Add(statement);
            return statement;
        }

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK)
                SqliteException.ThrowExceptionForRC(rc, _db);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var statement in _all)
                statement.Dispose();
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
