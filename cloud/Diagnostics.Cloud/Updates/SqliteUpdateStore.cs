using System.Text.Json;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;
using Microsoft.Data.Sqlite;
using ProtoBuf;

namespace Diagnostics.Cloud.Updates;

/// <summary>An update report left by ingestion for the scheduler.</summary>
public sealed record UpdateInboxItem(string DeviceId, ulong Sequence, UpdateReport? Report, DateTimeOffset ReceivedAt);

/// <summary>A device a rollout may target.</summary>
public sealed record UpdateCandidate(string DeviceId, string Model, string Firmware);

public enum PackageInsert
{
    Inserted,
    /// <summary>The same manifest is already in the catalog: publishing again is harmless.</summary>
    AlreadyThere,
    /// <summary>Another manifest has this package id.</summary>
    Conflict,
}

/// <summary>Packages, rollouts, each device's place in them, and the customers' maintenance windows.</summary>
public sealed class SqliteUpdateStore(SqliteConnectionFactory connections)
{
    private const string DeviceColumns = """
        rollout_id, device_id, wave, state, attempt, offer_id, package_id, from_version, running_version, percent, failure, detail,
        approved_by, approved_at_ms, consent_id, first_offered_at_ms, deferred_until_ms, not_before_ms, started_at_ms, finished_at_ms, updated_at_ms
        """;

    private const string RolloutColumns = "id, spec, version, state, halt_reason, current_wave, wave_started_at_ms, created_at_ms, created_by, updated_at_ms";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // ---- packages

    public async Task<PackageInsert> InsertPackageAsync(UpdatePackage package, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(package);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var existing = connection.CreateCommand())
        {
            existing.Transaction = transaction;
            existing.CommandText = "SELECT signed_manifest FROM update_packages WHERE id = $id;";
            existing.Parameters.AddWithValue("$id", package.Id);
            if (await existing.ExecuteScalarAsync(cancellationToken) is byte[] stored)
                return Decode<SignedManifest>(stored).Manifest.AsSpan().SequenceEqual(package.SignedManifest.Manifest) ? PackageInsert.AlreadyThere : PackageInsert.Conflict;
        }
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO update_packages (id, kind, version, models, is_delta, delta_from_version, payload_size, image_size, expires_at_ms, key_id,
                signed_manifest, payload_file, uploaded_at_ms, uploaded_by)
            VALUES ($id, $kind, $version, $models, $delta, $from, $payload, $image, $expires, $key, $signed, $file, $at, $by);
            """;
        var manifest = package.Manifest;
        insert.Parameters.AddWithValue("$id", package.Id);
        insert.Parameters.AddWithValue("$kind", manifest.Kind.ToString().ToLowerInvariant());
        insert.Parameters.AddWithValue("$version", manifest.Version);
        insert.Parameters.AddWithValue("$models", JsonSerializer.Serialize(manifest.Models, Json));
        insert.Parameters.AddWithValue("$delta", manifest.IsDelta ? 1 : 0);
        insert.Parameters.AddWithValue("$from", manifest.DeltaFromVersion);
        insert.Parameters.AddWithValue("$payload", manifest.PayloadSize);
        insert.Parameters.AddWithValue("$image", manifest.ImageSize);
        insert.Parameters.AddWithValue("$expires", manifest.ExpiresUnixMs);
        insert.Parameters.AddWithValue("$key", package.KeyId);
        insert.Parameters.AddWithValue("$signed", Encode(package.SignedManifest));
        insert.Parameters.AddWithValue("$file", package.PayloadFile);
        insert.Parameters.AddWithValue("$at", package.UploadedAt.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$by", package.UploadedBy);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return PackageInsert.Inserted;
    }

    public async Task<UpdatePackage?> GetPackageAsync(string id, CancellationToken cancellationToken) =>
        await ReadPackagesAsync("WHERE id = $id", cancellationToken, ("$id", id)) is [var first, ..] ? first : null;

    public Task<IReadOnlyList<UpdatePackage>> ListPackagesAsync(CancellationToken cancellationToken) =>
        ReadPackagesAsync("ORDER BY uploaded_at_ms DESC", cancellationToken);

    /// <summary>Delta packages to <paramref name="version"/>; the caller picks the one for the device's model and version.</summary>
    public Task<IReadOnlyList<UpdatePackage>> DeltasToAsync(string version, CancellationToken cancellationToken) =>
        ReadPackagesAsync("WHERE version = $version AND is_delta = 1", cancellationToken, ("$version", version));

    private async Task<IReadOnlyList<UpdatePackage>> ReadPackagesAsync(string where, CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        await connections.QueryAsync($"SELECT signed_manifest, key_id, payload_file, uploaded_at_ms, uploaded_by FROM update_packages {where};", reader =>
        {
            var signedManifest = Decode<SignedManifest>((byte[])reader.GetValue(0));
            // Stored only after it verified; decoding it again cannot fail unless the file was edited by hand.
            var manifest = PackageArchive.TryDecodeUnverified(signedManifest, out var error) ?? throw new InvalidDataException($"stored package manifest: {error}");
            return new UpdatePackage(manifest, signedManifest, reader.GetString(1), reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetString(4));
        }, cancellationToken, parameters);

    // ---- devices to target

    /// <summary>Devices of the given models (all when empty), with their firmware, optionally limited to tags or ids.</summary>
    public async Task<IReadOnlyList<UpdateCandidate>> CandidatesAsync(IReadOnlyCollection<string> models, IReadOnlyCollection<string> tags, IReadOnlyCollection<string> deviceIds, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new List<string>();
        if (models.Count > 0)
            where.Add($"model COLLATE NOCASE IN ({Placeholders(command, "m", models)})");
        if (tags.Count > 0)
            where.Add($"id IN (SELECT device_id FROM device_tags WHERE tag IN ({Placeholders(command, "t", tags)}))");
        if (deviceIds.Count > 0)
            where.Add($"id IN ({Placeholders(command, "d", deviceIds)})");
        command.CommandText = $"SELECT id, model, firmware FROM devices {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY id;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var candidates = new List<UpdateCandidate>();
        while (await reader.ReadAsync(cancellationToken))
            candidates.Add(new UpdateCandidate(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        return candidates;
    }

    public async Task<UpdateCandidate?> CandidateAsync(string deviceId, CancellationToken cancellationToken) =>
        await CandidatesAsync([], [], [deviceId], cancellationToken) is [var first, ..] ? first : null;

    /// <summary>Devices already in a rollout that has not ended: a device takes one update at a time.</summary>
    public async Task<IReadOnlySet<string>> DevicesInActiveRolloutsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT d.device_id FROM rollout_devices d JOIN rollouts r ON r.id = d.rollout_id
            WHERE r.state IN ('running', 'paused', 'halted') AND d.state NOT IN ('succeeded', 'failed', 'rolledback', 'declined', 'withdrawn');
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var devices = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            devices.Add(reader.GetString(0));
        return devices;
    }

    public async Task<IReadOnlyList<string>> TagsAsync(string deviceId, CancellationToken cancellationToken) =>
        await connections.QueryAsync("SELECT tag FROM device_tags WHERE device_id = $device ORDER BY tag;", reader => reader.GetString(0), cancellationToken, ("$device", deviceId));

    public async Task SetTagsAsync(string deviceId, IReadOnlyCollection<string> tags, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var delete = connection.CreateCommand())
        {
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM device_tags WHERE device_id = $device;";
            delete.Parameters.AddWithValue("$device", deviceId);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var tag in tags)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT OR IGNORE INTO device_tags (device_id, tag) VALUES ($device, $tag);";
            insert.Parameters.AddWithValue("$device", deviceId);
            insert.Parameters.AddWithValue("$tag", tag);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    // ---- rollouts

    public async Task InsertRolloutAsync(Rollout rollout, IReadOnlyList<RolloutDevice> devices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(devices);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = $"""
                INSERT INTO rollouts (name, package_id, {RolloutColumns})
                VALUES ($name, $package, $id, $spec, $version, $state, $reason, $wave, $waveAt, $created, $by, $updated);
                """;
            insert.Parameters.AddWithValue("$name", rollout.Spec.Name);
            insert.Parameters.AddWithValue("$package", rollout.Spec.PackageId);
            AddRolloutParameters(insert, rollout);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var device in devices)
            await WriteDeviceAsync(connection, transaction, device, cancellationToken);
        await AuditTrail.AppendAsync(connection, transaction, rollout.CreatedAt, rollout.CreatedBy, "rollout.created", "", rollout.Id,
            new Dictionary<string, string?> { ["package"] = rollout.Spec.PackageId, ["version"] = rollout.Version, ["devices"] = devices.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Writes a rollout's state and, in the same transaction, an audit record when <paramref name="actor"/> is given.</summary>
    public async Task SaveRolloutAsync(Rollout rollout, string? actor, string? auditAction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var update = connection.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = """
                UPDATE rollouts SET state = $state, halt_reason = $reason, current_wave = $wave, wave_started_at_ms = $waveAt, updated_at_ms = $updated
                WHERE id = $id;
                """;
            AddRolloutParameters(update, rollout);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        if (actor is not null && auditAction is not null)
            await AuditTrail.AppendAsync(connection, transaction, rollout.UpdatedAt, actor, auditAction, "", rollout.Id,
                new Dictionary<string, string?> { ["state"] = rollout.State.ToStorage(), ["reason"] = rollout.HaltReason, ["wave"] = (rollout.CurrentWave + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) },
                cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<Rollout?> GetRolloutAsync(string id, CancellationToken cancellationToken) =>
        await ReadRolloutsAsync("WHERE id = $id", cancellationToken, ("$id", id)) is [var first, ..] ? first : null;

    public Task<IReadOnlyList<Rollout>> ListRolloutsAsync(CancellationToken cancellationToken) =>
        ReadRolloutsAsync("ORDER BY created_at_ms DESC", cancellationToken);

    public Task<IReadOnlyList<Rollout>> RolloutsInStateAsync(RolloutState state, CancellationToken cancellationToken) =>
        ReadRolloutsAsync("WHERE state = $state ORDER BY created_at_ms", cancellationToken, ("$state", state.ToStorage()));

    private async Task<IReadOnlyList<Rollout>> ReadRolloutsAsync(string where, CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        await connections.QueryAsync($"SELECT {RolloutColumns} FROM rollouts {where};", reader => new Rollout(
            reader.GetString(0),
            JsonSerializer.Deserialize<RolloutSpec>(reader.GetString(1), Json) ?? new RolloutSpec(),
            reader.GetString(2),
            Enum.Parse<RolloutState>(reader.GetString(3), ignoreCase: true),
            reader.GetString(4),
            reader.GetInt32(5),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
            reader.GetString(8),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9))), cancellationToken, parameters);

    private static void AddRolloutParameters(SqliteCommand command, Rollout rollout)
    {
        command.Parameters.AddWithValue("$id", rollout.Id);
        command.Parameters.AddWithValue("$spec", JsonSerializer.Serialize(rollout.Spec, Json));
        command.Parameters.AddWithValue("$version", rollout.Version);
        command.Parameters.AddWithValue("$state", rollout.State.ToStorage());
        command.Parameters.AddWithValue("$reason", rollout.HaltReason);
        command.Parameters.AddWithValue("$wave", rollout.CurrentWave);
        command.Parameters.AddWithValue("$waveAt", rollout.WaveStartedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$created", rollout.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$by", rollout.CreatedBy);
        command.Parameters.AddWithValue("$updated", rollout.UpdatedAt.ToUnixTimeMilliseconds());
    }

    // ---- devices in rollouts

    public Task<IReadOnlyList<RolloutDevice>> DevicesOfRolloutAsync(string rolloutId, CancellationToken cancellationToken) =>
        ReadDevicesAsync("WHERE rollout_id = $rollout ORDER BY wave, device_id", cancellationToken, ("$rollout", rolloutId));

    /// <summary>Every rollout a device is or was in, newest first.</summary>
    public Task<IReadOnlyList<RolloutDevice>> RolloutsOfDeviceAsync(string deviceId, CancellationToken cancellationToken) =>
        ReadDevicesAsync("WHERE device_id = $device ORDER BY updated_at_ms DESC", cancellationToken, ("$device", deviceId));

    public async Task<RolloutDevice?> DeviceByOfferAsync(string offerId, CancellationToken cancellationToken) =>
        await ReadDevicesAsync("WHERE offer_id = $offer", cancellationToken, ("$offer", offerId)) is [var first, ..] ? first : null;

    public async Task<RolloutDevice?> DeviceAsync(string rolloutId, string deviceId, CancellationToken cancellationToken) =>
        await ReadDevicesAsync("WHERE rollout_id = $rollout AND device_id = $device", cancellationToken, ("$rollout", rolloutId), ("$device", deviceId)) is [var first, ..] ? first : null;

    /// <summary>
    /// Writes a device's row only if it is still as <paramref name="seen"/> was (same state and update time), with an
    /// audit record when <paramref name="auditAction"/> is given; false when someone else changed it first.
    /// </summary>
    public async Task<bool> SaveDeviceAsync(RolloutDevice seen, RolloutDevice changed, string? actor, string? auditAction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seen);
        ArgumentNullException.ThrowIfNull(changed);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var check = connection.CreateCommand())
        {
            check.Transaction = transaction;
            check.CommandText = "SELECT COUNT(*) FROM rollout_devices WHERE rollout_id = $rollout AND device_id = $device AND state = $state AND updated_at_ms = $updated;";
            check.Parameters.AddWithValue("$rollout", seen.RolloutId);
            check.Parameters.AddWithValue("$device", seen.DeviceId);
            check.Parameters.AddWithValue("$state", seen.State.ToStorage());
            check.Parameters.AddWithValue("$updated", seen.UpdatedAt.ToUnixTimeMilliseconds());
            if (Convert.ToInt64(await check.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) != 1)
                return false;
        }
        await WriteDeviceAsync(connection, transaction, changed, cancellationToken);
        if (actor is not null && auditAction is not null)
            await AuditTrail.AppendAsync(connection, transaction, changed.UpdatedAt, actor, auditAction, changed.DeviceId, changed.RolloutId,
                new Dictionary<string, string?> { ["state"] = changed.State.ToStorage(), ["offer"] = changed.OfferId, ["package"] = changed.PackageId, ["detail"] = changed.Detail },
                cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static async Task WriteDeviceAsync(SqliteConnection connection, SqliteTransaction transaction, RolloutDevice device, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT OR REPLACE INTO rollout_devices ({DeviceColumns})
            VALUES ($rollout, $device, $wave, $state, $attempt, $offer, $package, $from, $running, $percent, $failure, $detail,
                $approvedBy, $approvedAt, $consent, $firstOffered, $deferred, $notBefore, $started, $finished, $updated);
            """;
        command.Parameters.AddWithValue("$rollout", device.RolloutId);
        command.Parameters.AddWithValue("$device", device.DeviceId);
        command.Parameters.AddWithValue("$wave", device.Wave);
        command.Parameters.AddWithValue("$state", device.State.ToStorage());
        command.Parameters.AddWithValue("$attempt", device.Attempt);
        command.Parameters.AddWithValue("$offer", (object?)device.OfferId ?? DBNull.Value);
        command.Parameters.AddWithValue("$package", (object?)device.PackageId ?? DBNull.Value);
        command.Parameters.AddWithValue("$from", device.FromVersion);
        command.Parameters.AddWithValue("$running", device.RunningVersion);
        command.Parameters.AddWithValue("$percent", device.Percent);
        command.Parameters.AddWithValue("$failure", device.Failure);
        command.Parameters.AddWithValue("$detail", device.Detail);
        command.Parameters.AddWithValue("$approvedBy", (object?)device.ApprovedBy ?? DBNull.Value);
        command.Parameters.AddWithValue("$approvedAt", Ms(device.ApprovedAt));
        command.Parameters.AddWithValue("$consent", (object?)device.ConsentId ?? DBNull.Value);
        command.Parameters.AddWithValue("$firstOffered", Ms(device.FirstOfferedAt));
        command.Parameters.AddWithValue("$deferred", Ms(device.DeferredUntil));
        command.Parameters.AddWithValue("$notBefore", Ms(device.NotBefore));
        command.Parameters.AddWithValue("$started", Ms(device.StartedAt));
        command.Parameters.AddWithValue("$finished", Ms(device.FinishedAt));
        command.Parameters.AddWithValue("$updated", device.UpdatedAt.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<RolloutDevice>> ReadDevicesAsync(string where, CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        await connections.QueryAsync($"SELECT {DeviceColumns} FROM rollout_devices {where};", reader => new RolloutDevice(
            reader.GetString(0), reader.GetString(1), reader.GetInt32(2), Enum.Parse<DeviceUpdateState>(reader.GetString(3), ignoreCase: true),
            reader.GetInt32(4), NullableString(reader, 5), NullableString(reader, 6), reader.GetString(7), reader.GetString(8), reader.GetInt32(9),
            reader.GetString(10), reader.GetString(11), NullableString(reader, 12), Time(reader, 13), NullableString(reader, 14), Time(reader, 15),
            Time(reader, 16), Time(reader, 17), Time(reader, 18), Time(reader, 19), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(20))),
            cancellationToken, parameters);

    // ---- the inbox ingestion fills

    public async Task<IReadOnlyList<UpdateInboxItem>> PeekInboxAsync(int max, CancellationToken cancellationToken) =>
        await connections.QueryAsync("SELECT device_id, seq, envelope, received_at_ms FROM update_inbox ORDER BY device_id, seq LIMIT $max;", reader =>
            new UpdateInboxItem(reader.GetString(0), unchecked((ulong)reader.GetInt64(1)), WireCodec.DecodeUplink((byte[])reader.GetValue(2)).Value?.UpdateReport,
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))), cancellationToken, ("$max", max));

    public async Task RemoveFromInboxAsync(UpdateInboxItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM update_inbox WHERE device_id = $device AND seq = $seq;";
        command.Parameters.AddWithValue("$device", item.DeviceId);
        command.Parameters.AddWithValue("$seq", unchecked((long)item.Sequence));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // ---- health comparison

    /// <summary>
    /// For the devices of a rollout that succeeded: the errors they raised since they finished, the errors they raised
    /// in as long a time just before they began, and the device-hours since they finished; for the devices still
    /// waiting, their errors and device-hours since the first success. One query for the whole rollout, however many
    /// devices it has.
    /// </summary>
    public async Task<(ErrorRates Updated, ErrorRates UpdatedBefore, ErrorRates NotUpdated)> ErrorsAroundUpdateAsync(string rolloutId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var useCaused = Placeholders(command, "c", Conditions.CausedByUse);
        command.CommandText = $"""
            SELECT
                (SELECT COUNT(*) FROM rollout_devices d JOIN device_events e ON e.device_id = d.device_id
                 WHERE d.rollout_id = $rollout AND d.state = 'succeeded' AND d.finished_at_ms < $now
                   AND e.kind = 'Raised' AND e.severity = 'Error' AND e.condition NOT IN ({useCaused})
                   AND e.received_time_ms >= d.finished_at_ms AND e.received_time_ms < $now),
                (SELECT COUNT(*) FROM rollout_devices d JOIN device_events e ON e.device_id = d.device_id
                 WHERE d.rollout_id = $rollout AND d.state = 'succeeded' AND d.finished_at_ms < $now AND d.started_at_ms IS NOT NULL
                   AND e.kind = 'Raised' AND e.severity = 'Error' AND e.condition NOT IN ({useCaused})
                   AND e.received_time_ms >= d.started_at_ms - ($now - d.finished_at_ms) AND e.received_time_ms < d.started_at_ms),
                (SELECT COALESCE(SUM($now - finished_at_ms), 0) FROM rollout_devices
                 WHERE rollout_id = $rollout AND state = 'succeeded' AND finished_at_ms < $now),
                (SELECT COUNT(*) FROM rollout_devices d JOIN device_events e ON e.device_id = d.device_id
                 WHERE d.rollout_id = $rollout AND d.state IN ('pending', 'offered', 'deferred', 'approved')
                   AND e.kind = 'Raised' AND e.severity = 'Error' AND e.condition NOT IN ({useCaused})
                   AND e.received_time_ms >= (SELECT MIN(finished_at_ms) FROM rollout_devices WHERE rollout_id = $rollout AND state = 'succeeded')
                   AND e.received_time_ms < $now),
                (SELECT COUNT(*) FROM rollout_devices WHERE rollout_id = $rollout AND state IN ('pending', 'offered', 'deferred', 'approved')),
                (SELECT $now - MIN(finished_at_ms) FROM rollout_devices WHERE rollout_id = $rollout AND state = 'succeeded');
            """;
        command.Parameters.AddWithValue("$rollout", rolloutId);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var hours = reader.GetInt64(2) / 3_600_000.0;
        var sinceFirstSuccess = reader.IsDBNull(5) ? 0 : reader.GetInt64(5) / 3_600_000.0;
        return (new ErrorRates(reader.GetInt32(0), hours), new ErrorRates(reader.GetInt32(1), hours), new ErrorRates(reader.GetInt32(3), reader.GetInt32(4) * sinceFirstSuccess));
    }

    // ---- maintenance windows

    public async Task<MaintenanceWindow> WindowAsync(string deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT from_minute, to_minute, time_zone, not_while_printing FROM maintenance_windows WHERE device_id = $device;";
        command.Parameters.AddWithValue("$device", deviceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new MaintenanceWindow(reader.GetInt32(0), reader.GetInt32(1), reader.GetString(2), reader.GetInt32(3) != 0)
            : MaintenanceWindow.Default;
    }

    public async Task SetWindowAsync(string deviceId, MaintenanceWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO maintenance_windows (device_id, from_minute, to_minute, time_zone, not_while_printing) VALUES ($device, $from, $to, $zone, $idle)
            ON CONFLICT (device_id) DO UPDATE SET from_minute = $from, to_minute = $to, time_zone = $zone, not_while_printing = $idle;
            """;
        command.Parameters.AddWithValue("$device", deviceId);
        command.Parameters.AddWithValue("$from", window.FromMinute);
        command.Parameters.AddWithValue("$to", window.ToMinute);
        command.Parameters.AddWithValue("$zone", window.TimeZone);
        command.Parameters.AddWithValue("$idle", window.NotWhilePrinting ? 1 : 0);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Placeholders(SqliteCommand command, string prefix, IEnumerable<string> values)
    {
        var names = new List<string>();
        foreach (var value in values)
        {
            var name = $"${prefix}{names.Count}";
            command.Parameters.AddWithValue(name, value);
            names.Add(name);
        }
        return string.Join(", ", names);
    }

    private static object Ms(DateTimeOffset? time) => time is { } t ? t.ToUnixTimeMilliseconds() : DBNull.Value;

    private static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    internal static byte[] Encode<T>(T value)
    {
        using var stream = new MemoryStream();
        Serializer.Serialize(stream, value);
        return stream.ToArray();
    }

    private static T Decode<T>(byte[] bytes) => Serializer.Deserialize<T>(bytes.AsSpan());
}
