using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Devices;

/// <summary><see cref="IDeviceStore"/> on SQLite: reads the current-state rows, never the telemetry history.</summary>
internal sealed class SqliteDeviceStore(SqliteConnectionFactory connections) : IDeviceStore
{
    public async Task<DeviceDetails?> GetAsync(string deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT model, serial, firmware, state, state_message, health, online, last_seen_ms, registered_at_ms,
                   contiguous_mark, status_blob
            FROM devices WHERE id = $id;
            """;
        command.Parameters.AddWithValue("$id", deviceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        var status = reader.IsDBNull(10) ? null : WireCodec.Decode<DeviceStatus>((byte[])reader[10], int.MaxValue).Value;
        var conditions = await ReadConditionsAsync(connection, deviceId, cancellationToken);
        return new DeviceDetails(
            deviceId,
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            Enum.TryParse<DeviceState>(reader.GetString(3), out var state) ? state : DeviceState.Unknown,
            reader.GetString(4),
            DeviceHealthRules.ParseStorage(reader.GetString(5)),
            reader.GetInt64(6) != 0 ? DevicePresence.Online : DevicePresence.Offline,
            reader.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
            reader.IsDBNull(9) ? null : unchecked((ulong)reader.GetInt64(9)),
            conditions,
            status?.Supplies.Select(SupplyView.Of).ToList() ?? [],
            status?.Counters.Select(c => new CounterView(c.Name, c.Value)).ToList() ?? []);
    }

    private static async Task<List<ConditionView>> ReadConditionsAsync(SqliteConnection connection, string deviceId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT code, condition, severity, message, since_ms FROM active_conditions
            WHERE device_id = $id ORDER BY code;
            """;
        command.Parameters.AddWithValue("$id", deviceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var conditions = new List<ConditionView>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var since = reader.GetInt64(4);
            conditions.Add(new ConditionView(
                reader.GetString(0),
                reader.GetString(1),
                Enum.TryParse<Severity>(reader.GetString(2), out var severity) ? severity : Severity.Unspecified,
                reader.GetString(3),
                since > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(since) : null));
        }
        return conditions;
    }

    public async Task<IReadOnlyList<DeviceSummary>> GetSummariesAsync(IReadOnlyList<string> deviceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        if (deviceIds.Count == 0)
            return [];
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // json_each: any number of ids as one parameter.
        command.CommandText = $"""
            {SummaryColumns}
            FROM devices d WHERE d.id IN (SELECT value FROM json_each($ids)) ORDER BY d.id;
            """;
        command.Parameters.AddWithValue("$ids", System.Text.Json.JsonSerializer.Serialize(deviceIds));
        return await ReadSummariesAsync(command, cancellationToken);
    }

    private const string SummaryColumns = """
        SELECT d.id, d.model, d.health, d.online, d.last_seen_ms,
               (SELECT COUNT(*) FROM active_conditions c WHERE c.device_id = d.id) AS active_count,
               d.serial, d.firmware
        """;

    private static async Task<List<DeviceSummary>> ReadSummariesAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<DeviceSummary>();
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new DeviceSummary(
                reader.GetString(0),
                reader.GetString(1),
                DeviceHealthRules.ParseStorage(reader.GetString(2)),
                reader.GetInt64(3) != 0 ? DevicePresence.Online : DevicePresence.Offline,
                reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                reader.GetInt32(5),
                reader.GetString(6),
                reader.GetString(7)));
        }
        return items;
    }

    public async Task<Paged<DeviceSummary>> ListAsync(DeviceQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await connections.OpenAsync(cancellationToken);
        var where = new List<string>();
        await using var count = connection.CreateCommand();
        await using var list = connection.CreateCommand();
        void Filter(string clause, string name, object value)
        {
            where.Add(clause);
            count.Parameters.AddWithValue(name, value);
            list.Parameters.AddWithValue(name, value);
        }
        if (query.Health is { } health)
            Filter("d.health = $health", "$health", health.ToStorage());
        if (!string.IsNullOrEmpty(query.Model))
            Filter("d.model = $model", "$model", query.Model);
        if (query.Online is { } online)
            Filter("d.online = $online", "$online", online ? 1 : 0);
        if (!string.IsNullOrEmpty(query.Condition))
            Filter("EXISTS (SELECT 1 FROM active_conditions c WHERE c.device_id = d.id AND (c.condition = $condition OR c.code = $condition))", "$condition", query.Condition);
        if (!string.IsNullOrEmpty(query.Firmware))
            Filter("d.firmware = $firmware", "$firmware", query.Firmware);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // LIKE is case-insensitive for ASCII in SQLite; the term's own wildcards are matched literally.
            Filter(@"(d.id LIKE $search ESCAPE '\' OR d.serial LIKE $search ESCAPE '\' OR d.model LIKE $search ESCAPE '\')",
                "$search", "%" + EscapeLike(query.Search.Trim()) + "%");
        }
        var whereSql = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);

        count.CommandText = $"SELECT COUNT(*) FROM devices d {whereSql};";
        var total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken));

        list.CommandText = $"""
            {SummaryColumns}
            FROM devices d {whereSql}
            ORDER BY {OrderBy(query.Sort, query.Descending)} LIMIT $limit OFFSET $offset;
            """;
        list.Parameters.AddWithValue("$limit", query.PageSize);
        list.Parameters.AddWithValue("$offset", (long)(query.Page - 1) * query.PageSize);
        var items = await ReadSummariesAsync(list, cancellationToken);
        return new Paged<DeviceSummary>(items, query.Page, query.PageSize, total);
    }

    private static string EscapeLike(string term) =>
        term.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    // Only these constant fragments reach the SQL text; the direction is appended to each sort key.
    private static string OrderBy(DeviceSort sort, bool descending)
    {
        var direction = descending ? "DESC" : "ASC";
        return sort switch
        {
            DeviceSort.Model => $"d.model {direction}, d.id",
            DeviceSort.Health => $"CASE d.health WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 WHEN 'healthy' THEN 1 ELSE 0 END {direction}, d.id",
            // Never-seen devices count as the oldest.
            DeviceSort.LastSeen => $"COALESCE(d.last_seen_ms, -1) {direction}, d.id",
            DeviceSort.ActiveConditions => $"active_count {direction}, d.id",
            _ => $"d.id {direction}",
        };
    }

    public async Task<Paged<EventView>?> GetEventsAsync(string deviceId, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var count = connection.CreateCommand();
        count.CommandText = """
            SELECT (SELECT COUNT(*) FROM devices WHERE id = $id), (SELECT COUNT(*) FROM device_events WHERE device_id = $id);
            """;
        count.Parameters.AddWithValue("$id", deviceId);
        long total;
        await using (var counts = await count.ExecuteReaderAsync(cancellationToken))
        {
            await counts.ReadAsync(cancellationToken);
            if (counts.GetInt64(0) == 0)
                return null;
            total = counts.GetInt64(1);
        }
        await using var list = connection.CreateCommand();
        list.CommandText = """
            SELECT seq, kind, code, condition, severity, message, device_time_ms, received_time_ms
            FROM device_events WHERE device_id = $id
            ORDER BY seq DESC LIMIT $limit OFFSET $offset;
            """;
        list.Parameters.AddWithValue("$id", deviceId);
        list.Parameters.AddWithValue("$limit", pageSize);
        list.Parameters.AddWithValue("$offset", (long)(page - 1) * pageSize);
        await using var reader = await list.ExecuteReaderAsync(cancellationToken);
        var items = new List<EventView>();
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new EventView(
                unchecked((ulong)reader.GetInt64(0)),
                Enum.TryParse<EventKind>(reader.GetString(1), out var kind) ? kind : EventKind.Unspecified,
                reader.GetString(2),
                reader.GetString(3),
                Enum.TryParse<Severity>(reader.GetString(4), out var severity) ? severity : Severity.Unspecified,
                reader.GetString(5),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7))));
        }
        return new Paged<EventView>(items, page, pageSize, total);
    }

    public async Task<FleetSummary> GetFleetSummaryAsync(int topConditions, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var byHealth = new Dictionary<string, long>
        {
            ["unknown"] = 0, ["healthy"] = 0, ["warning"] = 0, ["critical"] = 0,
        };
        var byPresence = new Dictionary<string, long> { ["online"] = 0, ["offline"] = 0 };
        long total = 0;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT health, online, COUNT(*) FROM devices GROUP BY health, online;";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var n = reader.GetInt64(2);
                total += n;
                var health = reader.GetString(0);
                byHealth[health] = byHealth.GetValueOrDefault(health) + n;
                var presence = reader.GetInt64(1) != 0 ? "online" : "offline";
                byPresence[presence] += n;
            }
        }
        var top = new List<ConditionCount>();
        await using (var command = connection.CreateCommand())
        {
            // A condition without a normalized name is counted under its raw code.
            command.CommandText = """
                SELECT CASE WHEN condition = '' THEN code ELSE condition END AS name, COUNT(DISTINCT device_id) AS n
                FROM active_conditions GROUP BY name ORDER BY n DESC, name LIMIT $top;
                """;
            command.Parameters.AddWithValue("$top", topConditions);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                top.Add(new ConditionCount(reader.GetString(0), reader.GetInt64(1)));
        }
        return new FleetSummary(total, byHealth, byPresence, top);
    }

    public async Task<FleetBreakdown> GetFleetBreakdownAsync(int topCodes, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var codes = new List<CodeCount>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT code, MAX(condition), COUNT(*) AS n FROM active_conditions
                GROUP BY code ORDER BY n DESC, code LIMIT $top;
                """;
            command.Parameters.AddWithValue("$top", topCodes);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                codes.Add(new CodeCount(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        }
        var firmware = await CountByAsync(connection, "SELECT firmware, COUNT(*) AS n FROM devices GROUP BY firmware ORDER BY n DESC, firmware;", cancellationToken);
        var models = await CountByAsync(connection, "SELECT model, COUNT(*) AS n FROM devices GROUP BY model ORDER BY n DESC, model;", cancellationToken);
        var conditions = await CountByAsync(connection, """
            SELECT CASE WHEN condition = '' THEN code ELSE condition END AS name, COUNT(DISTINCT device_id) AS n
            FROM active_conditions GROUP BY name ORDER BY n DESC, name;
            """, cancellationToken);
        return new FleetBreakdown(codes, firmware, models, conditions);
    }

    private static async Task<List<ValueCount>> CountByAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var counts = new List<ValueCount>();
        while (await reader.ReadAsync(cancellationToken))
            counts.Add(new ValueCount(reader.GetString(0), reader.GetInt64(1)));
        return counts;
    }

    public async Task<DeviceTelemetryHistory> GetTelemetryHistoryAsync(string deviceId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var supplies = new List<SupplySample>();
        var metrics = new List<MetricSample>();
        foreach (var envelope in await ReadRecentEnvelopesAsync(connection, deviceId, Topics.KindName(UplinkKind.Status), limit, cancellationToken))
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(envelope.DeviceTimeUnixMs);
            foreach (var supply in envelope.Status?.Supplies ?? [])
                supplies.Add(new SupplySample(at, supply.Name, supply.Color, supply.LevelPercent));
        }
        foreach (var envelope in await ReadRecentEnvelopesAsync(connection, deviceId, Topics.KindName(UplinkKind.Heartbeat), limit, cancellationToken))
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(envelope.DeviceTimeUnixMs);
            foreach (var metric in envelope.Heartbeat?.Metrics ?? [])
                metrics.Add(new MetricSample(at, metric.Name, metric.Value, metric.Unit));
        }
        return new DeviceTelemetryHistory(supplies, metrics);
    }

    /// <summary>The device's last <paramref name="limit"/> envelopes of one kind, oldest first; undecodable rows are skipped.</summary>
    private static async Task<List<Envelope>> ReadRecentEnvelopesAsync(
        SqliteConnection connection, string deviceId, string kind, int limit, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        // Walks the (device_id, seq) primary key backwards from the newest row: never scans other devices' history.
        command.CommandText = """
            SELECT payload FROM telemetry WHERE device_id = $id AND kind = $kind ORDER BY seq DESC LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$id", deviceId);
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var envelopes = new List<Envelope>();
        while (await reader.ReadAsync(cancellationToken))
        {
            // Stored rows passed validation on the way in, so the uplink size limit does not apply again.
            if (WireCodec.Decode<Envelope>((byte[])reader[0], int.MaxValue).Value is { } envelope)
                envelopes.Add(envelope);
        }
        envelopes.Reverse();
        return envelopes;
    }
}
