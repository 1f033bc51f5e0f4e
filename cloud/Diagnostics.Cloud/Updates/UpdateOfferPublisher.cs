using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Messaging;
using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Updates;

/// <summary>
/// Update offers to devices, retained on <c>down/update</c>: the package each device gets (a delta from the version it
/// runs when there is one), its moment in the wave inside its customer's maintenance window, the consent it carries,
/// and the withdrawal of an offer not yet begun. Which device is offered what, and when, is the
/// <see cref="RolloutService"/>'s decision.
/// </summary>
public sealed partial class UpdateOfferPublisher(
    UpdatePackageStore packageStore, RolloutStore rolloutStore, RolloutTargetStore targetStore, MaintenanceWindowStore windowStore,
    PackageCatalog catalog,
    IDownlinkPublisher downlink,
    FleetChanges changes,
    IOptions<UpdateOptions> options,
    TimeProvider time,
    CloudMetrics metrics,
    ILogger<UpdateOfferPublisher> logger)
{
    private UpdateOptions Options => options.Value;

    /// <summary>
    /// Sends a consented device its offer: the delta from the version it runs now when there is one, the full image
    /// otherwise, to start at its moment in the wave (inside its maintenance window).
    /// </summary>
    public async Task<RolloutDevice> OfferAsync(Rollout rollout, RolloutDevice device, CancellationToken cancellationToken, RolloutDevice? stored = null)
    {
        stored ??= device;
        var now = time.GetUtcNow();
        var full = await catalog.GetAsync(rollout.Spec.PackageId, cancellationToken) ?? throw new InvalidOperationException($"rollout {rollout.Id}: package {rollout.Spec.PackageId} is gone from the catalog");
        var candidate = await targetStore.CandidateAsync(device.DeviceId, cancellationToken);
        var package = await ChoosePackageAsync(full, candidate, now, cancellationToken);
        var window = await windowStore.WindowAsync(device.DeviceId, cancellationToken);
        var attempt = device.Attempt + 1;
        var offerId = $"{rollout.Id}.{device.DeviceId}.{attempt}";
        var notBefore = RolloutPlanning.StartTime(offerId, rollout.WaveStartedAt, TimeSpan.FromSeconds(rollout.Spec.WaveWindowSeconds), now, window);
        var policy = device.ConsentId is { } consentId && !consentId.StartsWith("upd-", StringComparison.Ordinal);
        var expires = notBefore + Options.OfferLifetime;
        var offer = new UpdateOffer
        {
            OfferId = offerId,
            Package = package.SignedManifest,
            PayloadUrl = $"/api/devices/{device.DeviceId}/updates/packages/{Uri.EscapeDataString(package.Id)}/payload",
            Consent = new ConsentGrant
            {
                ConsentId = device.ConsentId ?? "",
                Action = ConsentAction.Install,
                GrantedUnixMs = (device.ApprovedAt ?? now).ToUnixTimeMilliseconds(),
                ExpiresUnixMs = expires.ToUnixTimeMilliseconds(),
                CommandId = policy ? "" : offerId,
                GrantedBy = device.ApprovedBy ?? "",
            },
            NotBeforeUnixMs = notBefore.ToUnixTimeMilliseconds(),
            ExpiresUnixMs = expires.ToUnixTimeMilliseconds(),
            WaitUntilIdle = window.NotWhilePrinting,
            HealthCheckSeconds = rollout.Spec.HealthCheckSeconds,
        };
        var sent = device with
        {
            State = DeviceUpdateState.Approved,
            Attempt = attempt,
            OfferId = offerId,
            PackageId = package.Id,
            NotBefore = notBefore,
            Percent = 0,
            Detail = package.Manifest.IsDelta ? RolloutNotes.Write("Detail.Delta", package.Manifest.DeltaFromVersion) : RolloutNotes.Write("Detail.FullImage"),
            UpdatedAt = RolloutPlanning.Later(stored.UpdatedAt, now),
        };
        if (!await rolloutStore.SaveDeviceAsync(stored, sent, RolloutService.SchedulerActor, "update.sent", cancellationToken))
            return stored;
        await PublishAsync(device.DeviceId, offer, cancellationToken);
        LogOfferPublished(offerId, device.DeviceId, package.Id, notBefore);
        changes.Publish(new DeviceChange(device.DeviceId, now));
        return sent;
    }

    private async Task<UpdatePackage> ChoosePackageAsync(UpdatePackage full, UpdateCandidate? device, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (device is null)
            return full;
        var deltas = await packageStore.DeltasToAsync(full.Manifest.Version, cancellationToken);
        return deltas.FirstOrDefault(d =>
                   FirmwareVersion.Compare(d.Manifest.DeltaFromVersion, device.Firmware) == 0
                   && d.Manifest.Models.Contains(device.Model, StringComparer.OrdinalIgnoreCase)
                   && d.Manifest.ExpiresUnixMs > now.ToUnixTimeMilliseconds()
                   && d.Manifest.ImageSha256.AsSpan().SequenceEqual(full.Manifest.ImageSha256))
               ?? full;
    }

    private async Task PublishAsync(string deviceId, UpdateOffer offer, CancellationToken cancellationToken)
    {
        try
        {
            await downlink.PublishAsync(Topics.Downlink(deviceId, Topics.UpdateKind), WireCodec.Encode(offer), cancellationToken, retain: true);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The row says what the device should have; the next start republishes every outstanding offer.
            metrics.Error("updates.publish");
            LogPublishFailed(exception, offer.OfferId);
        }
    }

    /// <summary>Takes back an offer the device has not begun: the retained offer is replaced by its withdrawal.</summary>
    public Task WithdrawAsync(string deviceId, string offerId, CancellationToken cancellationToken) =>
        PublishAsync(deviceId, new UpdateOffer { OfferId = offerId, Withdrawn = true }, cancellationToken);

    [LoggerMessage(EventId = UpdatesEventIds.UpdateOfferPublished, Level = LogLevel.Information, Message = "Update offer {OfferId} to {DeviceId}: package {PackageId}, not before {NotBefore:u}")]
    private partial void LogOfferPublished(string offerId, string deviceId, string packageId, DateTimeOffset notBefore);

    [LoggerMessage(EventId = UpdatesEventIds.RolloutSchedulerFailed, Level = LogLevel.Error, Message = "Rollout work for {Subject} failed")]
    private partial void LogPublishFailed(Exception exception, string subject);
}
