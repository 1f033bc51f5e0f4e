using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Messaging;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>
/// <see cref="ITelemetryStore"/> on PostgreSQL: the same tables and the same one transaction per batch as the SQLite
/// store, written the way PostgreSQL is fast at. Each table gets one multi-row statement for the whole batch (columns
/// sent as arrays and spread by <c>unnest</c>), <c>ON CONFLICT DO NOTHING</c> keeps a (device, sequence) once, and
/// <c>RETURNING</c> says which messages were stored now, so the capabilities that take uplinks
/// (<see cref="IStoredUplinkHandOff"/>: the fix, update and host inboxes, the owners' notifications) get only those, in
/// the same transaction, each through its own multi-row statements. Binary COPY would send the rows a little faster but
/// cannot skip a row that is already there.
/// </summary>
internal sealed class PostgresTelemetryStore(Database database, TelemetryPartitions partitions, IEnumerable<IStoredUplinkHandOff> handOffs) : ITelemetryStore
{
    private readonly IStoredUplinkHandOff[] _handOffs = [.. handOffs];

    private static long ToDb(ulong value) => unchecked((long)value);

    private static ulong FromDb(long value) => unchecked((ulong)value);

    public async Task<IReadOnlyDictionary<string, SequenceTracker>> LoadStreamsAsync(CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var devices = await db.QueryAsync<(string Id, long Mark, long? StatusSeq)>(
            "SELECT id, contiguous_mark, status_seq FROM devices WHERE contiguous_mark IS NOT NULL;", null, cancellationToken);
        var above = (await db.QueryAsync<(string DeviceId, long Seq)>("""
            SELECT t.device_id, t.seq FROM telemetry t JOIN devices d ON d.id = t.device_id
            WHERE d.contiguous_mark IS NOT NULL AND t.seq > d.contiguous_mark;
            """, null, cancellationToken)).ToLookup(r => r.DeviceId, r => FromDb(r.Seq), StringComparer.Ordinal);
        return devices.ToDictionary(
            d => d.Id,
            d => new SequenceTracker(FromDb(d.Mark), above[d.Id], d.StatusSeq is { } s ? FromDb(s) : null),
            StringComparer.Ordinal);
    }

    public async Task<IReadOnlyDictionary<string, ulong>> WriteBatchAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var messages = batch.Messages;
        // DDL stays out of the batch's transaction: a range is added once, before the first message that needs it.
        await partitions.EnsureAsync(messages.Select(m => m.Envelope.DeviceTimeUnixMs), cancellationToken);

        await using var db = await database.BeginAsync(cancellationToken);
        // Several instances may hold messages of one device at once (a shared subscription splits its stream): each
        // batch first locks its devices' rows, in one order so two batches never wait on each other, and then sees
        // everything the other instance committed for them before it works out the marks.
        await db.ExecuteAsync("SELECT 1 FROM devices WHERE id = ANY(@ids) ORDER BY id FOR UPDATE;",
            new { ids = batch.Devices.Select(d => d.DeviceId).ToArray() }, cancellationToken);
        var stored = messages.Count == 0 ? [] : (await db.QueryAsync<(string DeviceId, long Seq)>("""
            INSERT INTO telemetry (device_id, seq, kind, device_time_ms, received_time_ms, payload)
            SELECT * FROM unnest(@devices, @seqs, @kinds, @deviceTimes, @received, @payloads)
            ON CONFLICT DO NOTHING
            RETURNING device_id, seq;
            """, new
            {
                devices = messages.Select(m => m.Envelope.DeviceId).ToArray(),
                seqs = messages.Select(m => ToDb(m.Envelope.Sequence)).ToArray(),
                kinds = messages.Select(m => Topics.KindName(m.Kind)).ToArray(),
                deviceTimes = messages.Select(m => m.Envelope.DeviceTimeUnixMs).ToArray(),
                received = messages.Select(m => m.ReceivedAt.ToUnixTimeMilliseconds()).ToArray(),
                payloads = messages.Select(m => m.Payload).ToArray(),
            }, cancellationToken)).ToHashSet();
        // Only a message stored now, never a re-delivery of one stored before: the capabilities act once per message.
        var storedNow = messages.Where(m => stored.Contains((m.Envelope.DeviceId, ToDb(m.Envelope.Sequence))))
            .Select(m => new StoredUplink(m.Envelope, m.Payload, m.ReceivedAt)).ToList();
        foreach (var handOff in _handOffs)
            await handOff.HandOffAsync(db, storedNow, cancellationToken);
        await AddEventsAsync(db, [.. messages.Where(m => m.Envelope.Event is not null)], cancellationToken);
        await UpdateDevicesAsync(db, batch.Devices, cancellationToken);
        var marks = await AdvanceMarksAsync(db, batch.Devices, cancellationToken);
        await db.CommitAsync(cancellationToken);
        return marks;
    }

    /// <summary>
    /// Moves each device's mark over the sequences stored just above it, by whichever instance, and answers the marks
    /// as they will be committed. The batch's own mark is only a floor: it knows what this instance stored.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, ulong>> AdvanceMarksAsync(DbSession db, IReadOnlyList<DeviceUpdate> devices, CancellationToken cancellationToken)
    {
        if (devices.Count == 0)
            return new Dictionary<string, ulong>();
        // The run that starts at mark + 1 ends at the first stored sequence above the mark without a successor.
        var rows = await db.QueryAsync<(string Id, long Mark)>("""
            UPDATE devices d SET contiguous_mark = CASE
                WHEN EXISTS (SELECT 1 FROM telemetry t WHERE t.device_id = d.id AND t.seq = d.contiguous_mark + 1)
                THEN (SELECT min(t.seq) FROM telemetry t
                      WHERE t.device_id = d.id AND t.seq > d.contiguous_mark
                        AND NOT EXISTS (SELECT 1 FROM telemetry n WHERE n.device_id = t.device_id AND n.seq = t.seq + 1))
                ELSE d.contiguous_mark END
            WHERE d.id = ANY(@ids)
            RETURNING d.id, d.contiguous_mark;
            """, new { ids = devices.Select(d => d.DeviceId).ToArray() }, cancellationToken);
        return rows.ToDictionary(r => r.Id, r => FromDb(r.Mark), StringComparer.Ordinal);
    }

    /// <summary>Every event of the batch, with the device's own severity; a repeat is kept once.</summary>
    private static Task AddEventsAsync(DbSession db, List<AcceptedUplink> messages, CancellationToken cancellationToken) =>
        messages.Count == 0 ? Task.CompletedTask : db.ExecuteAsync("""
            INSERT INTO device_events (device_id, seq, kind, code, condition, severity, message, device_time_ms, received_time_ms)
            SELECT * FROM unnest(@devices, @seqs, @kinds, @codes, @conditions, @severities, @texts, @deviceTimes, @received)
            ON CONFLICT DO NOTHING;
            """, new
            {
                devices = messages.Select(m => m.Envelope.DeviceId).ToArray(),
                seqs = messages.Select(m => ToDb(m.Envelope.Sequence)).ToArray(),
                kinds = messages.Select(m => m.Envelope.Event!.Kind.ToString()).ToArray(),
                codes = messages.Select(m => m.Envelope.Event!.Code).ToArray(),
                conditions = messages.Select(m => m.Envelope.Event!.Condition).ToArray(),
                severities = messages.Select(m => m.Envelope.Event!.Severity.ToString()).ToArray(),
                texts = messages.Select(m => m.Envelope.Event!.Message).ToArray(),
                deviceTimes = messages.Select(m => m.Envelope.DeviceTimeUnixMs).ToArray(),
                received = messages.Select(m => m.ReceivedAt.ToUnixTimeMilliseconds()).ToArray(),
            }, cancellationToken);

    /// <summary>Each device's stream mark, presence and newest status, as the SQLite store writes them, in a few statements for the whole batch.</summary>
    private static async Task UpdateDevicesAsync(DbSession db, IReadOnlyList<DeviceUpdate> devices, CancellationToken cancellationToken)
    {
        if (devices.Count == 0)
            return;
        // A message says the device is there only if it came after the broker last saw it connect or go away
        // (presence_at_ms): one stored late, after a disconnect, must not set it online again.
        await db.ExecuteAsync("""
            UPDATE devices SET contiguous_mark = GREATEST(devices.contiguous_mark, u.mark), last_seen_ms = GREATEST(COALESCE(devices.last_seen_ms, 0), u.seen),
                online = CASE WHEN devices.presence_at_ms IS NULL OR u.seen > devices.presence_at_ms THEN TRUE ELSE devices.online END,
                heartbeat_interval_s = COALESCE(u.heartbeat_interval_s, devices.heartbeat_interval_s),
                pairing_code = COALESCE(u.pairing_code, devices.pairing_code)
            FROM unnest(@ids, @marks, @seen, @intervals, @pairingCodes) AS u(id, mark, seen, heartbeat_interval_s, pairing_code)
            WHERE devices.id = u.id;
            """, new
            {
                ids = devices.Select(d => d.DeviceId).ToArray(),
                marks = devices.Select(d => ToDb(d.Mark)).ToArray(),
                seen = devices.Select(d => d.LastSeen.ToUnixTimeMilliseconds()).ToArray(),
                intervals = devices.Select(d => (long?)d.HeartbeatIntervalSeconds).ToArray(),
                pairingCodes = devices.Select(d => d.PairingCode).ToArray(),
            }, cancellationToken);

        var statuses = devices.Where(d => d.Status is not null).ToList();
        if (statuses.Count == 0)
            return;
        // Only a status newer than the stored one: another instance may have applied a later one of the same device.
        var applied = (await db.QueryAsync<string>("""
            UPDATE devices SET
                model = CASE WHEN u.model = '' THEN devices.model ELSE u.model END,
                serial = u.serial, firmware = u.firmware, state = u.state, state_message = u.state_message,
                health = u.health, status_seq = u.seq, status_blob = u.blob
            FROM unnest(@ids, @models, @serials, @firmware, @states, @stateMessages, @health, @seqs, @blobs)
                AS u(id, model, serial, firmware, state, state_message, health, seq, blob)
            WHERE devices.id = u.id AND (devices.status_seq IS NULL OR devices.status_seq < u.seq)
            RETURNING devices.id;
            """, new
            {
                ids = statuses.Select(d => d.DeviceId).ToArray(),
                models = statuses.Select(d => d.Status!.Status.Model).ToArray(),
                serials = statuses.Select(d => d.Status!.Status.Serial).ToArray(),
                firmware = statuses.Select(d => d.Status!.Status.FirmwareVersion).ToArray(),
                states = statuses.Select(d => d.Status!.Status.State.ToString()).ToArray(),
                stateMessages = statuses.Select(d => d.Status!.Status.StateMessage).ToArray(),
                health = statuses.Select(d => d.Status!.Health.ToStorage()).ToArray(),
                seqs = statuses.Select(d => ToDb(d.Status!.Sequence)).ToArray(),
                blobs = statuses.Select(d => WireCodec.Encode(d.Status!.Status)).ToArray(),
            }, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        statuses = [.. statuses.Where(d => applied.Contains(d.DeviceId))];
        if (statuses.Count == 0)
            return;
        await db.ExecuteAsync("DELETE FROM active_conditions WHERE device_id = ANY(@ids);",
            new { ids = statuses.Select(d => d.DeviceId).ToArray() }, cancellationToken);

        // A condition without a code is still worth showing; key it by its normalized name. The last of a repeated code wins.
        var conditions = statuses
            .SelectMany(d => d.Status!.Status.Conditions.Select(c => (Device: d.DeviceId, Code: c.Code.Length > 0 ? c.Code : c.Condition, Condition: c)))
            .GroupBy(c => (c.Device, c.Code))
            .Select(g => g.Last())
            .ToList();
        if (conditions.Count == 0)
            return;
        await db.ExecuteAsync("""
            INSERT INTO active_conditions (device_id, code, condition, severity, message, since_ms)
            SELECT * FROM unnest(@devices, @codes, @conditions, @severities, @texts, @since);
            """, new
            {
                devices = conditions.Select(c => c.Device).ToArray(),
                codes = conditions.Select(c => c.Code).ToArray(),
                conditions = conditions.Select(c => c.Condition.Condition).ToArray(),
                severities = conditions.Select(c => c.Condition.Severity.ToString()).ToArray(),
                texts = conditions.Select(c => c.Condition.Message).ToArray(),
                since = conditions.Select(c => c.Condition.SinceUnixMs).ToArray(),
            }, cancellationToken);
    }
}
