using System.Globalization;
using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Updates;

/// <summary>
/// Rollouts and each device's place in them. Every change a person or the scheduler makes is written with its audit
/// record in one transaction; a device's row changes only from the state it was read in.
/// </summary>
public sealed class RolloutStore(Database database)
{
    private const string RolloutColumns = "id, spec, version, state, halt_reason, current_wave, wave_started_at_ms, created_at_ms, created_by, updated_at_ms";

    private const string DeviceColumns = """
        rollout_id, device_id, wave, state, attempt, offer_id, package_id, from_version, running_version, percent, failure, detail,
        approved_by, approved_at_ms, consent_id, first_offered_at_ms, deferred_until_ms, not_before_ms, started_at_ms, finished_at_ms, updated_at_ms, device_detail
        """;

    static RolloutStore()
    {
        StorageMapping.AddJson<RolloutSpec>();
        StorageMapping.AddJson<UpdateDetail>();
    }

    public async Task InsertRolloutAsync(Rollout rollout, IReadOnlyList<RolloutDevice> devices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(devices);
        await using var db = await database.BeginAsync(cancellationToken);
        await db.ExecuteAsync($"""
            INSERT INTO rollouts (name, package_id, {RolloutColumns})
            VALUES (@name, @packageId, @Id, @Spec, @Version, @State, @HaltReason, @CurrentWave, @WaveStartedAt, @CreatedAt, @CreatedBy, @UpdatedAt);
            """, new
        {
            name = rollout.Spec.Name, packageId = rollout.Spec.PackageId, rollout.Id, rollout.Spec, rollout.Version, rollout.State, rollout.HaltReason,
            rollout.CurrentWave, rollout.WaveStartedAt, rollout.CreatedAt, rollout.CreatedBy, rollout.UpdatedAt,
        }, cancellationToken);
        foreach (var device in devices)
            await WriteDeviceAsync(db, device, cancellationToken);
        await AuditTrail.AppendAsync(db, rollout.CreatedAt, rollout.CreatedBy, "rollout.created", "", rollout.Id,
            new Dictionary<string, string?> { ["package"] = rollout.Spec.PackageId, ["version"] = rollout.Version, ["devices"] = devices.Count.ToString(CultureInfo.InvariantCulture) },
            cancellationToken);
        await db.CommitAsync(cancellationToken);
    }

    /// <summary>Writes a rollout's state and, in the same transaction, an audit record when <paramref name="actor"/> is given.</summary>
    public async Task SaveRolloutAsync(Rollout rollout, string? actor, string? auditAction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        await using var db = await database.BeginAsync(cancellationToken);
        await db.ExecuteAsync("""
            UPDATE rollouts SET state = @State, halt_reason = @HaltReason, current_wave = @CurrentWave, wave_started_at_ms = @WaveStartedAt, updated_at_ms = @UpdatedAt
            WHERE id = @Id;
            """, new { rollout.Id, rollout.State, rollout.HaltReason, rollout.CurrentWave, rollout.WaveStartedAt, rollout.UpdatedAt }, cancellationToken);
        if (actor is not null && auditAction is not null)
        {
            await AuditTrail.AppendAsync(db, rollout.UpdatedAt, actor, auditAction, "", rollout.Id,
                new Dictionary<string, string?> { ["state"] = rollout.State.ToStorage(), ["reason"] = rollout.HaltReason, ["wave"] = (rollout.CurrentWave + 1).ToString(CultureInfo.InvariantCulture) },
                cancellationToken);
        }
        await db.CommitAsync(cancellationToken);
    }

    public Task<Rollout?> GetRolloutAsync(string id, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<Rollout>($"SELECT {RolloutColumns} FROM rollouts WHERE id = @id;", new { id }, cancellationToken);

    public Task<IReadOnlyList<Rollout>> ListRolloutsAsync(CancellationToken cancellationToken) =>
        database.QueryAsync<Rollout>($"SELECT {RolloutColumns} FROM rollouts ORDER BY created_at_ms DESC;", null, cancellationToken);

    public Task<IReadOnlyList<Rollout>> RolloutsInStateAsync(RolloutState state, CancellationToken cancellationToken) =>
        database.QueryAsync<Rollout>($"SELECT {RolloutColumns} FROM rollouts WHERE state = @state ORDER BY created_at_ms;", new { state }, cancellationToken);

    // ---- devices in rollouts

    public Task<IReadOnlyList<RolloutDevice>> DevicesOfRolloutAsync(string rolloutId, CancellationToken cancellationToken) =>
        DevicesWhereAsync("rollout_id = @rolloutId ORDER BY wave, device_id", new { rolloutId }, cancellationToken);

    /// <summary>Every rollout a device is or was in, newest first.</summary>
    public Task<IReadOnlyList<RolloutDevice>> RolloutsOfDeviceAsync(string deviceId, CancellationToken cancellationToken) =>
        DevicesWhereAsync("device_id = @deviceId ORDER BY updated_at_ms DESC", new { deviceId }, cancellationToken);

    public Task<RolloutDevice?> DeviceByOfferAsync(string offerId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<RolloutDevice>($"SELECT {DeviceColumns} FROM rollout_devices WHERE offer_id = @offerId;", new { offerId }, cancellationToken);

    public Task<RolloutDevice?> DeviceAsync(string rolloutId, string deviceId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<RolloutDevice>($"SELECT {DeviceColumns} FROM rollout_devices WHERE rollout_id = @rolloutId AND device_id = @deviceId;",
            new { rolloutId, deviceId }, cancellationToken);

    /// <summary>Devices already in a rollout that has not ended: a device takes one update at a time.</summary>
    public async Task<IReadOnlySet<string>> DevicesInActiveRolloutsAsync(CancellationToken cancellationToken) =>
        (await database.QueryAsync<string>("""
            SELECT d.device_id FROM rollout_devices d JOIN rollouts r ON r.id = d.rollout_id
            WHERE r.state IN ('running', 'paused', 'halted') AND d.state NOT IN ('succeeded', 'failed', 'rolledback', 'declined', 'withdrawn');
            """, null, cancellationToken)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Writes a device's row only if it is still as <paramref name="seen"/> was (same state and update time), with an
    /// audit record when <paramref name="auditAction"/> is given; false when someone else changed it first.
    /// </summary>
    public async Task<bool> SaveDeviceAsync(RolloutDevice seen, RolloutDevice changed, string? actor, string? auditAction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seen);
        ArgumentNullException.ThrowIfNull(changed);
        await using var db = await database.BeginAsync(cancellationToken);
        if (await db.QueryFirstOrDefaultAsync<long>(
                "SELECT COUNT(*) FROM rollout_devices WHERE rollout_id = @RolloutId AND device_id = @DeviceId AND state = @State AND updated_at_ms = @UpdatedAt;",
                new { seen.RolloutId, seen.DeviceId, seen.State, seen.UpdatedAt }, cancellationToken) != 1)
        {
            return false;
        }
        await WriteDeviceAsync(db, changed, cancellationToken);
        if (actor is not null && auditAction is not null)
        {
            await AuditTrail.AppendAsync(db, changed.UpdatedAt, actor, auditAction, changed.DeviceId, changed.RolloutId,
                new Dictionary<string, string?> { ["state"] = changed.State.ToStorage(), ["offer"] = changed.OfferId, ["package"] = changed.PackageId, ["detail"] = changed.Detail },
                cancellationToken);
        }
        await db.CommitAsync(cancellationToken);
        return true;
    }

    // A device's coded detail is kept only beside the words it came with: a later note of the service's own (approved,
    // put off, halted) replaces the words, and the code must not outlive them.
    private static Task<int> WriteDeviceAsync(DbSession db, RolloutDevice device, CancellationToken cancellationToken) =>
        db.ExecuteAsync($"""
            INSERT INTO rollout_devices ({DeviceColumns})
            VALUES (@RolloutId, @DeviceId, @Wave, @State, @Attempt, @OfferId, @PackageId, @FromVersion, @RunningVersion, @Percent, @Failure, @Detail,
                @ApprovedBy, @ApprovedAt, @ConsentId, @FirstOfferedAt, @DeferredUntil, @NotBefore, @StartedAt, @FinishedAt, @UpdatedAt, @DeviceDetail)
            ON CONFLICT (rollout_id, device_id) DO UPDATE SET wave = excluded.wave, state = excluded.state, attempt = excluded.attempt,
                offer_id = excluded.offer_id, package_id = excluded.package_id, from_version = excluded.from_version, running_version = excluded.running_version,
                percent = excluded.percent, failure = excluded.failure, detail = excluded.detail, approved_by = excluded.approved_by,
                approved_at_ms = excluded.approved_at_ms, consent_id = excluded.consent_id, first_offered_at_ms = excluded.first_offered_at_ms,
                deferred_until_ms = excluded.deferred_until_ms, not_before_ms = excluded.not_before_ms, started_at_ms = excluded.started_at_ms,
                finished_at_ms = excluded.finished_at_ms, updated_at_ms = excluded.updated_at_ms, device_detail = excluded.device_detail;
            """, device.DeviceDetail is { } said && said.Text != device.Detail ? device with { DeviceDetail = null } : device, cancellationToken);

    private Task<IReadOnlyList<RolloutDevice>> DevicesWhereAsync(string condition, object parameters, CancellationToken cancellationToken) =>
        database.QueryAsync<RolloutDevice>($"SELECT {DeviceColumns} FROM rollout_devices WHERE {condition};", parameters, cancellationToken);

    // ---- health comparison

    /// <summary>
    /// For the devices of a rollout that succeeded: the errors they raised since they finished, the errors they raised
    /// in as long a time just before they began, and the device-hours since they finished; for the devices still
    /// waiting, their errors and device-hours since the first success. One query for the whole rollout, however many
    /// devices it has.
    /// </summary>
    public async Task<(ErrorRates Updated, ErrorRates UpdatedBefore, ErrorRates NotUpdated)> ErrorsAroundUpdateAsync(string rolloutId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Events are stored with the protocol's enum names ('Raised', 'Error') by ingestion.
        var notUseCaused = database.Dialect.NotInList("e.condition", "@useCaused");
        var counts = (await database.QueryFirstOrDefaultAsync<ErrorCounts>($"""
            SELECT
                (SELECT COUNT(*) FROM rollout_devices d JOIN device_events e ON e.device_id = d.device_id
                 WHERE d.rollout_id = @rolloutId AND d.state = 'succeeded' AND d.finished_at_ms < @now
                   AND e.kind = 'Raised' AND e.severity = 'Error' AND {notUseCaused}
                   AND e.received_time_ms >= d.finished_at_ms AND e.received_time_ms < @now) AS updated_errors,
                (SELECT COUNT(*) FROM rollout_devices d JOIN device_events e ON e.device_id = d.device_id
                 WHERE d.rollout_id = @rolloutId AND d.state = 'succeeded' AND d.finished_at_ms < @now AND d.started_at_ms IS NOT NULL
                   AND e.kind = 'Raised' AND e.severity = 'Error' AND {notUseCaused}
                   AND e.received_time_ms >= d.started_at_ms - (@now - d.finished_at_ms) AND e.received_time_ms < d.started_at_ms) AS errors_before,
                (SELECT COALESCE(SUM(@now - finished_at_ms), 0) FROM rollout_devices
                 WHERE rollout_id = @rolloutId AND state = 'succeeded' AND finished_at_ms < @now) AS updated_ms,
                (SELECT COUNT(*) FROM rollout_devices d JOIN device_events e ON e.device_id = d.device_id
                 WHERE d.rollout_id = @rolloutId AND d.state IN ('pending', 'offered', 'deferred', 'approved')
                   AND e.kind = 'Raised' AND e.severity = 'Error' AND {notUseCaused}
                   AND e.received_time_ms >= (SELECT MIN(finished_at_ms) FROM rollout_devices WHERE rollout_id = @rolloutId AND state = 'succeeded')
                   AND e.received_time_ms < @now) AS waiting_errors,
                (SELECT COUNT(*) FROM rollout_devices WHERE rollout_id = @rolloutId AND state IN ('pending', 'offered', 'deferred', 'approved')) AS waiting,
                (SELECT @now - MIN(finished_at_ms) FROM rollout_devices WHERE rollout_id = @rolloutId AND state = 'succeeded') AS since_first_success_ms;
            """, new { rolloutId, now = now.ToUnixTimeMilliseconds(), useCaused = Conditions.CausedByUse.ToArray() }, cancellationToken))!;
        var hours = counts.UpdatedMs / 3_600_000.0;
        var sinceFirstSuccess = (counts.SinceFirstSuccessMs ?? 0) / 3_600_000.0;
        return (new ErrorRates((int)counts.UpdatedErrors, hours), new ErrorRates((int)counts.ErrorsBefore, hours),
            new ErrorRates((int)counts.WaitingErrors, counts.Waiting * sinceFirstSuccess));
    }

    private sealed record ErrorCounts(long UpdatedErrors, long ErrorsBefore, long UpdatedMs, long WaitingErrors, long Waiting, long? SinceFirstSuccessMs);
}
