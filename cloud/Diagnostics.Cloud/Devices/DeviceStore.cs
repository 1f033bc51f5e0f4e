using Dapper;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Devices;

/// <summary><see cref="IDeviceStore"/>: reads the current-state rows, never the telemetry history.</summary>
internal sealed class DeviceStore(Database database) : IDeviceStore
{
    private const string SummaryColumns = """
        SELECT d.id, d.model, d.health, d.online, d.last_seen_ms,
               (SELECT COUNT(*) FROM active_conditions c WHERE c.device_id = d.id) AS active_count,
               d.serial, d.firmware,
               (SELECT a.email FROM device_owners o JOIN accounts a ON a.id = o.account_id WHERE o.device_id = d.id) AS owner,
               (SELECT o.nickname FROM device_owners o WHERE o.device_id = d.id) AS nickname,
               (SELECT MIN(t.tag) FROM device_tags t WHERE t.device_id = d.id AND t.tag LIKE 'site-%') AS sitetag,
               CAST(CASE WHEN d.credentials_revoked_at_ms IS NULL THEN 0 ELSE 1 END AS BIGINT) AS decommissioned
        """;

    /// <summary>Prefix of the label that says where a device is ("site-berlin").</summary>
    private const string SiteTagPrefix = "site-";

    public async Task<DeviceDetails?> GetAsync(string deviceId, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var row = await db.QueryFirstOrDefaultAsync<DeviceRow>("""
            SELECT model, serial, firmware, state, state_message, health, online, last_seen_ms, registered_at_ms, contiguous_mark, status_blob
            FROM devices WHERE id = @deviceId;
            """, new { deviceId }, cancellationToken);
        if (row is null)
            return null;
        var status = row.StatusBlob is null ? null : WireCodec.Decode<DeviceStatus>(row.StatusBlob, int.MaxValue).Value;
        var conditions = await db.QueryAsync<ConditionRow>(
            "SELECT code, condition, severity, message, since_ms FROM active_conditions WHERE device_id = @deviceId ORDER BY code;",
            new { deviceId }, cancellationToken);
        return new DeviceDetails(
            deviceId,
            row.Model,
            row.Serial,
            row.Firmware,
            Enum.TryParse<DeviceState>(row.State, out var state) ? state : DeviceState.Unknown,
            row.StateMessage,
            DeviceHealthRules.ParseStorage(row.Health),
            row.Online ? DevicePresence.Online : DevicePresence.Offline,
            row.LastSeen,
            row.RegisteredAt,
            row.ContiguousMark,
            [.. conditions.Select(c => c.View)],
            status?.Supplies.Select(SupplyView.Of).ToList() ?? [],
            status?.Counters.Select(c => new CounterView(c.Name, c.Value)).ToList() ?? []);
    }

    public async Task<IReadOnlyList<DeviceSummary>> GetSummariesAsync(IReadOnlyList<string> deviceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        var summaries = new List<DeviceSummary>();
        // A few hundred ids per query keeps every engine within its limit on parameters.
        foreach (var chunk in deviceIds.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            summaries.AddRange((await database.QueryAsync<SummaryRow>($"{SummaryColumns} FROM devices d WHERE {database.Dialect.InList("d.id", "@chunk")};", new { chunk }, cancellationToken))
                .Select(r => r.Summary));
        }
        summaries.Sort((a, b) => string.CompareOrdinal(a.DeviceId, b.DeviceId));
        return summaries;
    }

    public async Task<Paged<DeviceSummary>> ListAsync(DeviceQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string>();
        var parameters = new DynamicParameters();
        void Filter(string clause, string name, object value)
        {
            where.Add(clause);
            parameters.Add(name, value);
        }
        switch (query.Fleet)
        {
            case DeviceFleetFilter.InService:
                where.Add(InFleet);
                break;
            case DeviceFleetFilter.Decommissioned:
                where.Add($"NOT ({InFleet})");
                break;
        }
        if (query.Health is { } health)
            Filter("d.health = @health", "health", health.ToStorage());
        if (!string.IsNullOrEmpty(query.Model))
            Filter("d.model = @model", "model", query.Model);
        if (query.Online is { } online)
            Filter("d.online = @online", "online", online);
        if (!string.IsNullOrEmpty(query.Condition))
            Filter("EXISTS (SELECT 1 FROM active_conditions c WHERE c.device_id = d.id AND (c.condition = @condition OR c.code = @condition))", "condition", query.Condition);
        if (!string.IsNullOrEmpty(query.Firmware))
            Filter("d.firmware = @firmware", "firmware", query.Firmware);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // Case-insensitive (ASCII on SQLite); the term's own wildcards are matched literally.
            var like = database.Dialect.LikeIgnoringCase;
            Filter($@"(d.id {like} @search ESCAPE '\' OR d.serial {like} @search ESCAPE '\' OR d.model {like} @search ESCAPE '\')",
                "search", "%" + EscapeLike(query.Search.Trim()) + "%");
        }
        var whereSql = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);
        parameters.Add("limit", query.PageSize);
        parameters.Add("offset", (long)(query.Page - 1) * query.PageSize);

        await using var db = await database.OpenAsync(cancellationToken);
        var total = await db.QueryFirstOrDefaultAsync<long>($"SELECT COUNT(*) FROM devices d {whereSql};", parameters, cancellationToken);
        var items = await db.QueryAsync<SummaryRow>($"""
            {SummaryColumns}
            FROM devices d {whereSql}
            ORDER BY {OrderBy(query.Sort, query.Descending)} LIMIT @limit OFFSET @offset;
            """, parameters, cancellationToken);
        var summaries = items.Select(r => r.Summary).ToList();
        var names = await ConditionNamesAsync(db, [.. summaries.Select(s => s.DeviceId)], cancellationToken);
        return new Paged<DeviceSummary>([.. summaries.Select(s => s with { ConditionNames = names[s.DeviceId].ToList() })], query.Page, query.PageSize, total);
    }

    /// <summary>The active conditions of these devices by name, most severe first.</summary>
    private async Task<ILookup<string, string>> ConditionNamesAsync(DbSession db, string[] deviceIds, CancellationToken cancellationToken)
    {
        if (deviceIds.Length == 0)
            return Array.Empty<string>().ToLookup(id => id);
        var rows = await db.QueryAsync<ConditionNameRow>($"""
            SELECT device_id AS deviceid, CASE WHEN condition = '' THEN code ELSE condition END AS name
            FROM active_conditions WHERE {database.Dialect.InList("device_id", "@deviceIds")}
            ORDER BY device_id, CASE severity WHEN 'Error' THEN 0 WHEN 'Warning' THEN 1 ELSE 2 END, 2;
            """, new { deviceIds }, cancellationToken);
        return rows.ToLookup(r => r.DeviceId, r => r.Name, StringComparer.Ordinal);
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
        await using var db = await database.OpenAsync(cancellationToken);
        var counts = await db.QueryFirstOrDefaultAsync<EventCounts>("""
            SELECT (SELECT COUNT(*) FROM devices WHERE id = @deviceId) AS devices, (SELECT COUNT(*) FROM device_events WHERE device_id = @deviceId) AS events;
            """, new { deviceId }, cancellationToken);
        if (counts is not { Devices: > 0 })
            return null;
        var items = await db.QueryAsync<EventView>("""
            SELECT seq AS sequence, kind, code, condition, severity, message, device_time_ms, received_time_ms
            FROM device_events WHERE device_id = @deviceId
            ORDER BY seq DESC LIMIT @pageSize OFFSET @offset;
            """, new { deviceId, pageSize, offset = (long)(page - 1) * pageSize }, cancellationToken);
        return new Paged<EventView>(items, page, pageSize, counts.Events);
    }

    public async Task<FleetSummary> GetFleetSummaryAsync(int topConditions, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var byHealth = new Dictionary<string, long>
        {
            ["unknown"] = 0, ["healthy"] = 0, ["warning"] = 0, ["critical"] = 0,
        };
        var byPresence = new Dictionary<string, long> { ["online"] = 0, ["offline"] = 0 };
        long total = 0;
        foreach (var group in await db.QueryAsync<HealthGroup>($"SELECT health, online, COUNT(*) AS devices FROM devices WHERE {InFleet} GROUP BY health, online;", null, cancellationToken))
        {
            total += group.Devices;
            byHealth[group.Health] = byHealth.GetValueOrDefault(group.Health) + group.Devices;
            byPresence[group.Online ? "online" : "offline"] += group.Devices;
        }
        // A condition without a normalized name is counted under its raw code.
        var top = await db.QueryAsync<ConditionCount>($"{ConditionCounts} LIMIT @topConditions;", new { topConditions }, cancellationToken);
        return new FleetSummary(total, byHealth, byPresence, [.. top]);
    }

    /// <summary>
    /// The devices the fleet's health counts: a decommissioned device (credentials revoked, e.g. a simulated printer
    /// retired by <c>demo reset</c>) keeps its history but is no longer part of the fleet.
    /// </summary>
    private const string InFleet = "credentials_revoked_at_ms IS NULL";

    /// <summary>Active conditions of devices in the fleet.</summary>
    private const string FleetConditions = $"(SELECT * FROM active_conditions WHERE device_id IN (SELECT id FROM devices WHERE {InFleet})) AS fleet_conditions";

    /// <summary>Devices per condition (a condition without a normalized name under its raw code), most first.</summary>
    private const string ConditionCounts = $"""
        SELECT CASE WHEN condition = '' THEN code ELSE condition END AS condition, COUNT(DISTINCT device_id) AS devices
        FROM {FleetConditions} GROUP BY 1 ORDER BY 2 DESC, 1
        """;

    public async Task<FleetBreakdown> GetFleetBreakdownAsync(int topCodes, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var codes = await db.QueryAsync<CodeCount>($"""
            SELECT code, MAX(condition) AS condition, COUNT(*) AS devices,
                   CASE MAX(CASE severity WHEN 'Error' THEN 2 WHEN 'Warning' THEN 1 ELSE 0 END) WHEN 2 THEN 'Error' WHEN 1 THEN 'Warning' ELSE 'Report' END AS severity
            FROM {FleetConditions}
            GROUP BY code ORDER BY 3 DESC, code LIMIT @topCodes;
            """, new { topCodes }, cancellationToken);
        var firmware = await db.QueryAsync<ValueCount>($"SELECT firmware AS value, COUNT(*) AS devices FROM devices WHERE {InFleet} GROUP BY firmware ORDER BY 2 DESC, 1;", null, cancellationToken);
        var models = await db.QueryAsync<ValueCount>($"SELECT model AS value, COUNT(*) AS devices FROM devices WHERE {InFleet} GROUP BY model ORDER BY 2 DESC, 1;", null, cancellationToken);
        var conditions = await db.QueryAsync<ConditionCount>($"{ConditionCounts};", null, cancellationToken);
        return new FleetBreakdown([.. codes], [.. firmware], [.. models], [.. conditions.Select(c => new ValueCount(c.Condition, c.Devices))]);
    }

    public async Task<DeviceTelemetryHistory> GetTelemetryHistoryAsync(string deviceId, int limit, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var supplies = new List<SupplySample>();
        var metrics = new List<MetricSample>();
        foreach (var envelope in await ReadRecentEnvelopesAsync(db, deviceId, Topics.KindName(UplinkKind.Status), limit, cancellationToken))
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(envelope.DeviceTimeUnixMs);
            foreach (var supply in envelope.Status?.Supplies ?? [])
                supplies.Add(new SupplySample(at, supply.Name, supply.Color, supply.LevelPercent));
        }
        foreach (var envelope in await ReadRecentEnvelopesAsync(db, deviceId, Topics.KindName(UplinkKind.Heartbeat), limit, cancellationToken))
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(envelope.DeviceTimeUnixMs);
            foreach (var metric in envelope.Heartbeat?.Metrics ?? [])
                metrics.Add(new MetricSample(at, metric.Name, metric.Value, metric.Unit));
        }
        return new DeviceTelemetryHistory(supplies, metrics);
    }

    /// <summary>The device's last <paramref name="limit"/> envelopes of one kind, oldest first; undecodable rows are skipped.</summary>
    private static async Task<List<Envelope>> ReadRecentEnvelopesAsync(DbSession db, string deviceId, string kind, int limit, CancellationToken cancellationToken)
    {
        // Walks the (device_id, seq) key backwards from the newest row: never scans other devices' history.
        var payloads = await db.QueryAsync<byte[]>("SELECT payload FROM telemetry WHERE device_id = @deviceId AND kind = @kind ORDER BY seq DESC LIMIT @limit;",
            new { deviceId, kind, limit }, cancellationToken);
        // Stored rows passed validation on the way in, so the uplink size limit does not apply again.
        var envelopes = payloads.Select(p => WireCodec.Decode<Envelope>(p, int.MaxValue).Value).OfType<Envelope>().ToList();
        envelopes.Reverse();
        return envelopes;
    }

    private sealed record DeviceRow(
        string Model, string Serial, string Firmware, string State, string StateMessage, string Health, bool Online,
        DateTimeOffset? LastSeen, DateTimeOffset RegisteredAt, ulong? ContiguousMark, byte[]? StatusBlob);

    private sealed record ConditionRow(string Code, string Condition, string Severity, string Message, long SinceMs)
    {
        public ConditionView View => new(Code, Condition, Enum.TryParse<Severity>(Severity, out var severity) ? severity : Protocol.Severity.Unspecified,
            Message, SinceMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(SinceMs) : null);
    }

    private sealed record ConditionNameRow(string DeviceId, string Name);

    private sealed record SummaryRow(string Id, string Model, string Health, bool Online, DateTimeOffset? LastSeen, long ActiveCount, string Serial, string Firmware,
        string? Owner, string? Nickname, string? SiteTag, long Decommissioned)
    {
        public DeviceSummary Summary => new(Id, Model, DeviceHealthRules.ParseStorage(Health), Online ? DevicePresence.Online : DevicePresence.Offline,
            LastSeen, (int)ActiveCount, Serial, Firmware)
        {
            Owner = Owner,
            Nickname = Nickname,
            Site = SiteTag is { Length: > 0 } tag ? tag[SiteTagPrefix.Length..] : null,
            Decommissioned = Decommissioned != 0,
        };
    }

    private sealed record EventCounts(long Devices, long Events);

    private sealed record HealthGroup(string Health, bool Online, long Devices);
}
