using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Ingestion;

internal sealed class SqliteTelemetryStore(SqliteConnectionFactory connections) : ITelemetryStore
{
    // Sequences are ulong on the wire and INTEGER (signed 64-bit) in SQLite; clock-seeded sequences stay far below
    // 2^63, and the unchecked cast round-trips anyway.
    private static long ToDb(ulong value) => unchecked((long)value);

    private static ulong FromDb(long value) => unchecked((ulong)value);

    public async Task<IReadOnlyDictionary<string, SequenceTracker>> LoadStreamsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = new Dictionary<string, (ulong? Mark, ulong? StatusSeq, List<ulong> Above)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, contiguous_mark, status_seq FROM devices WHERE contiguous_mark IS NOT NULL;";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows[reader.GetString(0)] = (
                    FromDb(reader.GetInt64(1)),
                    reader.IsDBNull(2) ? null : FromDb(reader.GetInt64(2)),
                    []);
            }
        }
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT t.device_id, t.seq FROM telemetry t JOIN devices d ON d.id = t.device_id
                WHERE d.contiguous_mark IS NOT NULL AND t.seq > d.contiguous_mark;
                """;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (rows.TryGetValue(reader.GetString(0), out var row))
                    row.Above.Add(FromDb(reader.GetInt64(1)));
            }
        }
        return rows.ToDictionary(r => r.Key, r => new SequenceTracker(r.Value.Mark, r.Value.Above, r.Value.StatusSeq));
    }

    public async Task WriteBatchAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (Microsoft.Data.Sqlite.SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);

        await using (var telemetry = connection.CreateCommand())
        await using (var events = connection.CreateCommand())
        await using (var notifications = connection.CreateCommand())
        // Problems and command results for the fix loop, update reports for the rollout scheduler: each in the same
        // transaction as the message, so neither loop can miss a stored message.
        await using (var fixInbox = new InboxWriter(connection, transaction, "fix_inbox", oneRaisePerProblem: true))
        await using (var updateInbox = new InboxWriter(connection, transaction, "update_inbox"))
        // Host reports for the host inventory (Hosts/), likewise.
        await using (var hostInbox = new InboxWriter(connection, transaction, "host_inbox"))
        {
            telemetry.Transaction = transaction;
            telemetry.CommandText = """
                INSERT OR IGNORE INTO telemetry (device_id, seq, kind, device_time_ms, received_time_ms, payload)
                VALUES ($device, $seq, $kind, $deviceTime, $received, $payload);
                """;
            var tDevice = telemetry.Parameters.Add("$device", Microsoft.Data.Sqlite.SqliteType.Text);
            var tSeq = telemetry.Parameters.Add("$seq", Microsoft.Data.Sqlite.SqliteType.Integer);
            var tKind = telemetry.Parameters.Add("$kind", Microsoft.Data.Sqlite.SqliteType.Text);
            var tDeviceTime = telemetry.Parameters.Add("$deviceTime", Microsoft.Data.Sqlite.SqliteType.Integer);
            var tReceived = telemetry.Parameters.Add("$received", Microsoft.Data.Sqlite.SqliteType.Integer);
            var tPayload = telemetry.Parameters.Add("$payload", Microsoft.Data.Sqlite.SqliteType.Blob);

            events.Transaction = transaction;
            events.CommandText = """
                INSERT OR IGNORE INTO device_events (device_id, seq, kind, code, condition, severity, message, device_time_ms, received_time_ms)
                VALUES ($device, $seq, $kind, $code, $condition, $severity, $message, $deviceTime, $received);
                """;
            var eDevice = events.Parameters.Add("$device", Microsoft.Data.Sqlite.SqliteType.Text);
            var eSeq = events.Parameters.Add("$seq", Microsoft.Data.Sqlite.SqliteType.Integer);
            var eKind = events.Parameters.Add("$kind", Microsoft.Data.Sqlite.SqliteType.Text);
            var eCode = events.Parameters.Add("$code", Microsoft.Data.Sqlite.SqliteType.Text);
            var eCondition = events.Parameters.Add("$condition", Microsoft.Data.Sqlite.SqliteType.Text);
            var eSeverity = events.Parameters.Add("$severity", Microsoft.Data.Sqlite.SqliteType.Text);
            var eMessage = events.Parameters.Add("$message", Microsoft.Data.Sqlite.SqliteType.Text);
            var eDeviceTime = events.Parameters.Add("$deviceTime", Microsoft.Data.Sqlite.SqliteType.Integer);
            var eReceived = events.Parameters.Add("$received", Microsoft.Data.Sqlite.SqliteType.Integer);

            // A problem raised on a paired device notifies its owner in the same transaction as the event itself, so
            // a crash can never keep the event and lose the notification (or the reverse).
            notifications.Transaction = transaction;
            notifications.CommandText = """
                INSERT OR IGNORE INTO notifications (account_id, device_id, seq, code, condition, severity, message, created_at_ms)
                SELECT account_id, $device, $seq, $code, $condition, $severity, $message, $received
                FROM device_owners WHERE device_id = $device;
                """;
            var nDevice = notifications.Parameters.Add("$device", Microsoft.Data.Sqlite.SqliteType.Text);
            var nSeq = notifications.Parameters.Add("$seq", Microsoft.Data.Sqlite.SqliteType.Integer);
            var nCode = notifications.Parameters.Add("$code", Microsoft.Data.Sqlite.SqliteType.Text);
            var nCondition = notifications.Parameters.Add("$condition", Microsoft.Data.Sqlite.SqliteType.Text);
            var nSeverity = notifications.Parameters.Add("$severity", Microsoft.Data.Sqlite.SqliteType.Text);
            var nMessage = notifications.Parameters.Add("$message", Microsoft.Data.Sqlite.SqliteType.Text);
            var nReceived = notifications.Parameters.Add("$received", Microsoft.Data.Sqlite.SqliteType.Integer);

            foreach (var message in batch.Messages)
            {
                var envelope = message.Envelope;
                tDevice.Value = envelope.DeviceId;
                tSeq.Value = ToDb(envelope.Sequence);
                tKind.Value = Topics.KindName(message.Kind);
                tDeviceTime.Value = envelope.DeviceTimeUnixMs;
                tReceived.Value = message.ReceivedAt.ToUnixTimeMilliseconds();
                tPayload.Value = message.Payload;
                var stored = await telemetry.ExecuteNonQueryAsync(cancellationToken) == 1;

                // Only a message stored now, never a re-delivery of one stored before: the loop acts once per message.
                if (stored && (envelope.CommandResult is not null
                    || envelope.Event is { Kind: EventKind.Raised } raised && DeviceHealthRules.IsProblem(raised.Severity, raised.Condition)))
                    await fixInbox.AddAsync(message, cancellationToken);
                if (stored && envelope.UpdateReport is not null)
                    await updateInbox.AddAsync(message, cancellationToken);
                if (stored && envelope.HostReport is not null)
                    await hostInbox.AddAsync(message, cancellationToken);

                if (envelope.Event is { } e)
                {
                    eDevice.Value = envelope.DeviceId;
                    eSeq.Value = ToDb(envelope.Sequence);
                    eKind.Value = e.Kind.ToString();
                    eCode.Value = e.Code;
                    eCondition.Value = e.Condition;
                    eSeverity.Value = e.Severity.ToString();
                    eMessage.Value = e.Message;
                    eDeviceTime.Value = envelope.DeviceTimeUnixMs;
                    eReceived.Value = message.ReceivedAt.ToUnixTimeMilliseconds();
                    await events.ExecuteNonQueryAsync(cancellationToken);

                    if (e.Kind == EventKind.Raised && DeviceHealthRules.IsProblem(e.Severity, e.Condition))
                    {
                        nDevice.Value = envelope.DeviceId;
                        nSeq.Value = ToDb(envelope.Sequence);
                        nCode.Value = e.Code;
                        nCondition.Value = e.Condition;
                        // What the owner is told weighs the problem; the stored event keeps the device's own severity.
                        nSeverity.Value = DeviceHealthRules.Weight(e.Severity, e.Condition).ToString();
                        nMessage.Value = e.Message;
                        nReceived.Value = message.ReceivedAt.ToUnixTimeMilliseconds();
                        await notifications.ExecuteNonQueryAsync(cancellationToken);
                    }
                }
            }
        }

        foreach (var device in batch.Devices)
            await UpdateDeviceAsync(connection, transaction, device, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task UpdateDeviceAsync(
        Microsoft.Data.Sqlite.SqliteConnection connection,
        Microsoft.Data.Sqlite.SqliteTransaction transaction,
        DeviceUpdate device,
        CancellationToken cancellationToken)
    {
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            // A message says the device is there only if it came after the broker last saw it connect or go away
            // (presence_at_ms): one stored late, after a disconnect, must not set it online again.
            command.CommandText = """
                UPDATE devices SET contiguous_mark = $mark, last_seen_ms = MAX(COALESCE(last_seen_ms, 0), $seen),
                    online = CASE WHEN presence_at_ms IS NULL OR $seen > presence_at_ms THEN 1 ELSE online END,
                    heartbeat_interval_s = COALESCE($interval, heartbeat_interval_s),
                    pairing_code = COALESCE($pairingCode, pairing_code)
                WHERE id = $id;
                """;
            command.Parameters.AddWithValue("$id", device.DeviceId);
            command.Parameters.AddWithValue("$mark", ToDb(device.Mark));
            command.Parameters.AddWithValue("$seen", device.LastSeen.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$interval", (object?)device.HeartbeatIntervalSeconds ?? DBNull.Value);
            command.Parameters.AddWithValue("$pairingCode", (object?)device.PairingCode ?? DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        if (device.Status is not { } current)
            return;

        var status = current.Status;
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE devices SET
                    model = CASE WHEN $model = '' THEN model ELSE $model END,
                    serial = $serial, firmware = $firmware, state = $state, state_message = $stateMessage,
                    health = $health, status_seq = $seq, status_blob = $blob
                WHERE id = $id;
                DELETE FROM active_conditions WHERE device_id = $id;
                """;
            command.Parameters.AddWithValue("$id", device.DeviceId);
            command.Parameters.AddWithValue("$model", status.Model);
            command.Parameters.AddWithValue("$serial", status.Serial);
            command.Parameters.AddWithValue("$firmware", status.FirmwareVersion);
            command.Parameters.AddWithValue("$state", status.State.ToString());
            command.Parameters.AddWithValue("$stateMessage", status.StateMessage);
            command.Parameters.AddWithValue("$health", current.Health.ToStorage());
            command.Parameters.AddWithValue("$seq", ToDb(current.Sequence));
            command.Parameters.AddWithValue("$blob", WireCodec.Encode(status));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        if (status.Conditions.Count == 0)
            return;
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR REPLACE INTO active_conditions (device_id, code, condition, severity, message, since_ms)
                VALUES ($id, $code, $condition, $severity, $message, $since);
                """;
            command.Parameters.AddWithValue("$id", device.DeviceId);
            var code = command.Parameters.Add("$code", Microsoft.Data.Sqlite.SqliteType.Text);
            var condition = command.Parameters.Add("$condition", Microsoft.Data.Sqlite.SqliteType.Text);
            var severity = command.Parameters.Add("$severity", Microsoft.Data.Sqlite.SqliteType.Text);
            var message = command.Parameters.Add("$message", Microsoft.Data.Sqlite.SqliteType.Text);
            var since = command.Parameters.Add("$since", Microsoft.Data.Sqlite.SqliteType.Integer);
            foreach (var active in status.Conditions)
            {
                // A condition without a code is still worth showing; key it by its normalized name.
                code.Value = active.Code.Length > 0 ? active.Code : active.Condition;
                condition.Value = active.Condition;
                severity.Value = active.Severity.ToString();
                message.Value = active.Message;
                since.Value = active.SinceUnixMs;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    /// <summary>Leaves stored messages in one of the loops' inboxes (<c>fix_inbox</c>, <c>update_inbox</c>, <c>host_inbox</c>: the same columns).</summary>
    private sealed class InboxWriter : IAsyncDisposable
    {
        private readonly Microsoft.Data.Sqlite.SqliteCommand _insert;
        private readonly Microsoft.Data.Sqlite.SqliteParameter _device, _seq, _envelope, _received;
        private readonly Microsoft.Data.Sqlite.SqliteParameter? _problem;

        /// <param name="oneRaisePerProblem">
        /// For the fix loop: only what can still lead somewhere. A raise of a problem whose earlier raise still waits in
        /// the inbox is not added (the loop would find the first one's fix under way and drop it), so a flapping sensor
        /// under load does not pile up work the loop can only throw away.
        /// </param>
        public InboxWriter(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction transaction, string table, bool oneRaisePerProblem = false)
        {
            _insert = connection.CreateCommand();
            _insert.Transaction = transaction;
            _insert.CommandText = oneRaisePerProblem
                ? $"""
                    INSERT OR IGNORE INTO {table} (device_id, seq, envelope, received_at_ms, problem)
                    SELECT $device, $seq, $envelope, $received, $problem
                    WHERE $problem IS NULL OR NOT EXISTS (SELECT 1 FROM {table} WHERE device_id = $device AND problem = $problem);
                    """
                : $"INSERT OR IGNORE INTO {table} (device_id, seq, envelope, received_at_ms) VALUES ($device, $seq, $envelope, $received);";
            _device = _insert.Parameters.Add("$device", Microsoft.Data.Sqlite.SqliteType.Text);
            _seq = _insert.Parameters.Add("$seq", Microsoft.Data.Sqlite.SqliteType.Integer);
            _envelope = _insert.Parameters.Add("$envelope", Microsoft.Data.Sqlite.SqliteType.Blob);
            _received = _insert.Parameters.Add("$received", Microsoft.Data.Sqlite.SqliteType.Integer);
            if (oneRaisePerProblem)
                _problem = _insert.Parameters.Add("$problem", Microsoft.Data.Sqlite.SqliteType.Text);
        }

        public async Task AddAsync(AcceptedUplink message, CancellationToken cancellationToken)
        {
            _device.Value = message.Envelope.DeviceId;
            _seq.Value = ToDb(message.Envelope.Sequence);
            _envelope.Value = message.Payload;
            _received.Value = message.ReceivedAt.ToUnixTimeMilliseconds();
            if (_problem is not null)
            {
                _problem.Value = message.Envelope.Event is { } raised && (raised.Code.Length > 0 ? raised.Code : raised.Condition) is { Length: > 0 } problem
                    ? problem : DBNull.Value;
            }
            await _insert.ExecuteNonQueryAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => _insert.DisposeAsync();
    }
}
