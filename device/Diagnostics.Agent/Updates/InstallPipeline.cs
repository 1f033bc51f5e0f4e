using Diagnostics.Agent.Commands;
using Diagnostics.Agent.Hosts;
using Diagnostics.Agent.Telemetry;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Updates;

/// <summary>
/// The work on one accepted offer, from the stage its journal entry is at to its end: pacing (start time, idle device),
/// a resumable download, verification, install (<see cref="IImageInstaller"/>, or <see cref="DriverUpdateStep"/> on a
/// host), reboot, health check, then commit or roll back. Every step goes into the <see cref="UpdateJournal"/> before it
/// is reported, so a restart carries on from where it was. Which offer is worked on, and whether it may be, is
/// <see cref="UpdateInstaller"/>'s business.
/// </summary>
internal sealed class InstallPipeline(
    UpdateDevice device, UpdateOptions options, Outbox outbox, UplinkEnvelopes envelopes, TimeProvider time, ILogger logger,
    IReadOnlyList<TrustedKey> keys, UpdateJournal journal, IImageInstaller installer, PayloadDownloader downloader,
    UpdateHealthCheck healthCheck, DriverUpdateStep drivers, OfferQueue queue, string directory)
{
    private readonly UpdateDevice _device = device;
    private readonly UpdateOptions _options = options;
    private readonly Outbox _outbox = outbox;
    private readonly UplinkEnvelopes _envelopes = envelopes;
    private readonly TimeProvider _time = time;
    private readonly ILogger _logger = logger;
    private readonly IReadOnlyList<TrustedKey> _keys = keys;
    private readonly UpdateJournal _journal = journal;
    private readonly IImageInstaller _installer = installer;
    private readonly PayloadDownloader _downloader = downloader;
    private readonly UpdateHealthCheck _healthCheck = healthCheck;
    private readonly DriverUpdateStep _drivers = drivers;
    private readonly OfferQueue _queue = queue;
    private readonly string _directory = directory;
    private long _succeeded;
    private long _failed;
    private long _rolledBack;

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public long Failed => Interlocked.Read(ref _failed);

    public long RolledBack => Interlocked.Read(ref _rolledBack);

    /// <summary>For tests: called at named points ("resuming", "staged", "rebooted") so a test can stop the agent exactly there.</summary>
    public Func<string, CancellationToken, Task>? Checkpoint { get; set; }

    /// <summary>Works an offer from the stage its journal entry is at to its end.</summary>
    public async Task ContinueAsync(UpdateJournalEntry entry, bool resumed, CancellationToken workToken, CancellationToken cancellationToken)
    {
        var offer = entry.DecodeOffer();
        var signed = offer?.Package is null ? null : ManifestChecks.CheckSigned(offer.Package, _keys);
        if (offer is null || signed is not { IsAccepted: true })
        {
            await FinishAsync(entry, UpdatePhase.Failed, signed?.Failure ?? UpdateFailure.ManifestMalformed,
                signed is null ? UpdateDetail.JournalOfferUnreadable() : UpdateDetail.JournalOfferRefused(UpdateDetail.Of(signed)), cancellationToken);
            return;
        }
        var manifest = signed.Manifest!;
        if (resumed && Checkpoint is { } resuming)
            await resuming("resuming", cancellationToken);
        var restartedWhileRebooting = resumed && entry.Stage == UpdateStage.Rebooting;
        var restartedWhileInstalling = resumed && entry.Stage == UpdateStage.Installing;

        if (entry.Stage <= UpdateStage.Verifying)
        {
            if (await PrepareAsync(entry, offer, manifest, workToken, cancellationToken) is not { } prepared)
                return;
            entry = prepared;
        }
        if (entry.Stage == UpdateStage.Installing && manifest.Kind == PackageKind.Driver)
        {
            await InstallDriverAsync(entry, manifest, restartedWhileInstalling, cancellationToken);
            return;
        }
        if (entry.Stage == UpdateStage.Installing)
        {
            if (_installer.IsActivated(manifest.Version))
                entry = await SaveAsync(entry with { Stage = UpdateStage.Rebooting, TrialStartedUnixMs = Now }, cancellationToken);
            else if (await InstallAsync(entry, manifest, cancellationToken) is { } installed)
                entry = installed;
            else
                return;
        }
        if (entry.Stage == UpdateStage.Rebooting)
        {
            // After a restart the reboot has happened (an in-process device booted the trial slot at start); if a real
            // device did not reboot after all, the health check sees the old version and the update is rolled back.
            if (!restartedWhileRebooting)
            {
                await ReportAsync(entry, UpdatePhase.Rebooting, cancellationToken: cancellationToken);
                UpdateLog.Rebooting(_logger, _device.DeviceId, entry.OfferId, manifest.Version);
                if (await _installer.RebootAsync(cancellationToken) is { } rebootFailed)
                {
                    var cause = UpdateDetail.RebootFailed(rebootFailed);
                    await RollBackAsync(entry with { RollbackReason = cause.Text, RollbackCause = cause }, cancellationToken);
                    return;
                }
                if (Checkpoint is { } rebooted)
                    await rebooted("rebooted", cancellationToken);
            }
            entry = await SaveAsync(entry with { Stage = UpdateStage.HealthCheck }, cancellationToken);
        }
        if (entry.Stage == UpdateStage.HealthCheck)
        {
            await HealthCheckAsync(entry, offer, cancellationToken);
            return;
        }
        if (entry.Stage == UpdateStage.RollingBack)
            await RollBackAsync(entry, cancellationToken);
    }

    /// <summary>Pacing, download and verification: the part an offer can still be withdrawn from. Null when it ended there.</summary>
    private async Task<UpdateJournalEntry?> PrepareAsync(
        UpdateJournalEntry entry, UpdateOffer offer, UpdateManifest manifest, CancellationToken workToken, CancellationToken cancellationToken)
    {
        if (entry.Stage == UpdateStage.Waiting)
        {
            await PaceAsync(offer, workToken);
            if (offer.ExpiresUnixMs > 0 && Now >= offer.ExpiresUnixMs)
            {
                await FinishAsync(entry, UpdatePhase.Failed, UpdateFailure.OfferExpired,
                    UpdateDetail.OfferExpiredWaiting(offer.ExpiresUnixMs, Now), cancellationToken);
                return null;
            }
            entry = await SaveAsync(entry with { Stage = UpdateStage.Downloading }, cancellationToken);
        }
        var part = PartPath(manifest);
        if (entry.Stage == UpdateStage.Downloading)
        {
            if (await DownloadAsync(entry, offer, manifest, part, workToken) is not { } downloaded)
                return null;
            entry = downloaded;
        }
        await ReportAsync(entry, UpdatePhase.Verifying, cancellationToken: workToken);
        (long Size, byte[] Sha256) payload;
        await using (var file = File.OpenRead(part))
            payload = await ManifestChecks.HashAsync(file, workToken);
        var payloadCheck = ManifestChecks.CheckPayload(manifest, payload.Size, payload.Sha256);
        if (!payloadCheck.IsAccepted)
        {
            File.Delete(part);
            await FinishAsync(entry, UpdatePhase.Failed, payloadCheck.Failure, UpdateDetail.Of(payloadCheck), cancellationToken);
            return null;
        }
        if (manifest.IsDelta && await ApplyDeltaAsync(entry, manifest, part, workToken, cancellationToken) is false)
            return null;
        if (await CheckImageAsync(entry, manifest, cancellationToken) is false)
            return null;
        if (!_queue.TryBeginInstalling())
            throw new OperationCanceledException(workToken);
        return await SaveAsync(entry with { Stage = UpdateStage.Installing }, cancellationToken);
    }

    /// <summary>Waits for the offer's start time and, when it asks, for the device to stop printing.</summary>
    private async Task PaceAsync(UpdateOffer offer, CancellationToken workToken)
    {
        var said = "";
        while (true)
        {
            var now = Now;
            string? reason = offer.NotBeforeUnixMs > now ? $"not before {CommandChecks.Time(offer.NotBeforeUnixMs)}"
                : offer.WaitUntilIdle && _device.Telemetry.LatestStatus?.State == DeviceState.Processing ? "until the device is idle (it is printing)"
                : null;
            if (reason is null)
                return;
            if (reason != said)
                UpdateLog.Waiting(_logger, _device.DeviceId, offer.OfferId, reason);
            said = reason;
            var wait = offer.NotBeforeUnixMs > now ? TimeSpan.FromMilliseconds(Math.Min(offer.NotBeforeUnixMs - now, (long)_options.CheckInterval.TotalMilliseconds)) : _options.CheckInterval;
            await Task.Delay(wait, _time, workToken);
        }
    }

    private async Task<UpdateJournalEntry?> DownloadAsync(UpdateJournalEntry entry, UpdateOffer offer, UpdateManifest manifest, string part, CancellationToken workToken)
    {
        var have = File.Exists(part) ? new FileInfo(part).Length : 0;
        var needed = Math.Max(0, manifest.PayloadSize - have) + (manifest.IsDelta ? manifest.ImageSize : 0)
            + (_options.Installer == UpdateInstallerKind.Slots ? manifest.ImageSize : 0) + _options.MinimumFreeBytes;
        if (FreeBytes(_directory) is { } free && free < needed)
        {
            await FinishAsync(entry, UpdatePhase.Failed, UpdateFailure.NoSpace,
                UpdateDetail.NoSpace(free, _directory, needed, _options.MinimumFreeBytes), workToken);
            return null;
        }
        var url = OfferChecks.PayloadUri(offer.PayloadUrl, _device.CloudUrl)!;
        var token = _device.CloudUrl is { } cloud && Uri.Compare(url, cloud, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
            ? _device.Token
            : null;
        var lastTenth = -1L;
        async Task ProgressAsync(long bytes, CancellationToken token)
        {
            // At most one report per tenth of the payload: a slow link must not flood the outbox.
            var tenth = bytes * 10 / manifest.PayloadSize;
            if (tenth <= lastTenth)
                return;
            lastTenth = tenth;
            await ReportAsync(entry, UpdatePhase.Downloading, percent: (int)(bytes * 100 / manifest.PayloadSize), bytesDone: bytes, bytesTotal: manifest.PayloadSize, cancellationToken: token);
            UpdateLog.DownloadProgress(_logger, _device.DeviceId, entry.OfferId, bytes, manifest.PayloadSize);
        }
        await ProgressAsync(have, workToken);
        var result = await _downloader.DownloadAsync(url, token, part, manifest.PayloadSize, ProgressAsync, _device.DeviceId, workToken);
        if (!result.IsComplete)
        {
            // The part is kept: a new offer of the same package resumes it.
            await FinishAsync(entry, UpdatePhase.Failed, result.Failure, result.Detail, workToken);
            return null;
        }
        return await SaveAsync(entry with { Stage = UpdateStage.Verifying }, workToken);
    }

    /// <summary>The one place a delta is applied: to the running image, into the image to install.</summary>
    private async Task<bool> ApplyDeltaAsync(UpdateJournalEntry entry, UpdateManifest manifest, string part, CancellationToken workToken, CancellationToken cancellationToken)
    {
        var source = _installer.RunningImagePath;
        try
        {
            if (source is null)
                throw new InvalidDataException("the running image is not available to this agent");
            await using var running = File.OpenRead(source);
            await using var delta = File.OpenRead(part);
            await AtomicFile.WriteAsync(ImagePath(manifest), (target, token) => BinaryDelta.ApplyAsync(running, delta, target, token), workToken);
            return true;
        }
        catch (InvalidDataException ex)
        {
            await FinishAsync(entry, UpdatePhase.Failed, UpdateFailure.ImageHashMismatch, UpdateDetail.DeltaNotApplied(ex.Message), cancellationToken);
            return false;
        }
    }

    /// <summary>The image to install against the manifest: checked after a delta is applied, and again before a resumed install.</summary>
    private async Task<bool> CheckImageAsync(UpdateJournalEntry entry, UpdateManifest manifest, CancellationToken cancellationToken)
    {
        var path = manifest.IsDelta ? ImagePath(manifest) : PartPath(manifest);
        if (!File.Exists(path))
        {
            await FinishAsync(entry, UpdatePhase.Failed, UpdateFailure.InstallFailed, UpdateDetail.ImageGone(), cancellationToken);
            return false;
        }
        (long Size, byte[] Sha256) image;
        await using (var file = File.OpenRead(path))
            image = await ManifestChecks.HashAsync(file, cancellationToken);
        var check = ManifestChecks.CheckImage(manifest, image.Size, image.Sha256);
        if (check.IsAccepted)
            return true;
        File.Delete(path);
        await FinishAsync(entry, UpdatePhase.Failed, check.Failure, UpdateDetail.Of(check), cancellationToken);
        return false;
    }

    /// <summary>Writes the image where it boots from and sets it to boot on trial. Null when the install failed (the old version still runs).</summary>
    private async Task<UpdateJournalEntry?> InstallAsync(UpdateJournalEntry entry, UpdateManifest manifest, CancellationToken cancellationToken)
    {
        await ReportAsync(entry, UpdatePhase.Installing, cancellationToken: cancellationToken);
        UpdateLog.Installing(_logger, _device.DeviceId, entry.OfferId, manifest.Version, _options.Installer);
        if (!await CheckImageAsync(entry, manifest, cancellationToken))
            return null;
        var image = manifest.IsDelta ? ImagePath(manifest) : PartPath(manifest);
        var problem = await _installer.StageAsync(image, manifest, cancellationToken) is { } stageFailed ? UpdateDetail.StageFailed(stageFailed) : null;
        if (problem is null && Checkpoint is { } staged)
            await staged("staged", cancellationToken);
        problem ??= await _installer.ActivateAsync(manifest, cancellationToken) is { } activateFailed ? UpdateDetail.ActivateFailed(activateFailed) : null;
        if (problem is not null)
        {
            UpdateLog.InstallFailed(_logger, _device.DeviceId, entry.OfferId, problem.Text);
            await FinishAsync(entry, UpdatePhase.Failed, UpdateFailure.InstallFailed, problem, cancellationToken);
            return null;
        }
        return await SaveAsync(entry with { Stage = UpdateStage.Rebooting, TrialStartedUnixMs = Now }, cancellationToken);
    }

    /// <summary>
    /// A driver goes onto the host's queues, proves itself there and is kept, or the queues go back to their old driver,
    /// all within this one step (<see cref="DriverUpdateStep"/>). After a restart in the middle, what was changed goes back.
    /// </summary>
    private async Task InstallDriverAsync(UpdateJournalEntry entry, UpdateManifest manifest, bool restarted, CancellationToken cancellationToken)
    {
        await ReportAsync(entry, UpdatePhase.Installing, cancellationToken: cancellationToken);
        UpdateLog.Installing(_logger, _device.DeviceId, entry.OfferId, manifest.Version, _options.Installer);
        var recovered = restarted ? await _drivers.RecoverAsync(entry.OfferId, manifest, cancellationToken) : null;
        var from = entry.FromVersion;
        if (recovered is null)
        {
            if (!await CheckImageAsync(entry, manifest, cancellationToken))
                return;
            (recovered, from) = await _drivers.InstallAsync(entry.OfferId, manifest, PartPath(manifest), _time.GetUtcNow(), cancellationToken);
        }
        var result = recovered;
        switch (result.Outcome)
        {
            case DriverInstallOutcome.Installed:
                Interlocked.Increment(ref _succeeded);
                UpdateLog.Succeeded(_logger, _device.DeviceId, entry.OfferId, manifest.Version, from);
                await FinishAsync(entry, UpdatePhase.Succeeded, UpdateFailure.None, result.Detail, cancellationToken, running: manifest.Version);
                break;
            case DriverInstallOutcome.RolledBack:
                Interlocked.Increment(ref _rolledBack);
                UpdateLog.RolledBack(_logger, _device.DeviceId, entry.OfferId, manifest.Version, result.Detail.Text);
                await FinishAsync(entry, UpdatePhase.RolledBack, result.Failure, result.Detail, cancellationToken, running: from);
                break;
            default:
                UpdateLog.InstallFailed(_logger, _device.DeviceId, entry.OfferId, result.Detail.Text);
                await FinishAsync(entry, UpdatePhase.Failed, result.Failure, result.Detail, cancellationToken);
                break;
        }
    }

    private async Task HealthCheckAsync(UpdateJournalEntry entry, UpdateOffer offer, CancellationToken cancellationToken)
    {
        _device.Telemetry.RequestRead();
        await ReportAsync(entry, UpdatePhase.HealthCheck, cancellationToken: cancellationToken);
        var window = TimeSpan.FromSeconds(offer.HealthCheckSeconds > 0 ? offer.HealthCheckSeconds : _options.HealthCheckSeconds);
        UpdateLog.HealthCheck(_logger, _device.DeviceId, entry.OfferId, entry.TargetVersion, window.TotalSeconds);
        var deadline = DateTimeOffset.FromUnixTimeMilliseconds(entry.TrialStartedUnixMs) + window;
        var failed = await _healthCheck.RunAsync(entry.TargetVersion, entry.ErrorsBefore, deadline, cancellationToken);
        if (failed is null)
        {
            failed = await _installer.CommitAsync(cancellationToken) is { } commit ? UpdateDetail.CommitFailed(commit.Text) : null;
            if (failed is null)
            {
                Interlocked.Increment(ref _succeeded);
                UpdateLog.Succeeded(_logger, _device.DeviceId, entry.OfferId, entry.TargetVersion, entry.FromVersion);
                await FinishAsync(entry, UpdatePhase.Succeeded, UpdateFailure.None,
                    UpdateDetail.Healthy(entry.TargetVersion, entry.FromVersion, _options.HealthCheckStableFor),
                    cancellationToken, running: entry.TargetVersion);
                return;
            }
        }
        await RollBackAsync(entry with { RollbackReason = "health check failed: " + failed.Text, RollbackCause = failed }, cancellationToken);
    }

    /// <summary>Back to the version that ran before: set it to boot, boot it, report RolledBack with the reason.</summary>
    private async Task RollBackAsync(UpdateJournalEntry entry, CancellationToken cancellationToken)
    {
        entry = await SaveAsync(entry with { Stage = UpdateStage.RollingBack }, cancellationToken);
        var status = _device.Bootable is null ? await _device.Telemetry.CurrentStatusAsync(cancellationToken) : null;
        UpdateDetail? problem = null;
        // A restart in the middle of a rollback may find it done: the device runs the old version again.
        if (FirmwareVersion.Compare(RunningVersion(status), entry.FromVersion) != 0)
        {
            problem = await _installer.RollBackAsync(cancellationToken);
            problem ??= await _installer.RebootAsync(cancellationToken);
        }
        _device.Telemetry.RequestRead();
        Interlocked.Increment(ref _rolledBack);
        // A journal written by an older agent has the reason's words only: the whole sentence stays words then.
        var detail = entry.RollbackCause switch
        {
            { Code: UpdateDetail.RebootFailedCode } rebootFailed => UpdateDetail.AfterRebootFailed(rebootFailed, entry.FromVersion, problem?.Text),
            { } cause => problem is null ? UpdateDetail.RolledBack(cause, entry.FromVersion) : UpdateDetail.RollbackFailed(cause, problem),
            null => UpdateDetail.Words(entry.RollbackReason + (problem is null ? $"; back on {entry.FromVersion}" : $"; going back failed too: {problem.Text}")),
        };
        UpdateLog.RolledBack(_logger, _device.DeviceId, entry.OfferId, entry.TargetVersion, detail.Text);
        await FinishAsync(entry, UpdatePhase.RolledBack, UpdateFailure.HealthCheckFailed, detail, cancellationToken,
            running: problem is null ? _device.Bootable?.FirmwareVersion ?? entry.FromVersion : null);
    }

    public async Task FinishAsync(UpdateJournalEntry entry, UpdatePhase phase, UpdateFailure failure, UpdateDetail detail, CancellationToken cancellationToken, string? running = null)
    {
        if (phase == UpdatePhase.Failed)
        {
            Interlocked.Increment(ref _failed);
            UpdateLog.Finished(_logger, _device.DeviceId, entry.OfferId, failure, detail.Text);
        }
        // Once finished, only the answer is kept: the offer and its files are of no more use.
        entry = entry with { Stage = UpdateStage.Finished, Offer = null };
        await ReportAsync(entry, phase, failure, detail, running: running, cancellationToken: cancellationToken);
        if (phase is UpdatePhase.Succeeded or UpdatePhase.RolledBack && entry.PackageId.Length > 0)
        {
            foreach (var file in Directory.EnumerateFiles(_directory, entry.PackageId + "-????????????????.*"))
                File.Delete(file);
        }
    }

    /// <summary>Journal first, then the outbox: a crash between them re-sends the recorded report on the next repeat.</summary>
    private async Task<UpdateJournalEntry> ReportAsync(
        UpdateJournalEntry entry, UpdatePhase phase, UpdateFailure failure = UpdateFailure.None, UpdateDetail? detail = null, int percent = 0,
        long bytesDone = 0, long bytesTotal = 0, string? running = null, CancellationToken cancellationToken = default)
    {
        var report = new UpdateReport
        {
            OfferId = entry.OfferId,
            PackageId = entry.PackageId,
            TargetVersion = entry.TargetVersion,
            Phase = phase,
            Percent = percent,
            Failure = failure,
            RunningVersion = running ?? RunningVersion(null),
            BytesDone = bytesDone,
            BytesTotal = bytesTotal,
        };
        report.WriteDetail(detail ?? UpdateDetail.None);
        entry = await SaveAsync(entry with { LastReport = WireCodec.Encode(report) }, cancellationToken);
        await _outbox.EnqueueAsync(_envelopes.UpdateReport(report), cancellationToken);
        return entry;
    }

    private async Task<UpdateJournalEntry> SaveAsync(UpdateJournalEntry entry, CancellationToken cancellationToken)
    {
        // The latest report stays with the entry whatever stage is saved after it.
        var stored = _journal.Find(entry.OfferId);
        entry = entry with { LastReport = entry.LastReport ?? stored?.LastReport, RecordedUnixMs = Now };
        await _journal.SaveAsync(entry, cancellationToken);
        return entry;
    }

    public UpdateJournalEntry NewEntry(UpdateOffer offer, byte[]? encoded, string fromVersion) =>
        new(offer.OfferId, "", "", UpdateStage.Waiting, encoded, null, fromVersion, [], 0, Now);

    /// <summary>What the device runs: the in-process device's own word, else what the collector last read.</summary>
    public string RunningVersion(DeviceStatus? status) =>
        _device.Bootable?.FirmwareVersion ?? status?.FirmwareVersion ?? _device.Telemetry.LatestStatus?.FirmwareVersion ?? "";


    /// <summary>Named by package and payload hash: a re-offer of the same package resumes it; another package never mixes in.</summary>
    private string PartPath(UpdateManifest manifest) =>
        Path.Combine(_directory, $"{manifest.PackageId}-{Convert.ToHexStringLower(manifest.PayloadSha256.AsSpan(0, 8))}.part");

    private string ImagePath(UpdateManifest manifest) =>
        Path.Combine(_directory, $"{manifest.PackageId}-{Convert.ToHexStringLower(manifest.ImageSha256.AsSpan(0, 8))}.img");

    private static long? FreeBytes(string directory)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
        {
            // No answer from the file system: the download's own write errors will tell.
            return null;
        }
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
