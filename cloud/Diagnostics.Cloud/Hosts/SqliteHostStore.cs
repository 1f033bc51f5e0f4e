using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Hosts;

/// <summary>A host report ingestion left for the host inventory.</summary>
public sealed record HostInboxItem(string HostId, ulong Sequence, HostReport? Report, DateTimeOffset ReceivedAt);

/// <summary>What applying reports changed: the hosts, and the printers whose hosts changed (their pages show them).</summary>
public sealed record HostChanges(IReadOnlySet<string> Hosts, IReadOnlySet<string> Printers)
{
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
public sealed class SqliteHostStore(SqliteConnectionFactory connections)
{
    private const string QueueColumns =
        "host_id, queue, device_uri, make_and_model, printer_model, driver, driver_name, driver_version, printer_uuid, printer_serial, mapped_device_id, device_id, matched_by, state, accepting, state_message, ppd_sha256";

    /// <summary>Each queue with its printer's model as the fleet knows it: the registered printer's, else what the host read.</summary>
    private const string FleetModels =
        "SELECT COALESCE(NULLIF(d.model, ''), q.printer_model) AS fleet_model, q.driver, q.driver_name, q.driver_version, q.host_id FROM host_queues q LEFT JOIN devices d ON d.id = q.device_id";

    private const string HostColumns =
        "host_id, host_name, os, os_name, os_version, architecture, print_system, driver_formats, reachable, problem, queues_left_out, reported_at_ms";

    // ---- the inbox ingestion fills

    public async Task<IReadOnlyList<HostInboxItem>> PeekInboxAsync(int max, CancellationToken cancellationToken) =>
        await connections.QueryAsync("SELECT device_id, seq, envelope, received_at_ms FROM host_inbox ORDER BY device_id, seq LIMIT $max;", reader =>
            new HostInboxItem(reader.GetString(0), unchecked((ulong)reader.GetInt64(1)), WireCodec.DecodeUplink((byte[])reader.GetValue(2)).Value?.HostReport,
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))), cancellationToken, ("$max", max));

    public async Task RemoveFromInboxAsync(HostInboxItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        await connections.ExecuteAsync("DELETE FROM host_inbox WHERE device_id = $device AND seq = $seq;", cancellationToken,
            ("$device", item.HostId), ("$seq", unchecked((long)item.Sequence)));
    }

    // ---- applying reports

    /// <summary>
    /// Keeps the report when it is newer than the one held (by sequence): the host's facts, and its queues unless the
    /// print system did not answer (then the queues are unknown, not gone, and the last ones known stay).
    /// </summary>
    public async Task<HostChanges> ApplyAsync(HostInboxItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Report?.System is not { } system)
            return new HostChanges(new HashSet<string>(), new HashSet<string>());
        var report = item.Report;
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var newer = Command(connection, transaction, "SELECT report_seq FROM hosts WHERE host_id = $host;", ("$host", item.HostId)))
        {
            if (await newer.ExecuteScalarAsync(cancellationToken) is long held && unchecked((ulong)held) >= item.Sequence)
                return new HostChanges(new HashSet<string>(), new HashSet<string>());
        }
        await using (var host = Command(connection, transaction, $"""
            INSERT OR REPLACE INTO hosts ({HostColumns}, report_seq)
            VALUES ($host, $name, $os, $osName, $osVersion, $arch, $printSystem, $formats, $reachable, $problem, $leftOut, $at, $seq);
            """,
            ("$host", item.HostId), ("$name", system.HostName), ("$os", system.Os), ("$osName", system.OsName), ("$osVersion", system.OsVersion),
            ("$arch", system.Architecture), ("$printSystem", system.PrintSystem),
            ("$formats", string.Join(",", system.DriverFormats.Select(HostPlatforms.FormatKey))), ("$reachable", report.PrintSystemReachable ? 1 : 0),
            ("$problem", report.PrintSystemProblem), ("$leftOut", report.QueuesLeftOut), ("$at", item.ReceivedAt.ToUnixTimeMilliseconds()),
            ("$seq", unchecked((long)item.Sequence))))
        {
            await host.ExecuteNonQueryAsync(cancellationToken);
        }
        var printers = new HashSet<string>(StringComparer.Ordinal);
        if (report.PrintSystemReachable)
        {
            printers.UnionWith(await PrintersOfAsync(connection, transaction, item.HostId, cancellationToken));
            await using (var clear = Command(connection, transaction, "DELETE FROM host_queues WHERE host_id = $host;", ("$host", item.HostId)))
                await clear.ExecuteNonQueryAsync(cancellationToken);
            // Unique names only: a report from a hostile agent naming a queue twice must not fail the whole batch.
            foreach (var queue in report.Queues.Where(q => q.Name.Length > 0).DistinctBy(q => q.Name, StringComparer.Ordinal))
            {
                var (deviceId, match) = await MatchAsync(connection, transaction, item.HostId, queue, cancellationToken);
                await InsertQueueAsync(connection, transaction, item.HostId, queue, deviceId, match, cancellationToken);
                if (deviceId is not null)
                    printers.Add(deviceId);
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return new HostChanges(new HashSet<string>([item.HostId], StringComparer.Ordinal), printers);
    }

    /// <summary>
    /// Ties queues still tied to no printer, now that more may be known (a printer that registered or reported its
    /// serial after the host's report, another host's queue tied meanwhile).
    /// </summary>
    public async Task<HostChanges> RematchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var unmatched = new List<HostQueueView>();
        await using (var select = Command(connection, transaction, $"SELECT {QueueColumns} FROM host_queues WHERE device_id IS NULL;"))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                unmatched.Add(ReadQueue(reader, ""));
        }
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        var printers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in unmatched)
        {
            var queue = new PrintQueue { Name = row.Queue, DeviceUri = row.DeviceUri, PrinterUuid = row.PrinterUuid, PrinterSerial = row.PrinterSerial, MappedDeviceId = row.MappedDeviceId };
            var (deviceId, match) = await MatchAsync(connection, transaction, row.HostId, queue, cancellationToken);
            if (deviceId is null)
                continue;
            await using var update = Command(connection, transaction, "UPDATE host_queues SET device_id = $device, matched_by = $match WHERE host_id = $host AND queue = $queue;",
                ("$device", deviceId), ("$match", HostNames.Of(match)), ("$host", row.HostId), ("$queue", row.Queue));
            await update.ExecuteNonQueryAsync(cancellationToken);
            hosts.Add(row.HostId);
            printers.Add(deviceId);
        }
        await transaction.CommitAsync(cancellationToken);
        return new HostChanges(hosts, printers);
    }

    private static async Task<(string? DeviceId, QueueMatch Match)> MatchAsync(
        SqliteConnection connection, SqliteTransaction transaction, string hostId, PrintQueue queue, CancellationToken cancellationToken)
    {
        var uuid = queue.PrinterUuid.StartsWith("urn:uuid:", StringComparison.OrdinalIgnoreCase) ? queue.PrinterUuid["urn:uuid:".Length..] : queue.PrinterUuid;
        const string BySerial = "SELECT id FROM devices WHERE $value <> '' AND serial = $value COLLATE NOCASE AND id <> $host LIMIT 2;";
        if (await OnlyAsync(connection, transaction, BySerial, cancellationToken, ("$value", uuid), ("$host", hostId)) is { } byUuid)
            return (byUuid, QueueMatch.PrinterUuid);
        if (await OnlyAsync(connection, transaction, BySerial, cancellationToken, ("$value", queue.PrinterSerial), ("$host", hostId)) is { } bySerial)
            return (bySerial, QueueMatch.Serial);
        if (await OnlyAsync(connection, transaction, """
                SELECT DISTINCT device_id FROM host_queues
                WHERE $uri <> '' AND device_uri = $uri AND device_id IS NOT NULL AND matched_by IN ('printer-uuid', 'serial', 'mapping')
                  AND NOT (host_id = $host AND queue = $queue)
                LIMIT 2;
                """, cancellationToken, ("$uri", queue.DeviceUri), ("$host", hostId), ("$queue", queue.Name)) is { } byUri)
            return (byUri, QueueMatch.DeviceUri);
        if (await OnlyAsync(connection, transaction, "SELECT id FROM devices WHERE id = $id AND id <> $host;", cancellationToken,
                ("$id", queue.MappedDeviceId), ("$host", hostId)) is { } mapped)
            return (mapped, QueueMatch.Mapping);
        return (null, QueueMatch.None);
    }

    /// <summary>The one value the query answers, or null when it answers none or several (a rule that names two printers ties none).</summary>
    private static async Task<string?> OnlyAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken, params (string, object)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        var first = reader.GetString(0);
        return await reader.ReadAsync(cancellationToken) ? null : first;
    }

    private static async Task<IReadOnlyList<string>> PrintersOfAsync(SqliteConnection connection, SqliteTransaction transaction, string hostId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT DISTINCT device_id FROM host_queues WHERE host_id = $host AND device_id IS NOT NULL;", ("$host", hostId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var printers = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
            printers.Add(reader.GetString(0));
        return printers;
    }

    private static async Task InsertQueueAsync(
        SqliteConnection connection, SqliteTransaction transaction, string hostId, PrintQueue queue, string? deviceId, QueueMatch match, CancellationToken cancellationToken)
    {
        await using var insert = Command(connection, transaction, $"""
            INSERT INTO host_queues ({QueueColumns})
            VALUES ($host, $queue, $uri, $makeAndModel, $model, $driver, $driverName, $driverVersion, $uuid, $serial, $mapped, $device, $match, $state, $accepting, $message, $ppd);
            """,
            ("$host", hostId), ("$queue", queue.Name), ("$uri", queue.DeviceUri), ("$makeAndModel", queue.MakeAndModel), ("$model", queue.PrinterModel),
            ("$driver", HostNames.Of(queue.Driver)), ("$driverName", queue.DriverName), ("$driverVersion", queue.DriverVersion),
            ("$uuid", queue.PrinterUuid), ("$serial", queue.PrinterSerial), ("$mapped", queue.MappedDeviceId), ("$device", (object?)deviceId ?? DBNull.Value),
            ("$match", HostNames.Of(match)), ("$state", queue.State.ToString().ToLowerInvariant()), ("$accepting", queue.AcceptingJobs ? 1 : 0),
            ("$message", queue.StateMessage), ("$ppd", Convert.ToHexStringLower(queue.PpdSha256)));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    // ---- reading

    public async Task<IReadOnlyList<HostView>> ListHostsAsync(CancellationToken cancellationToken) =>
        await HostsAsync("", [], cancellationToken);

    public async Task<HostView?> GetHostAsync(string hostId, CancellationToken cancellationToken) =>
        await HostsAsync("WHERE h.host_id = $host", [("$host", hostId)], cancellationToken) is [var host, ..] ? host : null;

    /// <summary>The names hosts report for themselves, by host id (hosts that never reported are left out).</summary>
    public async Task<IReadOnlyDictionary<string, string>> NamesAsync(IReadOnlyCollection<string> hostIds, CancellationToken cancellationToken)
    {
        if (hostIds.Count == 0)
            return new Dictionary<string, string>();
        var parameters = hostIds.Select((id, i) => ($"$h{i}", (object)id)).ToArray();
        return (await connections.QueryAsync($"SELECT host_id, host_name FROM hosts WHERE host_id IN ({string.Join(", ", parameters.Select(p => p.Item1))});",
                reader => (reader.GetString(0), reader.GetString(1)), cancellationToken, parameters))
            .ToDictionary(r => r.Item1, r => r.Item2, StringComparer.Ordinal);
    }

    /// <summary>The hosts that print to a printer, with the queue and driver each uses.</summary>
    public async Task<IReadOnlyList<PrinterHostView>> HostsOfPrinterAsync(string deviceId, CancellationToken cancellationToken) =>
        await connections.QueryAsync($"""
            SELECT h.host_id, h.host_name, h.os, h.architecture, q.queue, q.driver, q.driver_name, q.driver_version, q.matched_by, q.state, q.accepting, h.reported_at_ms
            FROM host_queues q JOIN hosts h ON h.host_id = q.host_id
            WHERE q.device_id = $device ORDER BY h.host_name, q.queue;
            """, reader => new PrinterHostView(reader.GetString(0), reader.GetString(1), $"{reader.GetString(2)}/{reader.GetString(3)}", reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.GetString(9), reader.GetInt64(10) != 0,
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11))), cancellationToken, ("$device", deviceId));

    /// <summary>
    /// Per printer model (the registered printer's model where a queue is tied to one, else the model its host read):
    /// how many hosts print to it with each driver and version. <paramref name="model"/> narrows it to one model.
    /// </summary>
    public async Task<IReadOnlyList<ModelDriverSpread>> DriverSpreadAsync(string? model, CancellationToken cancellationToken)
    {
        var rows = await connections.QueryAsync($"""
            SELECT MIN(m.fleet_model), m.driver, m.driver_name, m.driver_version, COUNT(DISTINCT m.host_id), COUNT(*)
            FROM ({FleetModels}) m
            WHERE m.fleet_model <> '' {(string.IsNullOrEmpty(model) ? "" : "AND m.fleet_model = $model COLLATE NOCASE")}
            GROUP BY m.fleet_model COLLATE NOCASE, m.driver, m.driver_name, m.driver_version;
            """, reader => (Model: reader.GetString(0), Count: new DriverVersionCount(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetInt32(5))),
            cancellationToken, ("$model", model ?? ""));
        var hostsPerModel = (await connections.QueryAsync($"""
            SELECT MIN(m.fleet_model), COUNT(DISTINCT m.host_id) FROM ({FleetModels}) m GROUP BY m.fleet_model COLLATE NOCASE;
            """, reader => (reader.GetString(0), reader.GetInt32(1)), cancellationToken))
            .ToDictionary(r => r.Item1, r => r.Item2, StringComparer.OrdinalIgnoreCase);
        return rows.GroupBy(r => r.Model, StringComparer.OrdinalIgnoreCase)
            .Select(g => new ModelDriverSpread(g.Key, hostsPerModel.GetValueOrDefault(g.Key), g.Sum(r => r.Count.Queues),
                [.. g.Select(r => r.Count).OrderByDescending(v => v.DriverVersion, VersionOrder).ThenBy(v => v.Driver, StringComparer.Ordinal)]))
            .OrderBy(s => s.Model, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>Hosts with a queue for one of <paramref name="models"/>, narrowed to tags and host ids when given, with all their queues.</summary>
    public async Task<IReadOnlyList<HostView>> HostsPrintingToAsync(IReadOnlyCollection<string> models, IReadOnlyCollection<string> tags, IReadOnlyCollection<string> hostIds, CancellationToken cancellationToken)
    {
        var where = new List<string>();
        var parameters = new List<(string, object)>();
        string Add(string prefix, IEnumerable<string> values) => string.Join(", ", values.Select((value, i) =>
        {
            parameters.Add(($"${prefix}{i}", value));
            return $"${prefix}{i}";
        }));
        where.Add($"h.host_id IN (SELECT m.host_id FROM ({FleetModels}) m WHERE m.fleet_model COLLATE NOCASE IN ({Add("m", models)}))");
        if (tags.Count > 0)
            where.Add($"h.host_id IN (SELECT device_id FROM device_tags WHERE tag IN ({Add("t", tags)}))");
        if (hostIds.Count > 0)
            where.Add($"h.host_id IN ({Add("h", hostIds)})");
        return await HostsAsync("WHERE " + string.Join(" AND ", where), [.. parameters], cancellationToken);
    }

    private async Task<IReadOnlyList<HostView>> HostsAsync(string where, (string, object)[] parameters, CancellationToken cancellationToken)
    {
        var hosts = await connections.QueryAsync($"SELECT {Schema.Qualified(HostColumns, "h")} FROM hosts h {where} ORDER BY h.host_name, h.host_id;", reader =>
            new HostView(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6),
                [.. reader.GetString(7).Split(',', StringSplitOptions.RemoveEmptyEntries)], reader.GetInt64(8) != 0, reader.GetString(9), reader.GetInt32(10),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11)), []), cancellationToken, parameters);
        if (hosts.Count == 0)
            return [];
        var queues = (await connections.QueryAsync($"""
                SELECT {Schema.Qualified(QueueColumns, "q")}, COALESCE(NULLIF(d.model, ''), q.printer_model)
                FROM host_queues q JOIN hosts h ON h.host_id = q.host_id LEFT JOIN devices d ON d.id = q.device_id {where} ORDER BY q.queue;
                """, reader => ReadQueue(reader, reader.GetString(17)), cancellationToken, parameters))
            .ToLookup(q => q.HostId, StringComparer.Ordinal);
        return [.. hosts.Select(h => h with { Queues = [.. queues[h.HostId]] })];
    }

    private static HostQueueView ReadQueue(SqliteDataReader reader, string model) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), model.Length > 0 ? model : reader.GetString(4), reader.GetString(5),
        reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.GetString(9), reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetString(11),
        reader.GetString(12), reader.GetString(13), reader.GetInt64(14) != 0, reader.GetString(15), reader.GetString(16));

    /// <summary>Newest version first, as dotted numbers; what does not read as a version after.</summary>
    private static readonly Comparer<string> VersionOrder = Comparer<string>.Create((a, b) => FirmwareVersion.Compare(a, b) ?? string.CompareOrdinal(a, b));

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return command;
    }
}
