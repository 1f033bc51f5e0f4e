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
/// each offer id at most once, reporting every step as an <see cref="UpdateReport"/> through the outbox. Three parts:
/// the <see cref="OfferQueue"/> (one offer at a time, a newer one waits while the older is stopped), the checks before
/// anything is downloaded (<see cref="OfferChecks"/>: signature by a pinned key, Install consent, model, revision,
/// versions, expiry), and the <see cref="InstallPipeline"/> (pacing, download, install, reboot, health check, commit or
/// roll back), which journals every step first so a restart (or a power cut) carries on from where it was.
/// </summary>
/// <remarks>
/// A withdrawal, or a newer offer, stops one that has not begun installing (reported Failed/Withdrawn); once
/// installing, it is finished first, because stopping halfway is worse than either.
/// </remarks>
public sealed class UpdateInstaller : IUpdateOfferHandler, IDisposable
{
    public const string DirectoryName = "updates";

    private readonly UpdateDevice _device;
    private readonly UpdateOptions _options;
    private readonly Outbox _outbox;
    private readonly UplinkEnvelopes _envelopes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<TrustedKey> _keys;
    private readonly UpdateJournal _journal;
    private readonly IImageInstaller _installer;
    private readonly DriverUpdateStep _drivers;
    private readonly OfferQueue _queue = new();
    private readonly InstallPipeline _pipeline;
    private long _offers;

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
        var directory = Path.Combine(device.DataDirectory, DirectoryName);
        _journal = UpdateJournal.Open(directory, out var problem);
        if (problem is not null)
            UpdateLog.JournalUnreadable(_logger, device.DeviceId, _journal.FilePath, problem);
        restartProcess ??= _ => Task.FromResult<string?>("this device cannot be rebooted by the agent: set Updates:RebootCommand");
        _installer = options.Installer == UpdateInstallerKind.Command
            ? new CommandImageInstaller(options, restartProcess, device.DeviceId, _logger)
            : new SlotImageInstaller(SlotStore.Open(device.DataDirectory), device.Bootable, options, restartProcess, time, device.DeviceId, _logger);
        _drivers = new DriverUpdateStep(device.Host, directory);
        var healthCheck = new UpdateHealthCheck(device.IsConnected, () => device.Telemetry.LatestStatus, time,
            checkInterval < options.CheckInterval ? checkInterval : options.CheckInterval, options.HealthCheckStableFor);
        _pipeline = new InstallPipeline(device, options, outbox, envelopes, time, _logger, _keys, _journal, _installer,
            new PayloadDownloader(device.Http, options, time, random, _logger), healthCheck, _drivers, _queue, directory);
    }

    public IImageInstaller Installer => _installer;

    public UpdateJournal Journal => _journal;

    /// <summary>Offers received (repeats included) since start.</summary>
    public long OffersReceived => Interlocked.Read(ref _offers);

    /// <summary>For tests: called at named points ("resuming", "staged", "rebooted") so a test can stop the agent exactly there.</summary>
    internal Func<string, CancellationToken, Task>? Checkpoint
    {
        get => _pipeline.Checkpoint;
        set => _pipeline.Checkpoint = value;
    }

    /// <summary>Heartbeat metrics: what the device did with updates since start.</summary>
    public IEnumerable<Metric> CurrentMetrics() =>
    [
        new Metric { Name = "updates-offered", Value = OffersReceived, Unit = "count" },
        new Metric { Name = "updates-succeeded", Value = _pipeline.Succeeded, Unit = "count" },
        new Metric { Name = "updates-failed", Value = _pipeline.Failed, Unit = "count" },
        new Metric { Name = "updates-rolled-back", Value = _pipeline.RolledBack, Unit = "count" },
    ];

    /// <summary>Before anything reads the device: boots an in-process device from the slot that is set to boot.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await _installer.BootAtStartAsync(cancellationToken) is { } problem)
            UpdateLog.BootFailed(_logger, _device.DeviceId, problem.Text);
    }

    /// <summary>Carries on with an unfinished offer from the journal, then works offers as they come, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_journal.Current is { } current)
        {
            UpdateLog.Resumed(_logger, _device.DeviceId, current.OfferId, current.TargetVersion, current.Stage);
            StartWork(current.OfferId, current.Stage >= UpdateStage.Installing, token => _pipeline.ContinueAsync(current, resumed: true, token, cancellationToken), cancellationToken);
        }
        await _queue.RunAsync(DispatchAsync, cancellationToken);
    }

    public void Dispose()
    {
        _queue.Dispose();
        foreach (var key in _keys)
            key.Dispose();
        _journal.Dispose();
    }

    async ValueTask IUpdateOfferHandler.OnUpdateOfferAsync(UpdateOffer offer, CancellationToken cancellationToken) =>
        await _queue.EnqueueAsync(offer, cancellationToken);

    /// <summary>Decides what a delivered offer means: a repeat, a withdrawal, a newer offer, or work to start.</summary>
    private async Task DispatchAsync(UpdateOffer offer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _offers);
        UpdateLog.OfferReceived(_logger, _device.DeviceId, offer.OfferId, offer.Withdrawn, offer.PayloadUrl);
        if (_journal.Find(offer.OfferId) is { } seen)
        {
            if (!seen.IsFinished && offer.Withdrawn && _queue.TryCancel(offer.OfferId, UpdateFailure.Withdrawn, UpdateDetail.Withdrawn()))
                return;
            // Installs at most once: a repeat (the retained offer on every reconnect) hears where the device is.
            UpdateLog.Repeated(_logger, _device.DeviceId, offer.OfferId, seen.Stage);
            if (seen.LastReport is { } last)
                await _outbox.EnqueueAsync(_envelopes.UpdateReport(WireCodec.Decode<UpdateReport>(last).Value!), cancellationToken);
            return;
        }
        _queue.Release(offer.OfferId);
        if (offer.Withdrawn)
        {
            var entry = _pipeline.NewEntry(offer, null, "");
            await _pipeline.FinishAsync(entry, UpdatePhase.Failed, UpdateFailure.Withdrawn, UpdateDetail.Withdrawn(), cancellationToken);
            return;
        }
        if (_queue.WorkingOn is { } busyWith)
        {
            // The retained topic holds one offer: the newer one replaces the older unless that one is installing.
            _queue.TryCancel(busyWith, UpdateFailure.Withdrawn, UpdateDetail.Superseded(offer.OfferId));
            _queue.HoldUntilWorkEnds(offer);
            return;
        }
        StartWork(offer.OfferId, false, token => AcceptAsync(offer, token, cancellationToken), cancellationToken);
    }

    private void StartWork(string offerId, bool installing, Func<CancellationToken, Task> work, CancellationToken cancellationToken) =>
        _queue.Start(offerId, installing, workToken => RunWorkAsync(offerId, work, workToken, cancellationToken), cancellationToken);

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
            var reason = _queue.CancelReason;
            UpdateLog.Withdrawn(_logger, _device.DeviceId, offerId, reason.Detail.Text);
            if (_journal.Find(offerId) is { IsFinished: false } entry)
                await _pipeline.FinishAsync(entry, UpdatePhase.Failed, reason.Failure, reason.Detail, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            // The agent could not carry on (disk full, files gone): what can be undone is, and the cloud hears why.
            UpdateLog.Failed(_logger, ex, _device.DeviceId, offerId, ex.Message);
            if (_journal.Find(offerId) is not { IsFinished: false } entry)
                return;
            if (_installer.IsActivated(entry.TargetVersion) && await _installer.RollBackAsync(cancellationToken) is null)
                await _installer.RebootAsync(cancellationToken);
            await _pipeline.FinishAsync(entry, UpdatePhase.Failed, UpdateFailure.InstallFailed, UpdateDetail.AgentFailed(ex.Message), cancellationToken);
        }
    }

    /// <summary>A new offer: the checks, then the journal, then the work.</summary>
    private async Task AcceptAsync(UpdateOffer offer, CancellationToken workToken, CancellationToken cancellationToken)
    {
        var status = await _device.Telemetry.CurrentStatusAsync(workToken);
        var running = _pipeline.RunningVersion(status);
        var entry = _pipeline.NewEntry(offer, null, running) with
        {
            ErrorsBefore = [.. status.Conditions.Where(c => c.Severity == Severity.Error).Select(c => c.Code)],
        };
        var verdict = await CheckAsync(offer, status, running, workToken);
        if (!verdict.IsAccepted)
        {
            UpdateLog.Refused(_logger, _device.DeviceId, offer.OfferId, verdict.Failure, verdict.Detail);
            await _pipeline.FinishAsync(entry with { PackageId = verdict.Manifest?.PackageId ?? "", TargetVersion = verdict.Manifest?.Version ?? "" },
                UpdatePhase.Failed, verdict.Failure, verdict.Reason, cancellationToken);
            return;
        }
        var manifest = verdict.Manifest!;
        entry = entry with { PackageId = manifest.PackageId, TargetVersion = manifest.Version, Offer = WireCodec.Encode(offer) };
        await _journal.SaveAsync(entry, cancellationToken);
        await _pipeline.ContinueAsync(entry, resumed: false, workToken, cancellationToken);
    }

    /// <summary>Reads what <see cref="OfferChecks"/> needs, only as far as the checks before it passed.</summary>
    private async Task<OfferVerdict> CheckAsync(UpdateOffer offer, DeviceStatus status, string running, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var verdict = OfferChecks.CheckSignedAndConsented(offer, _keys, _device.Consents(), now);
        if (!verdict.IsAccepted)
            return verdict;
        var manifest = verdict.Manifest!;
        if (manifest.Kind == PackageKind.Driver)
            return OfferChecks.CheckForHost(offer, manifest, await _drivers.CheckAsync(manifest, now, cancellationToken), _device.CloudUrl, now);
        var image = _installer.RunningImagePath;
        byte[]? runningSha256 = null;
        if (manifest.IsDelta && image is not null)
        {
            await using var file = File.OpenRead(image);
            runningSha256 = (await ManifestChecks.HashAsync(file, cancellationToken)).Sha256;
        }
        return OfferChecks.CheckForDevice(offer, manifest, new DeviceFacts(status.Model, _options.HardwareRevision, running, runningSha256),
            runningImageReadable: image is not null, _device.CloudUrl, now);
    }
}
