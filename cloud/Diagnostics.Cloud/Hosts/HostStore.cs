using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Hosts;

/// <summary>What applying reports changed: the hosts, and the printers whose hosts changed (their pages show them).</summary>
public sealed record HostChanges(IReadOnlySet<string> Hosts, IReadOnlySet<string> Printers)
{
    public static HostChanges None { get; } = new(new HashSet<string>(), new HashSet<string>());

    public bool IsEmpty => Hosts.Count == 0 && Printers.Count == 0;
}

/// <summary>
/// The hosts and their print queues (<see cref="HostSchema"/>): applies each host's newest report, ties each queue to a
/// registered printer, and answers the questions the pages and rollouts ask — which hosts print to a printer, the
/// spread of driver versions per model, which hosts a driver package is for.
/// </summary>
/// <remarks>
/// A queue is tied to a registered printer by the first rule that names exactly one: its printer's printer-uuid (a
/// printer without a serial number reports its uuid as its serial, as the agent's IPP collector does), its serial
/// number, its device URI (the same URI as a queue on any host already tied by uuid, serial or mapping), or the
/// host's configured mapping.
/// </remarks>
public sealed class HostStore(Database database)
{
    private const string QueueColumns =
        "host_id, queue, device_uri, make_and_model, printer_model, driver, driver_name, driver_version, printer_uuid, printer_serial, mapped_device_id, device_id, matched_by, state, accepting, state_message, ppd_sha256";

    /// <summary>Each queue with its printer's model as the fleet knows it: the registered printer's, else what the host read.</summary>
    private const string FleetModels =
        "SELECT COALESCE(NULLIF(d.model, ''), q.printer_model) AS fleet_model, q.driver, q.driver_name, q.driver_version, q.host_id FROM host_queues q LEFT JOIN devices d ON d.id = q.device_id";

    private const string HostColumns =
        "h.host_id, h.host_name, h.os, h.os_name, h.os_version, h.architecture, h.print_system, h.driver_formats, h.reachable AS print_system_reachable, h.problem, h.queues_left_out, h.reported_at_ms";

    // ---- applying reports

    /// <summary>
    /// Keeps the report when it is newer than the one held (by sequence): the host's facts, and its queues unless the
    /// print system did not answer (then the queues are unknown, not gone, and the last ones known stay).
    /// </summary>
    public async Task<HostChanges> ApplyAsync(HostInboxItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Report?.System is not { } system)
            return HostChanges.None;
        var report = item.Report;
        await using var db = await database.BeginAsync(cancellationToken);
        if (await db.QueryAsync<ulong>("SELECT report_seq FROM hosts WHERE host_id = @HostId;", new { item.HostId }, cancellationToken) is [var held] && held >= item.Sequence)
            return HostChanges.None;
        await db.ExecuteAsync("""
            INSERT INTO hosts (host_id, host_name, os, os_name, os_version, architecture, print_system, driver_formats, reachable, problem, queues_left_out, reported_at_ms, report_seq)
            VALUES (@HostId, @HostName, @Os, @OsName, @OsVersion, @Architecture, @PrintSystem, @formats, @PrintSystemReachable, @PrintSystemProblem, @QueuesLeftOut, @ReceivedAt, @Sequence)
            ON CONFLICT (host_id) DO UPDATE SET host_name = excluded.host_name, os = excluded.os, os_name = excluded.os_name, os_version = excluded.os_version,
                architecture = excluded.architecture, print_system = excluded.print_system, driver_formats = excluded.driver_formats, reachable = excluded.reachable,
                problem = excluded.problem, queues_left_out = excluded.queues_left_out, reported_at_ms = excluded.reported_at_ms, report_seq = excluded.report_seq;
            """, new
        {
            item.HostId, system.HostName, system.Os, system.OsName, system.OsVersion, system.Architecture, system.PrintSystem,
            formats = StorageMapping.ToJson(system.DriverFormats.Select(HostPlatforms.FormatKey).ToList()),
            report.PrintSystemReachable, report.PrintSystemProblem, report.QueuesLeftOut, item.ReceivedAt, item.Sequence,
        }, cancellationToken);
        var printers = new HashSet<string>(StringComparer.Ordinal);
        if (report.PrintSystemReachable)
        {
            printers.UnionWith(await db.QueryAsync<string>("SELECT DISTINCT device_id FROM host_queues WHERE host_id = @HostId AND device_id IS NOT NULL;",
                new { item.HostId }, cancellationToken));
            await db.ExecuteAsync("DELETE FROM host_queues WHERE host_id = @HostId;", new { item.HostId }, cancellationToken);
            // Unique names only: a report from a hostile agent naming a queue twice must not fail the whole batch.
            foreach (var queue in report.Queues.Where(q => q.Name.Length > 0).DistinctBy(q => q.Name, StringComparer.Ordinal))
            {
                var (deviceId, match) = await MatchAsync(db, item.HostId, queue, cancellationToken);
                await InsertQueueAsync(db, item.HostId, queue, deviceId, match, cancellationToken);
                if (deviceId is not null)
                    printers.Add(deviceId);
            }
        }
        await db.CommitAsync(cancellationToken);
        return new HostChanges(new HashSet<string>([item.HostId], StringComparer.Ordinal), printers);
    }

    /// <summary>
    /// Ties queues still tied to no printer, now that more may be known (a printer that registered or reported its
    /// serial after the host's report, another host's queue tied meanwhile).
    /// </summary>
    public async Task<HostChanges> RematchAsync(CancellationToken cancellationToken)
    {
        await using var db = await database.BeginAsync(cancellationToken);
        var unmatched = await db.QueryAsync<HostQueueView>($"SELECT {QueueColumns.Replace("accepting", "accepting AS accepting_jobs", StringComparison.Ordinal)} FROM host_queues WHERE device_id IS NULL;",
            null, cancellationToken);
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        var printers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in unmatched)
        {
            var queue = new PrintQueue { Name = row.Queue, DeviceUri = row.DeviceUri, PrinterUuid = row.PrinterUuid, PrinterSerial = row.PrinterSerial, MappedDeviceId = row.MappedDeviceId };
            var (deviceId, match) = await MatchAsync(db, row.HostId, queue, cancellationToken);
            if (deviceId is null)
                continue;
            await db.ExecuteAsync("UPDATE host_queues SET device_id = @deviceId, matched_by = @match WHERE host_id = @HostId AND queue = @Queue;",
                new { deviceId, match = HostNames.Of(match), row.HostId, row.Queue }, cancellationToken);
            hosts.Add(row.HostId);
            printers.Add(deviceId);
        }
        await db.CommitAsync(cancellationToken);
        return new HostChanges(hosts, printers);
    }

    private static async Task<(string? DeviceId, QueueMatch Match)> MatchAsync(DbSession db, string hostId, PrintQueue queue, CancellationToken cancellationToken)
    {
        var uuid = queue.PrinterUuid.StartsWith("urn:uuid:", StringComparison.OrdinalIgnoreCase) ? queue.PrinterUuid["urn:uuid:".Length..] : queue.PrinterUuid;
        const string BySerial = "SELECT id FROM devices WHERE @value <> '' AND lower(serial) = lower(@value) AND id <> @hostId LIMIT 2;";
        if (await OnlyAsync(db, BySerial, new { value = uuid, hostId }, cancellationToken) is { } byUuid)
            return (byUuid, QueueMatch.PrinterUuid);
        if (await OnlyAsync(db, BySerial, new { value = queue.PrinterSerial, hostId }, cancellationToken) is { } bySerial)
            return (bySerial, QueueMatch.Serial);
        if (await OnlyAsync(db, """
                SELECT DISTINCT device_id FROM host_queues
                WHERE @uri <> '' AND device_uri = @uri AND device_id IS NOT NULL AND matched_by IN ('printer-uuid', 'serial', 'mapping')
                  AND NOT (host_id = @hostId AND queue = @queue)
                LIMIT 2;
                """, new { uri = queue.DeviceUri, hostId, queue = queue.Name }, cancellationToken) is { } byUri)
            return (byUri, QueueMatch.DeviceUri);
        if (await OnlyAsync(db, "SELECT id FROM devices WHERE id = @id AND id <> @hostId;", new { id = queue.MappedDeviceId, hostId }, cancellationToken) is { } mapped)
            return (mapped, QueueMatch.Mapping);
        return (null, QueueMatch.None);
    }

    /// <summary>The one value the query answers, or null when it answers none or several (a rule that names two printers ties none).</summary>
    private static async Task<string?> OnlyAsync(DbSession db, string sql, object parameters, CancellationToken cancellationToken) =>
        await db.QueryAsync<string>(sql, parameters, cancellationToken) is [var only] ? only : null;

    private static Task<int> InsertQueueAsync(DbSession db, string hostId, PrintQueue queue, string? deviceId, QueueMatch match, CancellationToken cancellationToken) =>
        db.ExecuteAsync($"""
            INSERT INTO host_queues ({QueueColumns})
            VALUES (@hostId, @Name, @DeviceUri, @MakeAndModel, @PrinterModel, @driver, @DriverName, @DriverVersion, @PrinterUuid, @PrinterSerial, @MappedDeviceId,
                @deviceId, @match, @state, @AcceptingJobs, @StateMessage, @ppd);
            """, new
        {
            hostId, queue.Name, queue.DeviceUri, queue.MakeAndModel, queue.PrinterModel, driver = HostNames.Of(queue.Driver), queue.DriverName, queue.DriverVersion,
            queue.PrinterUuid, queue.PrinterSerial, queue.MappedDeviceId, deviceId, match = HostNames.Of(match),
            state = queue.State.ToString().ToLowerInvariant(), queue.AcceptingJobs, queue.StateMessage, ppd = Convert.ToHexStringLower(queue.PpdSha256),
        }, cancellationToken);

    // ---- reading

    public Task<IReadOnlyList<HostView>> ListHostsAsync(CancellationToken cancellationToken) =>
        HostsAsync("", null, cancellationToken);

    public async Task<HostView?> GetHostAsync(string hostId, CancellationToken cancellationToken) =>
        await HostsAsync("WHERE h.host_id = @hostId", new { hostId }, cancellationToken) is [var host, ..] ? host : null;

    /// <summary>The names hosts report for themselves, by host id (hosts that never reported are left out).</summary>
    public async Task<IReadOnlyDictionary<string, string>> NamesAsync(IReadOnlyCollection<string> hostIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hostIds);
        if (hostIds.Count == 0)
            return new Dictionary<string, string>();
        return (await database.QueryAsync<(string HostId, string HostName)>($"SELECT host_id, host_name FROM hosts WHERE {database.Dialect.InList("host_id", "@hostIds")};",
                new { hostIds = hostIds.ToArray() }, cancellationToken))
            .ToDictionary(r => r.HostId, r => r.HostName, StringComparer.Ordinal);
    }

    /// <summary>The hosts that print to a printer, with the queue and driver each uses.</summary>
    public Task<IReadOnlyList<PrinterHostView>> HostsOfPrinterAsync(string deviceId, CancellationToken cancellationToken) =>
        database.QueryAsync<PrinterHostView>("""
            SELECT h.host_id, h.host_name, h.os || '/' || h.architecture AS platform, q.queue, q.driver, q.driver_name, q.driver_version, q.matched_by, q.state,
                q.accepting AS accepting_jobs, h.reported_at_ms
            FROM host_queues q JOIN hosts h ON h.host_id = q.host_id
            WHERE q.device_id = @deviceId ORDER BY h.host_name, q.queue;
            """, new { deviceId }, cancellationToken);

    /// <summary>
    /// Per printer model (the registered printer's model where a queue is tied to one, else the model its host read):
    /// how many hosts print to it with each driver and version. <paramref name="model"/> narrows it to one model.
    /// </summary>
    public async Task<IReadOnlyList<ModelDriverSpread>> DriverSpreadAsync(string? model, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync<SpreadRow>($"""
            SELECT MIN(m.fleet_model) AS model, m.driver, m.driver_name, m.driver_version, COUNT(DISTINCT m.host_id) AS hosts, COUNT(*) AS queues
            FROM ({FleetModels}) m
            WHERE m.fleet_model <> '' {(string.IsNullOrEmpty(model) ? "" : "AND lower(m.fleet_model) = lower(@model)")}
            GROUP BY lower(m.fleet_model), m.driver, m.driver_name, m.driver_version;
            """, new { model }, cancellationToken);
        var hostsPerModel = (await database.QueryAsync<(string Model, long Hosts)>($"""
            SELECT MIN(m.fleet_model) AS model, COUNT(DISTINCT m.host_id) AS hosts FROM ({FleetModels}) m GROUP BY lower(m.fleet_model);
            """, null, cancellationToken))
            .ToDictionary(r => r.Model, r => (int)r.Hosts, StringComparer.OrdinalIgnoreCase);
        return rows.GroupBy(r => r.Model, StringComparer.OrdinalIgnoreCase)
            .Select(g => new ModelDriverSpread(g.Key, hostsPerModel.GetValueOrDefault(g.Key), g.Sum(r => r.Queues),
                [.. g.Select(r => new DriverVersionCount(r.Driver, r.DriverName, r.DriverVersion, r.Hosts, r.Queues))
                    .OrderByDescending(v => v.DriverVersion, VersionOrder).ThenBy(v => v.Driver, StringComparer.Ordinal)]))
            .OrderBy(s => s.Model, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>Hosts with a queue for one of <paramref name="models"/>, narrowed to tags and host ids when given, with all their queues.</summary>
    public Task<IReadOnlyList<HostView>> HostsPrintingToAsync(
        IReadOnlyCollection<string> models, IReadOnlyCollection<string> tags, IReadOnlyCollection<string> hostIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(hostIds);
        var where = new List<string> { $"h.host_id IN (SELECT m.host_id FROM ({FleetModels}) m WHERE {database.Dialect.InList("lower(m.fleet_model)", "@models")})" };
        if (tags.Count > 0)
            where.Add($"h.host_id IN (SELECT device_id FROM device_tags WHERE {database.Dialect.InList("tag", "@tags")})");
        if (hostIds.Count > 0)
            where.Add(database.Dialect.InList("h.host_id", "@hostIds"));
        return HostsAsync("WHERE " + string.Join(" AND ", where),
            new { models = models.Select(m => m.ToLowerInvariant()).ToArray(), tags = tags.ToArray(), hostIds = hostIds.ToArray() }, cancellationToken);
    }

    private async Task<IReadOnlyList<HostView>> HostsAsync(string where, object? parameters, CancellationToken cancellationToken)
    {
        var hosts = await database.QueryAsync<HostView>($"SELECT {HostColumns} FROM hosts h {where} ORDER BY h.host_name, h.host_id;", parameters, cancellationToken);
        if (hosts.Count == 0)
            return [];
        var queues = (await database.QueryAsync<HostQueueView>($"""
                SELECT {Schema.Qualified(QueueColumns, "q").Replace("q.accepting", "q.accepting AS accepting_jobs", StringComparison.Ordinal)},
                    COALESCE(NULLIF(d.model, ''), q.printer_model) AS model
                FROM host_queues q JOIN hosts h ON h.host_id = q.host_id LEFT JOIN devices d ON d.id = q.device_id {where} ORDER BY q.queue;
                """, parameters, cancellationToken))
            .ToLookup(q => q.HostId, StringComparer.Ordinal);
        return [.. hosts.Select(h => h with { Queues = [.. queues[h.HostId]] })];
    }

    /// <summary>Newest version first, as dotted numbers; what does not read as a version after.</summary>
    private static readonly Comparer<string> VersionOrder = Comparer<string>.Create((a, b) => FirmwareVersion.Compare(a, b) ?? string.CompareOrdinal(a, b));

    private sealed record SpreadRow(string Model, string Driver, string DriverName, string DriverVersion, int Hosts, int Queues);
}
