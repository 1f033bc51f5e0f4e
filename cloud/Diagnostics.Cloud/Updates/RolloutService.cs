using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Localization;
using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Updates;

/// <summary>What someone asked of a rollout that could not be done, for the API to answer.</summary>
public enum RolloutError
{
    None,
    NotFound,
    /// <summary>The request itself is wrong (unknown package, bad waves, nothing to target).</summary>
    Invalid,
    /// <summary>Not possible in the state it is in (resume a completed rollout, approve what was declined).</summary>
    WrongState,
}

public sealed record RolloutResult<T>(T? Value, RolloutError Error, string Detail) where T : class
{
    public static RolloutResult<T> Ok(T value, string detail = "") => new(value, RolloutError.None, detail);

    public static RolloutResult<T> Fail(RolloutError error, string detail) => new(null, error, detail);
}

/// <summary>
/// Staged rollouts: targets devices, spreads them over waves, offers the update to each device with its customer's
/// consent at a paced moment inside the customer's maintenance window, follows what each device reports, advances a
/// wave only when it is healthy and halts the rollout by itself when a wave fails too often or makes devices worse.
/// The decisions of a pass are <see cref="WaveAdvancer"/>'s; the offers go out through <see cref="UpdateOfferPublisher"/>.
/// </summary>
public sealed partial class RolloutService(
    RolloutStore rolloutStore, RolloutTargets targets, UpdateInboxStore inboxStore,
    PackageCatalog catalog,
    IAccountStore accounts,
    ConsentPolicies consents,
    UpdateOfferPublisher offers,
    FleetChanges changes,
    IOptions<UpdateOptions> options,
    TimeProvider time,
    CloudMetrics metrics,
    ILogger<RolloutService> logger)
{
    /// <summary>The actor recorded for what the scheduler decides by itself.</summary>
    public const string SchedulerActor = "rollout-scheduler";

    private UpdateOptions Options => options.Value;

    // ---- release engineers

    public async Task<RolloutResult<Rollout>> CreateAsync(RolloutSpec spec, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var package = await catalog.GetAsync(spec.PackageId, cancellationToken);
        if (package is null)
            return RolloutResult<Rollout>.Fail(RolloutError.Invalid, UpdateExplanations.Text("NoSuchPackage", spec.PackageId));
        var manifest = package.Manifest;
        if (manifest.IsDelta)
            return RolloutResult<Rollout>.Fail(RolloutError.Invalid, UpdateExplanations.Text("DeltaNotRollable", spec.PackageId, manifest.Version));
        var now = time.GetUtcNow();
        if (manifest.ExpiresUnixMs <= now.ToUnixTimeMilliseconds())
            return RolloutResult<Rollout>.Fail(RolloutError.Invalid, UpdateExplanations.Text("PackageExpired", spec.PackageId, DateTimeOffset.FromUnixTimeMilliseconds(manifest.ExpiresUnixMs)));
        if (RolloutPlanning.DescribeWaveProblem(spec.Waves) is { } waveProblem)
            return RolloutResult<Rollout>.Fail(RolloutError.Invalid, waveProblem);
        if (spec.FailureThresholdPercent is < 0 or > 100 || spec.WaveWindowSeconds < 0 || spec.MaxDeferralSeconds < 0 || spec.HealthCheckSeconds is < 10 or > 86_400)
            return RolloutResult<Rollout>.Fail(RolloutError.Invalid, UpdateExplanations.Text("RolloutLimits"));

        var models = spec.Models.Count > 0 ? [.. spec.Models.Where(m => manifest.Models.Contains(m, StringComparer.OrdinalIgnoreCase))] : manifest.Models;
        if (models.Count == 0)
            return RolloutResult<Rollout>.Fail(RolloutError.Invalid, UpdateExplanations.Text("NoModelAskedFor", string.Join(", ", manifest.Models)));
        var busy = await rolloutStore.DevicesInActiveRolloutsAsync(cancellationToken);
        var (candidates, leftOut) = await targets.FindAsync(manifest, models, spec, now, cancellationToken);
        var targeted = new List<string>();
        var skipped = new Dictionary<SkipReason, int>(leftOut);
        foreach (var device in candidates)
        {
            if (ReasonToSkip(device, manifest, spec, busy) is { } reason)
                skipped[reason] = skipped.GetValueOrDefault(reason) + 1;
            else
                targeted.Add(device.DeviceId);
        }
        var skippedText = SkipReason.Describe(skipped);
        if (targeted.Count == 0)
            return RolloutResult<Rollout>.Fail(RolloutError.Invalid, manifest.Kind == PackageKind.Driver
                ? UpdateExplanations.Text(skipped.Count > 0 ? "NoHostToUpdateSkipped" : "NoHostToUpdate", candidates.Count + leftOut.Values.Sum(), LocalizedTexts.List(models), skippedText)
                : UpdateExplanations.Text(skipped.Count > 0 ? "NoDeviceToUpdateSkipped" : "NoDeviceToUpdate", candidates.Count, skippedText));

        var id = $"ro-{now:yyyyMMdd}-{Guid.NewGuid().ToString("N")[..8]}";
        spec = spec with { Name = string.IsNullOrWhiteSpace(spec.Name) ? RolloutNotes.DefaultName(manifest.PackageId, models.Count) : spec.Name.Trim(), Models = models };
        var rollout = new Rollout(id, spec, manifest.Version, RolloutState.Running, "", 0, now, now, actor, now);
        var firmware = candidates.ToDictionary(c => c.DeviceId, c => c.Firmware, StringComparer.Ordinal);
        var devices = RolloutPlanning.AssignWaves(id, targeted, spec.Waves)
            .Select(a => new RolloutDevice(id, a.DeviceId, a.Wave, DeviceUpdateState.Pending, 0, null, null, firmware[a.DeviceId], firmware[a.DeviceId], 0, "", "",
                null, null, null, null, null, null, null, null, now))
            .ToList();
        await rolloutStore.InsertRolloutAsync(rollout, devices, cancellationToken);
        LogCreated(id, manifest.PackageId, devices.Count, spec.Waves.Count, actor);
        return RolloutResult<Rollout>.Ok(rollout, skipped.Count > 0 ? UpdateExplanations.Text("Skipped", skippedText) : "");
    }

    private static SkipReason? ReasonToSkip(UpdateCandidate device, UpdateManifest manifest, RolloutSpec spec, IReadOnlySet<string> busy)
    {
        if (busy.Contains(device.DeviceId))
            return new SkipReason("Skip.InAnotherRollout");
        if (spec.FromVersions.Count > 0 && !spec.FromVersions.Any(v => FirmwareVersion.Compare(v, device.Firmware) == 0))
            return new SkipReason("Skip.NotAskedVersion");
        // A host's driver versions were judged by the host check already (RolloutTargets).
        if (manifest.Kind == PackageKind.Driver)
            return null;
        var order = FirmwareVersion.Compare(manifest.Version, device.Firmware);
        if (manifest.IsRollbackRelease ? order == 0 : order is null or <= 0)
            return new SkipReason(order == 0 ? "Skip.AlreadyOnIt" : "Skip.NewerOrUnknown");
        if (manifest.MinimumFromVersion.Length > 0 && FirmwareVersion.Compare(device.Firmware, manifest.MinimumFromVersion) is null or < 0)
            return new SkipReason("Skip.TooOld", manifest.MinimumFromVersion);
        return null;
    }

    public Task<RolloutResult<Rollout>> PauseAsync(string id, string actor, CancellationToken cancellationToken) =>
        StopAsync(id, RolloutState.Paused, "", actor, cancellationToken);

    public Task<RolloutResult<Rollout>> CancelAsync(string id, string actor, CancellationToken cancellationToken) =>
        StopAsync(id, RolloutState.Cancelled, "", actor, cancellationToken);

    public async Task<RolloutResult<Rollout>> ResumeAsync(string id, string actor, CancellationToken cancellationToken)
    {
        var rollout = await rolloutStore.GetRolloutAsync(id, cancellationToken);
        if (rollout is null)
            return RolloutResult<Rollout>.Fail(RolloutError.NotFound, UpdateExplanations.Text("NoSuchRollout", id));
        if (rollout.State is not (RolloutState.Paused or RolloutState.Halted))
            return RolloutResult<Rollout>.Fail(RolloutError.WrongState, UpdateExplanations.Text("OnlyStoppedResumes", id, rollout.State.ToStorage()));
        var now = time.GetUtcNow();
        // The wave starts over: its devices get their moments in a fresh window, not all at once on resume.
        var resumed = rollout with { State = RolloutState.Running, HaltReason = "", WaveStartedAt = now, UpdatedAt = now };
        await rolloutStore.SaveRolloutAsync(resumed, actor, "rollout.resumed", cancellationToken);
        LogStateChanged(id, resumed.State, actor, "");
        return RolloutResult<Rollout>.Ok(resumed);
    }

    private async Task<RolloutResult<Rollout>> StopAsync(string id, RolloutState state, string reason, string actor, CancellationToken cancellationToken)
    {
        var rollout = await rolloutStore.GetRolloutAsync(id, cancellationToken);
        if (rollout is null)
            return RolloutResult<Rollout>.Fail(RolloutError.NotFound, UpdateExplanations.Text("NoSuchRollout", id));
        var allowed = state == RolloutState.Cancelled ? rollout.IsActive : rollout.State == RolloutState.Running;
        if (!allowed)
            return RolloutResult<Rollout>.Fail(RolloutError.WrongState, UpdateExplanations.Text("RolloutOver", id, rollout.State.ToStorage()));
        var now = time.GetUtcNow();
        var stopped = rollout with { State = state, HaltReason = reason, UpdatedAt = now };
        await rolloutStore.SaveRolloutAsync(stopped, actor, $"rollout.{state.ToStorage()}", cancellationToken);
        await WithdrawWaitingAsync(stopped, cancellationToken);
        if (state == RolloutState.Halted)
            LogHalted(id, reason);
        else
            LogStateChanged(id, state, actor, reason);
        return RolloutResult<Rollout>.Ok(stopped);
    }

    /// <summary>
    /// Takes back every offer a device has not begun: it goes back to pending (keeping an approval already given, for a
    /// resume) or, when the rollout ends, to withdrawn. A device that has begun finishes; stopping it halfway is worse.
    /// </summary>
    private async Task WithdrawWaitingAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        var ends = rollout.State == RolloutState.Cancelled;
        foreach (var device in await rolloutStore.DevicesOfRolloutAsync(rollout.Id, cancellationToken))
        {
            if (!device.State.IsWaiting() || (device.State == DeviceUpdateState.Pending && !ends))
                continue;
            var now = time.GetUtcNow();
            var changed = device with
            {
                State = ends ? DeviceUpdateState.Withdrawn : DeviceUpdateState.Pending,
                Detail = RolloutNotes.Write(ends ? "Detail.CancelledBeforeStart" : rollout.State == RolloutState.Halted ? "Detail.RolloutHalted" : "Detail.RolloutPaused"),
                FinishedAt = ends ? now : null,
                UpdatedAt = RolloutPlanning.Later(device.UpdatedAt, now),
            };
            if (!await rolloutStore.SaveDeviceAsync(device, changed, null, null, cancellationToken))
                continue;
            if (device.State == DeviceUpdateState.Approved && device.OfferId is { } offerId)
                await offers.WithdrawAsync(device.DeviceId, offerId, cancellationToken);
            Announce(device.DeviceId, now);
        }
    }

    // ---- customers

    /// <summary>The customer approves the update for a device: it goes out at the device's moment in its wave.</summary>
    public async Task<RolloutResult<RolloutDevice>> ApproveAsync(string rolloutId, string deviceId, string actor, CancellationToken cancellationToken)
    {
        var (rollout, device, error) = await FindAsync(rolloutId, deviceId, cancellationToken);
        if (error is not null)
            return error;
        if (device!.State is not (DeviceUpdateState.Offered or DeviceUpdateState.Deferred))
            return RolloutResult<RolloutDevice>.Fail(RolloutError.WrongState, UpdateExplanations.Text("NothingToApprove", device.State.ToStorage()));
        var now = time.GetUtcNow();
        var approved = device with
        {
            State = DeviceUpdateState.Pending,
            ApprovedBy = actor,
            ApprovedAt = now,
            ConsentId = $"upd-{Guid.NewGuid():N}",
            DeferredUntil = null,
            Detail = "",
            UpdatedAt = RolloutPlanning.Later(device.UpdatedAt, now),
        };
        if (!await rolloutStore.SaveDeviceAsync(device, approved, actor, "update.approved", cancellationToken))
            return RolloutResult<RolloutDevice>.Fail(RolloutError.WrongState, UpdateExplanations.Text("ChangedMeanwhile"));
        var sent = rollout!.State == RolloutState.Running ? await offers.OfferAsync(rollout, approved, cancellationToken) : approved;
        Announce(deviceId, now);
        return RolloutResult<RolloutDevice>.Ok(sent);
    }

    public async Task<RolloutResult<RolloutDevice>> DeclineAsync(string rolloutId, string deviceId, string actor, CancellationToken cancellationToken)
    {
        var (_, device, error) = await FindAsync(rolloutId, deviceId, cancellationToken);
        if (error is not null)
            return error;
        if (device!.State is not (DeviceUpdateState.Offered or DeviceUpdateState.Deferred or DeviceUpdateState.Approved))
            return RolloutResult<RolloutDevice>.Fail(RolloutError.WrongState, UpdateExplanations.Text("NoLongerDeclinable", device.State.ToStorage()));
        var now = time.GetUtcNow();
        var declined = device with { State = DeviceUpdateState.Declined, Detail = RolloutNotes.Write("Detail.Declined", actor), FinishedAt = now, UpdatedAt = RolloutPlanning.Later(device.UpdatedAt, now) };
        if (!await rolloutStore.SaveDeviceAsync(device, declined, actor, "update.declined", cancellationToken))
            return RolloutResult<RolloutDevice>.Fail(RolloutError.WrongState, UpdateExplanations.Text("ChangedMeanwhile"));
        if (device.State == DeviceUpdateState.Approved && device.OfferId is { } offerId)
            await offers.WithdrawAsync(deviceId, offerId, cancellationToken);
        Announce(deviceId, now);
        return RolloutResult<RolloutDevice>.Ok(declined);
    }

    /// <summary>"Remind me later": put off until <see cref="UpdateOptions.RemindLaterBy"/> from now, within the release's maximum deferral.</summary>
    public async Task<RolloutResult<RolloutDevice>> RemindLaterAsync(string rolloutId, string deviceId, string actor, CancellationToken cancellationToken)
    {
        var (rollout, device, error) = await FindAsync(rolloutId, deviceId, cancellationToken);
        if (error is not null)
            return error;
        if (device!.State is not (DeviceUpdateState.Offered or DeviceUpdateState.Deferred or DeviceUpdateState.Approved))
            return RolloutResult<RolloutDevice>.Fail(RolloutError.WrongState, UpdateExplanations.Text("NoLongerDeferrable", device.State.ToStorage()));
        var now = time.GetUtcNow();
        var limit = (device.FirstOfferedAt ?? now) + TimeSpan.FromSeconds(rollout!.Spec.MaxDeferralSeconds);
        if (now >= limit)
            return RolloutResult<RolloutDevice>.Fail(RolloutError.WrongState,
                UpdateExplanations.Text("DeferredLongEnough", FormatDuration(TimeSpan.FromSeconds(rollout.Spec.MaxDeferralSeconds))));
        var until = now + Options.RemindLaterBy < limit ? now + Options.RemindLaterBy : limit;
        var deferred = device with { State = DeviceUpdateState.Deferred, DeferredUntil = until, Detail = RolloutNotes.Write("Detail.PutOff", RolloutNotes.Time(until), actor), UpdatedAt = RolloutPlanning.Later(device.UpdatedAt, now) };
        if (!await rolloutStore.SaveDeviceAsync(device, deferred, actor, "update.deferred", cancellationToken))
            return RolloutResult<RolloutDevice>.Fail(RolloutError.WrongState, UpdateExplanations.Text("ChangedMeanwhile"));
        if (device.State == DeviceUpdateState.Approved && device.OfferId is { } offerId)
            await offers.WithdrawAsync(deviceId, offerId, cancellationToken);
        Announce(deviceId, now);
        return RolloutResult<RolloutDevice>.Ok(deferred);
    }

    private async Task<(Rollout? Rollout, RolloutDevice? Device, RolloutResult<RolloutDevice>? Error)> FindAsync(string rolloutId, string deviceId, CancellationToken cancellationToken)
    {
        var rollout = await rolloutStore.GetRolloutAsync(rolloutId, cancellationToken);
        var device = rollout is null ? null : await rolloutStore.DeviceAsync(rolloutId, deviceId, cancellationToken);
        if (rollout is null || device is null)
            return (null, null, RolloutResult<RolloutDevice>.Fail(RolloutError.NotFound, UpdateExplanations.Text("NotInRollout", deviceId, rolloutId)));
        if (rollout.State is RolloutState.Cancelled or RolloutState.Completed)
            return (null, null, RolloutResult<RolloutDevice>.Fail(RolloutError.WrongState, UpdateExplanations.Text("RolloutOver", rolloutId, rollout.State.ToStorage())));
        return (rollout, device, null);
    }

    // ---- the scheduler's pass

    /// <summary>
    /// One pass: applies what devices reported, then moves every running rollout on. <paramref name="republish"/> sends
    /// every outstanding offer again (after a start, when the broker may have lost what it retained).
    /// </summary>
    public async Task PassAsync(bool republish, CancellationToken cancellationToken)
    {
        await ApplyReportsAsync(cancellationToken);
        foreach (var rollout in await rolloutStore.RolloutsInStateAsync(RolloutState.Running, cancellationToken))
        {
            try
            {
                await AdvanceAsync(rollout, republish, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // One rollout's trouble must not stop the others.
                metrics.Error("updates.rollout");
                LogRolloutFailed(exception, rollout.Id);
            }
        }
    }

    private async Task ApplyReportsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var items = await inboxStore.PeekInboxAsync(256, cancellationToken);
            foreach (var item in items)
            {
                await ApplyReportAsync(item, cancellationToken);
                await inboxStore.RemoveFromInboxAsync(item, cancellationToken);
            }
            if (items.Count < 256)
                return;
        }
    }

    private async Task ApplyReportAsync(UpdateInboxItem item, CancellationToken cancellationToken)
    {
        var report = item.Report;
        var device = report is null || report.OfferId.Length == 0 ? null : await rolloutStore.DeviceByOfferAsync(report.OfferId, cancellationToken);
        // A report for an offer this device was never made (another device's offer id, or none) changes nothing.
        if (report is null || device is null || device.DeviceId != item.DeviceId || DeviceUpdateStates.FromPhase(report.Phase) is not { } state)
        {
            metrics.Rejected("update-report-unknown");
            LogUnknownReport(item.DeviceId, report?.OfferId ?? "", report?.Phase.ToString() ?? "undecodable");
            return;
        }
        var rollout = await rolloutStore.GetRolloutAsync(device.RolloutId, cancellationToken);
        var detail = report.Detail;
        // Success is the device running the new version after its reboot: a report that says so for another version is a failure.
        if (state == DeviceUpdateState.Succeeded && rollout is not null && FirmwareVersion.Compare(report.RunningVersion, rollout.Version) != 0)
        {
            state = DeviceUpdateState.Failed;
            detail = report.RunningVersion.Length == 0
                ? RolloutNotes.Write("Detail.SuccessOnUnnamedVersion", rollout.Version)
                : RolloutNotes.Write("Detail.SuccessOnOtherVersion", report.RunningVersion, rollout.Version);
        }
        var now = time.GetUtcNow();
        var changed = device with
        {
            State = state,
            Percent = state == DeviceUpdateState.Downloading ? Math.Clamp(report.Percent, 0, 100) : state.IsFinished() || state.HasStarted() && state != DeviceUpdateState.Downloading ? 100 : device.Percent,
            Failure = report.Failure == UpdateFailure.None ? "" : report.Failure.ToString(),
            Detail = detail,
            // Coded by an agent that codes its details; the store keeps it only while the words are the device's.
            DeviceDetail = report.DetailCode.Length > 0 ? report.ReadDetail() : null,
            RunningVersion = report.RunningVersion.Length > 0 ? report.RunningVersion : device.RunningVersion,
            StartedAt = device.StartedAt ?? (state.HasStarted() || state.IsFinished() ? item.ReceivedAt : null),
            FinishedAt = state.IsFinished() ? item.ReceivedAt : null,
            UpdatedAt = RolloutPlanning.Later(device.UpdatedAt, now),
        };
        var audit = state.IsFinished() ? $"update.{state.ToStorage()}" : null;
        if (await rolloutStore.SaveDeviceAsync(device, changed, audit is null ? null : item.DeviceId, audit, cancellationToken))
        {
            LogReportApplied(item.DeviceId, report.OfferId, state, report.Percent, report.Failure);
            Announce(item.DeviceId, now);
        }
    }

    private async Task AdvanceAsync(Rollout rollout, bool republish, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var device in await rolloutStore.DevicesOfRolloutAsync(rollout.Id, cancellationToken))
        {
            switch (WaveAdvancer.StepFor(device, rollout.CurrentWave, now, Options.OfferLifetime, republish))
            {
                case DeviceStep.Open:
                    await OpenAsync(rollout, device, cancellationToken);
                    break;
                case DeviceStep.Reoffer:
                    await offers.WithdrawAsync(device.DeviceId, device.OfferId!, cancellationToken);
                    await offers.OfferAsync(rollout, device, cancellationToken);
                    break;
                case DeviceStep.Republish:
                    await offers.OfferAsync(rollout, device with { Attempt = device.Attempt - 1 }, cancellationToken, device);
                    break;
            }
        }

        var devices = await rolloutStore.DevicesOfRolloutAsync(rollout.Id, cancellationToken);
        var reason = WaveAdvancer.DescribeFailureRate(rollout, devices) ?? await DescribeRegressionAsync(rollout, devices, now, cancellationToken);
        if (reason is not null)
        {
            await StopAsync(rollout.Id, RolloutState.Halted, reason, SchedulerActor, cancellationToken);
            return;
        }
        switch (WaveAdvancer.Move(rollout, devices, now, Options.HealthObservation))
        {
            case RolloutMove.Complete:
                var completed = rollout with { State = RolloutState.Completed, UpdatedAt = now };
                await rolloutStore.SaveRolloutAsync(completed, SchedulerActor, "rollout.completed", cancellationToken);
                LogStateChanged(rollout.Id, completed.State, SchedulerActor, "");
                break;
            case RolloutMove.OpenNextWave:
                var next = rollout with { CurrentWave = rollout.CurrentWave + 1, WaveStartedAt = now, UpdatedAt = now };
                await rolloutStore.SaveRolloutAsync(next, SchedulerActor, "rollout.wave", cancellationToken);
                var opened = devices.Count(d => d.Wave == next.CurrentWave);
                LogWaveAdvanced(rollout.Id, next.CurrentWave + 1, opened);
                await AdvanceAsync(next, republish: false, cancellationToken);
                break;
        }
    }

    /// <summary>Worse after than before: each updated device against its own time before it began, and against the devices that have not updated.</summary>
    private async Task<string?> DescribeRegressionAsync(Rollout rollout, IReadOnlyList<RolloutDevice> devices, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!devices.Any(d => d.State == DeviceUpdateState.Succeeded))
            return null;
        var (updated, updatedBefore, notUpdated) = await rolloutStore.ErrorsAroundUpdateAsync(rollout.Id, now, cancellationToken);
        return RolloutPlanning.DescribeRegression(rollout.CurrentWave, updated, updatedBefore, notUpdated, Options.MinimumErrorsToHalt, Options.ErrorRateFactorToHalt);
    }

    /// <summary>Opens the offer to a device whose wave has come: with the consent it already has, or waiting for its customer's.</summary>
    private async Task OpenAsync(Rollout rollout, RolloutDevice device, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var owner = await accounts.GetOwnerAsync(device.DeviceId, cancellationToken);
        RolloutDevice consented;
        if (device.ApprovedBy is not null)
        {
            consented = device;
        }
        else if (owner is null)
        {
            // Nobody owns the device (a maker's own or lab device): the release engineer who started the rollout decides.
            consented = device with { ApprovedBy = rollout.CreatedBy, ApprovedAt = now, ConsentId = $"upd-{Guid.NewGuid():N}" };
        }
        else if (!rollout.Spec.RequireApproval
                 && await consents.InForceAsync(device.DeviceId, ConsentAction.Install, cancellationToken) is { } policy)
        {
            consented = device with { ApprovedBy = policy.GrantedBy, ApprovedAt = now, ConsentId = policy.Id };
        }
        else
        {
            var offered = device with
            {
                State = DeviceUpdateState.Offered,
                FirstOfferedAt = device.FirstOfferedAt ?? now,
                DeferredUntil = null,
                Detail = RolloutNotes.Write("Detail.WaitingForApproval"),
                UpdatedAt = RolloutPlanning.Later(device.UpdatedAt, now),
            };
            if (await rolloutStore.SaveDeviceAsync(device, offered, SchedulerActor, "update.offered", cancellationToken))
                Announce(device.DeviceId, now);
            return;
        }
        await offers.OfferAsync(rollout, consented with { FirstOfferedAt = device.FirstOfferedAt ?? now }, cancellationToken, device);
    }

    private void Announce(string deviceId, DateTimeOffset at) => changes.Publish(new DeviceChange(deviceId, at));

    private static string FormatDuration(TimeSpan span) =>
        span.TotalDays >= 1 ? UpdateExplanations.Text("Days", span.TotalDays.ToString("0.#", System.Globalization.CultureInfo.CurrentCulture))
        : span.TotalHours >= 1 ? UpdateExplanations.Text("Hours", span.TotalHours.ToString("0.#", System.Globalization.CultureInfo.CurrentCulture))
        : UpdateExplanations.Text("Minutes", span.TotalMinutes.ToString("0", System.Globalization.CultureInfo.CurrentCulture));

    [LoggerMessage(EventId = UpdatesEventIds.RolloutCreated, Level = LogLevel.Information, Message = "Rollout {RolloutId} of {PackageId} created for {Devices} devices in {Waves} waves by {Actor}")]
    private partial void LogCreated(string rolloutId, string packageId, int devices, int waves, string actor);

    [LoggerMessage(EventId = UpdatesEventIds.RolloutStateChanged, Level = LogLevel.Information, Message = "Rollout {RolloutId} is {State} ({Actor}) {Reason}")]
    private partial void LogStateChanged(string rolloutId, RolloutState state, string actor, string reason);

    [LoggerMessage(EventId = UpdatesEventIds.RolloutHalted, Level = LogLevel.Warning, Message = "Rollout {RolloutId} halted itself: {Reason}")]
    private partial void LogHalted(string rolloutId, string reason);

    [LoggerMessage(EventId = UpdatesEventIds.RolloutWaveAdvanced, Level = LogLevel.Information, Message = "Rollout {RolloutId} opened wave {Wave} ({Devices} devices)")]
    private partial void LogWaveAdvanced(string rolloutId, int wave, int devices);

    [LoggerMessage(EventId = UpdatesEventIds.UpdateReportApplied, Level = LogLevel.Debug, Message = "Update report from {DeviceId} for {OfferId}: {State} {Percent}% {Failure}")]
    private partial void LogReportApplied(string deviceId, string offerId, DeviceUpdateState state, int percent, UpdateFailure failure);

    [LoggerMessage(EventId = UpdatesEventIds.UpdateReportUnknown, Level = LogLevel.Warning, Message = "Update report from {DeviceId} for offer '{OfferId}' ({Phase}) matches no offer made to it; ignored")]
    private partial void LogUnknownReport(string deviceId, string offerId, string phase);

    [LoggerMessage(EventId = UpdatesEventIds.RolloutSchedulerFailed, Level = LogLevel.Error, Message = "Rollout work for {Subject} failed")]
    private partial void LogRolloutFailed(Exception exception, string subject);
}
