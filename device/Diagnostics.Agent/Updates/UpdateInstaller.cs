using System.Globalization;
using System.Threading.Channels;
using Diagnostics.Agent.Commands;
using Diagnostics.Agent.Hosts;
using Diagnostics.Agent.Telemetry;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Updates;

/// <summary>What the installer needs of the device's runtime.</summary>
/// <param name="DataDirectory">The device's data directory: <c>updates/</c> (journal, downloads) and <c>slots/</c> go there.</param>
/// <param name="Consents">The newest consent set received (the command executor's, so both check consents alike).</param>
/// <param name="Bootable">The device when it runs inside the agent (the simulated printer), booted from the slots.</param>
/// <param name="Http">The agent's shared client; not owned.</param>
/// <param name="CloudUrl">The cloud's base address; a relative payload URL is resolved against it.</param>
/// <param name="Token">The device token, sent as Bearer to the cloud (never to another host); null when the device proves itself by its client certificate.</param>
/// <param name="Host">The host when the agent runs in the host role: driver packages install there (<see cref="DriverUpdateStep"/>).</param>
public sealed record UpdateDevice(
    string DeviceId, string DataDirectory, TelemetryPump Telemetry, Func<bool> IsConnected, Func<ConsentSet?> Consents,
    IBootableDevice? Bootable, HttpClient Http, Uri? CloudUrl, string? Token, Hosts.IPrintHost? Host = null);

/// <summary>
/// Takes the cloud's update offers (<c>down/update</c>) from offer to a version that runs and passed its health check,
/// each offer id at most once, reporting every step as an <see cref="UpdateReport"/> through the outbox: checks
/// (signature by a pinned key, Install consent, model, revision, versions, expiry), pacing (start time, idle device),
/// a resumable download, verification, install (<see cref="IImageInstaller"/>), reboot, health check, then commit or
/// roll back. Every step is in the <see cref="UpdateJournal"/> first, so a restart (or a power cut) carries on from
/// where it was and reports again from there.
/// </summary>
/// <remarks>
/// One offer is worked on at a time. A withdrawal, or a newer offer, stops one that has not begun installing (reported
/// Failed/Withdrawn); once installing, it is finished first, because stopping halfway is worse than either.
/// </remarks>
public sealed class UpdateInstaller : IUpdateOfferHandler, IDisposable
{
    public const string DirectoryName = "updates";

    /// <summary>Offers are rare; a burst of re-deliveries beyond this makes the MQTT handler wait.</summary>
    private const int QueueCapacity = 16;

    private readonly UpdateDevice _device;
    private readonly UpdateOptions _options;
    private readonly Outbox _outbox;
    private readonly UplinkEnvelopes _envelopes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<TrustedKey> _keys;
    private readonly UpdateJournal _journal;
    private readonly IImageInstaller _installer;
    private readonly PayloadDownloader _downloader;
    private readonly UpdateHealthCheck _healthCheck;
    private readonly DriverUpdateStep _drivers;
    private readonly string _directory;
    private readonly Channel<UpdateOffer> _incoming = Channel.CreateBounded<UpdateOffer>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Lock _lock = new();
    private Task? _work;
    private CancellationTokenSource? _workCancel;
    private string? _workOfferId;
    private bool _installing;
    private (UpdateFailure Failure, string Detail)? _cancelReason;
    private UpdateOffer? _next;
    private long _offers;
    private long _succeeded;
    private long _failed;
    private long _rolledBack;

    /// <param name="restartProcess">
    /// The reboot of a device that does not run inside the agent and has no <see cref="UpdateOptions.RebootCommand"/>:
    /// the host stops with a code its service manager restarts it on. Null: such a reboot fails.
    /// </param>
    public UpdateInstaller(
        UpdateDevice device, UpdateOptions options, Outbox outbox, UplinkEnvelopes envelopes, TimeProvider time, Random random, ILoggerFactory loggerFactory,
        TimeSpan checkInterval, Func<CancellationToken, Task<string?>>? restartProcess = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _device = device;
        _options = options;
        _outbox = outbox;
        _envelopes = envelopes;
        _time = time;
        _logger = loggerFactory.CreateLogger<UpdateInstaller>();
        _keys = options.LoadTrustedKeys();
        _directory = Path.Combine(device.DataDirectory, DirectoryName);
        _journal = UpdateJournal.Open(_directory, out var problem);
        if (problem is not null)
            UpdateLog.JournalUnreadable(_logger, device.DeviceId, _journal.FilePath, problem);
        restartProcess ??= _ => Task.FromResult<string?>("this device cannot be rebooted by the agent: set Updates:RebootCommand");
        _installer = options.Installer == UpdateInstallerKind.Command
            ? new CommandImageInstaller(options, restartProcess, device.DeviceId, _logger)
            : new SlotImageInstaller(SlotStore.Open(device.DataDirectory), device.Bootable, options, restartProcess, time, device.DeviceId, _logger);
        _downloader = new PayloadDownloader(device.Http, options, time, random, _logger);
        _drivers = new DriverUpdateStep(device.Host, _directory);
        _healthCheck = new UpdateHealthCheck(device.IsConnected, () => device.Telemetry.LatestStatus, time,
            checkInterval < options.CheckInterval ? checkInterval : options.CheckInterval, options.HealthCheckStableFor);
    }

    public IImageInstaller Installer => _installer;

    public UpdateJournal Journal => _journal;

    /// <summary>Offers received (repeats included) since start.</summary>
    public long OffersReceived => Interlocked.Read(ref _offers);

    /// <summary>For tests: called at named points ("resuming", "staged", "rebooted") so a test can stop the agent exactly there.</summary>
    internal Func<string, CancellationToken, Task>? Checkpoint { get; set; }

    /// <summary>Heartbeat metrics: what the device did with updates since start.</summary>
    public IEnumerable<Metric> CurrentMetrics() =>
    [
        new Metric { Name = "updates-offered", Value = OffersReceived, Unit = "count" },
        new Metric { Name = "updates-succeeded", Value = Interlocked.Read(ref _succeeded), Unit = "count" },
        new Metric { Name = "updates-failed", Value = Interlocked.Read(ref _failed), Unit = "count" },
        new Metric { Name = "updates-rolled-back", Value = Interlocked.Read(ref _rolledBack), Unit = "count" },
    ];

    /// <summary>Before anything reads the device: boots an in-process device from the slot that is set to boot.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await _installer.BootAtStartAsync(cancellationToken) is { } problem)
            UpdateLog.BootFailed(_logger, _device.DeviceId, problem);
    }

    /// <summary>Carries on with an unfinished offer from the journal, then works offers as they come, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_journal.Current is { } current)
        {
            UpdateLog.Resumed(_logger, _device.DeviceId, current.OfferId, current.TargetVersion, current.Stage);
            StartWork(current.OfferId, current.Stage >= UpdateStage.Installing, token => ContinueAsync(current, resumed: true, token, cancellationToken), cancellationToken);
        }
        Task<bool>? waiting = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                waiting ??= _incoming.Reader.WaitToReadAsync(cancellationToken).AsTask();
                Task? work;
                lock (_lock)
                    work = _work;
                await (work is null ? (Task)waiting : Task.WhenAny(waiting, work));
                if (work?.IsCompleted == true)
                    await EndWorkAsync(work, cancellationToken);
                if (waiting.IsCompleted)
                {
                    if (!await waiting)
                        break;
                    waiting = null;
                    while (_incoming.Reader.TryRead(out var offer))
                        await DispatchAsync(offer, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the journal says where to carry on.
        }
        finally
        {
            Task? work;
            lock (_lock)
                work = _work;
            if (work is not null)
                await work.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    public void Dispose()
    {
        _incoming.Writer.TryComplete();
        foreach (var key in _keys)
            key.Dispose();
        _workCancel?.Dispose();
        _journal.Dispose();
    }

    async ValueTask IUpdateOfferHandler.OnUpdateOfferAsync(UpdateOffer offer, CancellationToken cancellationToken) =>
        await _incoming.Writer.WriteAsync(offer, cancellationToken);

    /// <summary>Decides what a delivered offer means: a repeat, a withdrawal, a newer offer, or work to start.</summary>
    private async Task DispatchAsync(UpdateOffer offer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _offers);
        UpdateLog.OfferReceived(_logger, _device.DeviceId, offer.OfferId, offer.Withdrawn, offer.PayloadUrl);
        if (_journal.Find(offer.OfferId) is { } seen)
        {
            if (!seen.IsFinished && offer.Withdrawn && TryCancelWork(offer.OfferId, UpdateFailure.Withdrawn, "withdrawn by the cloud before the device began installing it"))
                return;
            // Installs at most once: a repeat (the retained offer on every reconnect) hears where the device is.
            UpdateLog.Repeated(_logger, _device.DeviceId, offer.OfferId, seen.Stage);
            if (seen.LastReport is { } last)
                await _outbox.EnqueueAsync(_envelopes.UpdateReport(WireCodec.Decode<UpdateReport>(last).Value!), cancellationToken);
            return;
        }
        lock (_lock)
        {
            if (_next?.OfferId == offer.OfferId)
                _next = null;
        }
        if (offer.Withdrawn)
        {
            var entry = NewEntry(offer, null, "");
            await FinishAsync(entry, UpdatePhase.Failed, UpdateFailure.Withdrawn, "withdrawn by the cloud before the device began installing it", cancellationToken);
            return;
        }
        string? busyWith;
        lock (_lock)
            busyWith = _work is null ? null : _workOfferId;
        if (busyWith is not null)
        {
            // The retained topic holds one offer: the newer one replaces the older unless that one is installing.
            TryCancelWork(busyWith, UpdateFailure.Withdrawn, $"superseded by offer {offer.OfferId} before the device began installing it");
            lock (_lock)
                _next = offer;
            return;
        }
        StartWork(offer.OfferId, false, token => AcceptAsync(offer, token, cancellationToken), cancellationToken);
    }

    private void StartWork(string offerId, bool installing, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _workCancel?.Dispose();
            _workCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _workOfferId = offerId;
            _installing = installing;
            _cancelReason = null;
            _work = RunWorkAsync(offerId, work, _workCancel.Token, cancellationToken);
        }
    }

    private async Task EndWorkAsync(Task work, CancellationToken cancellationToken)
    {
        await work;
        UpdateOffer? next;
        lock (_lock)
        {
            _work = null;
            _workOfferId = null;
            next = _next;
            _next = null;
        }
        if (next is not null)
            await DispatchAsync(next, cancellationToken);
    }

    /// <summary>Stops the offer being worked on if it has not begun installing; true when it was stopped.</summary>
    private bool TryCancelWork(string offerId, UpdateFailure failure, string detail)
    {
        lock (_lock)
        {
            if (_workOfferId != offerId || _installing || _workCancel is null)
                return false;
            _cancelReason = (failure, detail);
            _workCancel.Cancel();
            return true;
        }
    }

    /// <summary>Passes the point after which the offer is finished whatever comes: false when it was stopped just before.</summary>
    private bool TryBeginInstalling()
    {
        lock (_lock)
        {
            if (_cancelReason is not null)
                return false;
            _installing = true;
            return true;
        }
    }

    private async Task RunWorkAsync(string offerId, Func<CancellationToken, Task> work, CancellationToken workToken, CancellationToken cancellationToken)
    {
        try
        {
            await work(workToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The agent is stopping: the journal says where to carry on.
        }
        catch (OperationCanceledException) when (workToken.IsCancellationRequested)
        {
            (UpdateFailure Failure, string Detail) reason;
            lock (_lock)
                reason = _cancelReason ?? (UpdateFailure.Withdrawn, "stopped");
            UpdateLog.Withdrawn(_logger, _device.DeviceId, offerId, reason.Detail);
            if (_journal.Find(offerId) is { IsFinished: false } entry)
                await FinishAsync(entry, UpdatePhase.Failed, reason.Failure, reason.Detail, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            // The agent could not carry on (disk full, files gone): what can be undone is, and the cloud hears why.
            UpdateLog.Failed(_logger, ex, _device.DeviceId, offerId, ex.Message);
            if (_journal.Find(offerId) is not { IsFinished: false } entry)
                return;
            if (_installer.IsActivated(entry.TargetVersion) && await _installer.RollBackAsync(cancellationToken) is null)
                await _installer.RebootAsync(cancellationToken);
            await FinishAsync(entry, UpdatePhase.Failed, UpdateFailure.InstallFailed, "the agent failed: " + ex.Message, cancellationToken);
        }
    }

    /// <summary>A new offer: the checks, then the journal, then the work.</summary>
    private async Task AcceptAsync(UpdateOffer offer, CancellationToken workToken, CancellationToken cancellationToken)
    {
        var status = await _device.Telemetry.CurrentStatusAsync(workToken);
        var running = RunningVersion(status);
        var entry = NewEntry(offer, null, running) with
        {
            ErrorsBefore = [.. status.Conditions.Where(c => c.Severity == Severity.Error).Select(c => c.Code)],
        };
        var (failure, detail, manifest) = await CheckAsync(offer, status, running, workToken);
        if (failure != UpdateFailure.None)
        {
            UpdateLog.Refused(_logger, _device.DeviceId, offer.OfferId, failure, detail);
            await FinishAsync(entry with { PackageId = manifest?.PackageId ?? "", TargetVersion = manifest?.Version ?? "" }, UpdatePhase.Failed, failure, detail, cancellationToken);
            return;
        }
        entry = entry with { PackageId = manifest!.PackageId, TargetVersion = manifest.Version, Offer = WireCodec.Encode(offer) };
        await _journal.SaveAsync(entry, cancellationToken);
        await ContinueAsync(entry, resumed: false, workToken, cancellationToken);
    }

    /// <summary>Every check an offer passes before anything is downloaded, in order; the first that fails is the answer.</summary>
    private async Task<(UpdateFailure Failure, string Detail, UpdateManifest? Manifest)> CheckAsync(
        UpdateOffer offer, DeviceStatus status, string running, CancellationToken cancellationToken)
    {
        if (offer.Package is null)
            return (UpdateFailure.ManifestMalformed, "the offer carries no package", null);
        var signed = ManifestChecks.CheckSigned(offer.Package, _keys);
        if (!signed.IsAccepted)
            return (signed.Failure, signed.Detail, signed.Manifest);
        var manifest = signed.Manifest!;
        var now = _time.GetUtcNow();
        if (CommandChecks.CheckConsent(offer.Consent, ConsentAction.Install, $"update {offer.OfferId}", "update offer", offer.OfferId,
                _device.Consents(), now.ToUnixTimeMilliseconds()) is { } consent)
            return (UpdateFailure.ConsentMissing, consent, manifest);
        if (manifest.Kind == PackageKind.Driver)
        {
            var forHost = await _drivers.CheckAsync(manifest, now, cancellationToken);
            if (forHost.Failure != UpdateFailure.None)
                return (forHost.Failure, forHost.Detail, manifest);
            return CheckOfferAddress(offer, now) is { } offerRefused ? (offerRefused.Failure, offerRefused.Detail, manifest) : (UpdateFailure.None, "", manifest);
        }
        byte[]? runningSha256 = null;
        if (manifest.IsDelta)
        {
            if (_installer.RunningImagePath is not { } image)
                return (UpdateFailure.DeltaBaseMismatch, "a delta needs the running image, and this device's installer keeps it to itself: offer the full image", manifest);
            await using var file = File.OpenRead(image);
            runningSha256 = (await ManifestChecks.HashAsync(file, cancellationToken)).Sha256;
        }
        var forDevice = ManifestChecks.CheckForDevice(manifest, new DeviceFacts(status.Model, _options.HardwareRevision, running, runningSha256), now);
        if (!forDevice.IsAccepted)
            return (forDevice.Failure, forDevice.Detail, manifest);
        return CheckOfferAddress(offer, now) is { } refused ? (refused.Failure, refused.Detail, manifest) : (UpdateFailure.None, "", manifest);
    }

    /// <summary>The offer's own expiry and its payload's address, the last checks of every package.</summary>
    private (UpdateFailure Failure, string Detail)? CheckOfferAddress(UpdateOffer offer, DateTimeOffset now)
    {
        if (offer.ExpiresUnixMs > 0 && now.ToUnixTimeMilliseconds() >= offer.ExpiresUnixMs)
            return (UpdateFailure.OfferExpired, $"the offer expired at {CommandChecks.Time(offer.ExpiresUnixMs)} (device clock {CommandChecks.Time(now.ToUnixTimeMilliseconds())})");
        if (PayloadUri(offer.PayloadUrl) is null)
            return (UpdateFailure.DownloadFailed, $"the payload URL \"{offer.PayloadUrl}\" is not an http(s) address, and no cloud address (Agent:CloudUrl) to resolve it against");
        return null;
    }

    /// <summary>Works an offer from the stage its journal entry is at to its end.</summary>
    private async Task ContinueAsync(UpdateJournalEntry entry, bool resumed, CancellationToken workToken, CancellationToken cancellationToken)
    {
        var offer = entry.DecodeOffer();
        var signed = offer?.Package is null ? null : ManifestChecks.CheckSigned(offer.Package, _keys);
        if (offer is null || signed is not { IsAccepted: true })
        {
            await FinishAsync(entry, UpdatePhase.Failed, signed?.Failure ?? UpdateFailure.ManifestMalformed,
                "the journal's copy of the offer no longer passes: " + (signed?.Detail ?? "it cannot be read"), cancellationToken);
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
                    await RollBackAsync(entry with { RollbackReason = "the reboot into the new version failed: " + rebootFailed }, cancellationToken);
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
                    $"the offer expired at {CommandChecks.Time(offer.ExpiresUnixMs)} while the device waited to start it (device clock {CommandChecks.Time(Now)})", cancellationToken);
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
            await FinishAsync(entry, UpdatePhase.Failed, payloadCheck.Failure, payloadCheck.Detail, cancellationToken);
            return null;
        }
        if (manifest.IsDelta && await ApplyDeltaAsync(entry, manifest, part, workToken, cancellationToken) is false)
            return null;
        if (await CheckImageAsync(entry, manifest, cancellationToken) is false)
            return null;
        if (!TryBeginInstalling())
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
                $"{free} bytes free under {_directory}; the download and the image need {needed} (with {_options.MinimumFreeBytes} kept free)", workToken);
            return null;
        }
        var url = PayloadUri(offer.PayloadUrl)!;
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
            await FinishAsync(entry, UpdatePhase.Failed, UpdateFailure.ImageHashMismatch, "the delta could not be applied to the running image: " + ex.Message, cancellationToken);
            return false;
        }
    }

    /// <summary>The image to install against the manifest: checked after a delta is applied, and again before a resumed install.</summary>
    private async Task<bool> CheckImageAsync(UpdateJournalEntry entry, UpdateManifest manifest, CancellationToken cancellationToken)
    {
        var path = manifest.IsDelta ? ImagePath(manifest) : PartPath(manifest);
        if (!File.Exists(path))
        {
            await FinishAsync(entry, UpdatePhase.Failed, UpdateFailure.InstallFailed, "the verified image is gone from the device: offer the update again", cancellationToken);
            return false;
        }
        (long Size, byte[] Sha256) image;
        await using (var file = File.OpenRead(path))
            image = await ManifestChecks.HashAsync(file, cancellationToken);
        var check = ManifestChecks.CheckImage(manifest, image.Size, image.Sha256);
        if (check.IsAccepted)
            return true;
        File.Delete(path);
        await FinishAsync(entry, UpdatePhase.Failed, check.Failure, check.Detail, cancellationToken);
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
        var problem = await _installer.StageAsync(image, manifest, cancellationToken);
        if (problem is null && Checkpoint is { } staged)
            await staged("staged", cancellationToken);
        problem ??= await _installer.ActivateAsync(manifest, cancellationToken);
        if (problem is not null)
        {
            UpdateLog.InstallFailed(_logger, _device.DeviceId, entry.OfferId, problem);
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
                UpdateLog.RolledBack(_logger, _device.DeviceId, entry.OfferId, manifest.Version, result.Detail);
                await FinishAsync(entry, UpdatePhase.RolledBack, result.Failure, result.Detail, cancellationToken, running: from);
                break;
            default:
                UpdateLog.InstallFailed(_logger, _device.DeviceId, entry.OfferId, result.Detail);
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
            failed = await _installer.CommitAsync(cancellationToken) is { } commit ? "marking the new version good failed: " + commit : null;
            if (failed is null)
            {
                Interlocked.Increment(ref _succeeded);
                UpdateLog.Succeeded(_logger, _device.DeviceId, entry.OfferId, entry.TargetVersion, entry.FromVersion);
                await FinishAsync(entry, UpdatePhase.Succeeded, UpdateFailure.None,
                    $"running {entry.TargetVersion} (was {entry.FromVersion}); connected and healthy for {_options.HealthCheckStableFor.TotalSeconds:0.#} s after booting it",
                    cancellationToken, running: entry.TargetVersion);
                return;
            }
        }
        await RollBackAsync(entry with { RollbackReason = "health check failed: " + failed }, cancellationToken);
    }

    /// <summary>Back to the version that ran before: set it to boot, boot it, report RolledBack with the reason.</summary>
    private async Task RollBackAsync(UpdateJournalEntry entry, CancellationToken cancellationToken)
    {
        entry = await SaveAsync(entry with { Stage = UpdateStage.RollingBack }, cancellationToken);
        var status = _device.Bootable is null ? await _device.Telemetry.CurrentStatusAsync(cancellationToken) : null;
        string? problem = null;
        // A restart in the middle of a rollback may find it done: the device runs the old version again.
        if (FirmwareVersion.Compare(RunningVersion(status), entry.FromVersion) != 0)
        {
            problem = await _installer.RollBackAsync(cancellationToken);
            problem ??= await _installer.RebootAsync(cancellationToken);
        }
        _device.Telemetry.RequestRead();
        Interlocked.Increment(ref _rolledBack);
        var detail = entry.RollbackReason + (problem is null ? $"; back on {entry.FromVersion}" : $"; going back failed too: {problem}");
        UpdateLog.RolledBack(_logger, _device.DeviceId, entry.OfferId, entry.TargetVersion, detail);
        await FinishAsync(entry, UpdatePhase.RolledBack, UpdateFailure.HealthCheckFailed, detail, cancellationToken,
            running: problem is null ? _device.Bootable?.FirmwareVersion ?? entry.FromVersion : null);
    }

    private async Task FinishAsync(UpdateJournalEntry entry, UpdatePhase phase, UpdateFailure failure, string detail, CancellationToken cancellationToken, string? running = null)
    {
        if (phase == UpdatePhase.Failed)
        {
            Interlocked.Increment(ref _failed);
            UpdateLog.Finished(_logger, _device.DeviceId, entry.OfferId, failure, detail);
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
        UpdateJournalEntry entry, UpdatePhase phase, UpdateFailure failure = UpdateFailure.None, string detail = "", int percent = 0,
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
            Detail = detail,
            RunningVersion = running ?? RunningVersion(null),
            BytesDone = bytesDone,
            BytesTotal = bytesTotal,
        };
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

    private UpdateJournalEntry NewEntry(UpdateOffer offer, byte[]? encoded, string fromVersion) =>
        new(offer.OfferId, "", "", UpdateStage.Waiting, encoded, null, fromVersion, [], 0, Now);

    /// <summary>What the device runs: the in-process device's own word, else what the collector last read.</summary>
    private string RunningVersion(DeviceStatus? status) =>
        _device.Bootable?.FirmwareVersion ?? status?.FirmwareVersion ?? _device.Telemetry.LatestStatus?.FirmwareVersion ?? "";

    private Uri? PayloadUri(string payloadUrl)
    {
        if (Uri.TryCreate(payloadUrl, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
            return absolute;
        return _device.CloudUrl is { } cloud && payloadUrl.Length > 0 && Uri.TryCreate(cloud, payloadUrl, out var relative) && relative.Scheme is "http" or "https"
            ? relative
            : null;
    }

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
