using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Agent.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Tests.Updates;

/// <summary>Offers through a real MQTT broker to a whole agent on a simulated printer, payloads from a real HTTP server.</summary>
public sealed class UpdateOffersTests : IAsyncDisposable
{
    private readonly UpdateRig _rig = new();

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public async Task An_offer_is_downloaded_installed_into_the_other_slot_rebooted_into_and_succeeds_only_once_the_new_version_runs()
    {
        await _rig.StartAgentAsync();
        var release = _rig.MakeRelease("2.3.0", "offer-happy", imageBytes: 200 * 1024);

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-happy");
        Assert.Equal((UpdatePhase.Succeeded, UpdateFailure.None, "2.3.0", "2.3.0", "lp400-fw-2.3.0"),
            (final.Phase, final.Failure, final.RunningVersion, final.TargetVersion, final.PackageId));
        // The rig asks for 300 ms of health: the English sentence as before, and its code with the seconds in invariant digits.
        Assert.Equal((UpdateDetail.HealthyCode, $"running 2.3.0 (was {UpdateRig.FactoryVersion}); connected and healthy for 0.3 s after booting it"),
            (final.DetailCode, final.Detail));
        Assert.Equal(["2.3.0", UpdateRig.FactoryVersion, "0.3"], final.DetailValues);
        var phases = _rig.Reports("offer-happy").Select(r => r.Phase).Distinct().ToList();
        Assert.Equal([UpdatePhase.Downloading, UpdatePhase.Verifying, UpdatePhase.Installing, UpdatePhase.Rebooting, UpdatePhase.HealthCheck, UpdatePhase.Succeeded], phases);
        var downloading = _rig.Reports("offer-happy").Where(r => r.Phase == UpdatePhase.Downloading).ToList();
        Assert.InRange(downloading.Count, 2, 11);
        Assert.Equal(downloading.Select(r => r.Percent).Order(), downloading.Select(r => r.Percent));
        Assert.Equal((100, release.Image.Length, (long)release.Image.Length), (downloading[^1].Percent, downloading[^1].BytesDone, downloading[^1].BytesTotal));
        Assert.All(_rig.Reports("offer-happy").TakeWhile(r => r.Phase != UpdatePhase.HealthCheck), r => Assert.Equal(UpdateRig.FactoryVersion, r.RunningVersion));

        // The device told the cloud it runs 2.3.0 before it said the update succeeded.
        var received = _rig.Cloud.Received.Where(e => e.DeviceId == UpdateRig.DeviceId).ToList();
        var succeededAt = received.First(e => e.UpdateReport?.Phase == UpdatePhase.Succeeded).Sequence;
        Assert.Contains(received, e => e.Status?.FirmwareVersion == "2.3.0" && e.Sequence < succeededAt);
        Assert.Equal("2.3.0", _rig.Printer!.FirmwareVersion);
        Assert.All(_rig.Server.Requests, r => Assert.Equal("Bearer device-token", r.Authorization));
        Assert.All(_rig.Server.Requests, r => Assert.StartsWith("bytes=", r.Range, StringComparison.Ordinal));

        var pointer = _rig.Slots.ReadPointer()!;
        Assert.Equal((SlotStore.SlotB, SlotStore.SlotA, false), (pointer.Active, pointer.Previous, pointer.Trial));
        Assert.Equal(release.Image, await File.ReadAllBytesAsync(_rig.Slots.ImagePath(SlotStore.SlotB), TestContext.Current.CancellationToken));
        Assert.Equal(UpdateRig.FactoryVersion, _rig.Slots.ReadInfo(SlotStore.SlotA)!.Version);
    }

    public enum Tampering
    {
        PayloadAltered,
        ManifestAlteredAfterSigning,
        SignedByAnUntrustedKey,
        ManifestExpired,
        OlderVersion,
        OtherModel,
        NoConsent,
        ConsentForAnotherAction,
    }

    [Theory]
    [InlineData(Tampering.PayloadAltered, UpdateFailure.PayloadHashMismatch, "payload's SHA-256")]
    [InlineData(Tampering.ManifestAlteredAfterSigning, UpdateFailure.SignatureInvalid, "does not match the manifest")]
    [InlineData(Tampering.SignedByAnUntrustedKey, UpdateFailure.UntrustedKey, "none of them trusted here")]
    [InlineData(Tampering.ManifestExpired, UpdateFailure.Expired, "the package expired")]
    [InlineData(Tampering.OlderVersion, UpdateFailure.Downgrade, "older than the running 2.1.0")]
    [InlineData(Tampering.OtherModel, UpdateFailure.WrongModel, "this device is a Acme LaserPro 400")]
    [InlineData(Tampering.NoConsent, UpdateFailure.ConsentMissing, "no consent: update offer-bad needs a install consent")]
    [InlineData(Tampering.ConsentForAnotherAction, UpdateFailure.ConsentMissing, "is for maintenance, but update offer-bad needs install")]
    public async Task An_offer_that_fails_a_check_is_refused_with_that_reason_and_the_device_keeps_its_version(Tampering tampering, UpdateFailure failure, string detail)
    {
        await _rig.StartAgentAsync();
        using var stranger = Diagnostics.Protocol.Updates.ManifestSigning.CreateKey();
        var release = _rig.MakeRelease(tampering == Tampering.OlderVersion ? "2.0.0" : "2.3.0", "offer-bad",
            manifest: m =>
            {
                if (tampering == Tampering.ManifestExpired)
                    m.ExpiresUnixMs = Now - 1_000;
                if (tampering == Tampering.OtherModel)
                    m.Models = ["Acme LaserPro 900"];
            },
            offer: o =>
            {
                if (tampering == Tampering.NoConsent)
                    o.Consent = null;
                if (tampering == Tampering.ConsentForAnotherAction)
                    o.Consent!.Action = ConsentAction.Maintenance;
            },
            signedBy: tampering == Tampering.SignedByAnUntrustedKey ? stranger : null);
        if (tampering == Tampering.ManifestAlteredAfterSigning)
            release.Offer.Package!.Manifest[^3] ^= 0x01;
        if (tampering == Tampering.PayloadAltered)
        {
            var altered = release.Image.ToArray();
            altered[^100] ^= 0xFF;
            _rig.Server.Serve(release.PayloadPath, altered);
        }

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-bad");
        Assert.Equal((UpdatePhase.Failed, failure), (final.Phase, final.Failure));
        Assert.Contains(detail, final.Detail, StringComparison.Ordinal);
        Assert.Equal(UpdateRig.FactoryVersion, final.RunningVersion);
        Assert.Equal(UpdateRig.FactoryVersion, _rig.Printer!.FirmwareVersion);
        Assert.Equal(SlotStore.SlotA, _rig.Slots.ReadPointer()!.Active);
        // Only a payload that had to be downloaded to be judged was fetched.
        Assert.Equal(tampering == Tampering.PayloadAltered, _rig.Server.Requests.Count > 0);
    }

    [Fact]
    public async Task A_withdrawn_offer_that_has_not_started_is_dropped_and_reported_withdrawn()
    {
        await _rig.StartAgentAsync();
        var release = _rig.MakeRelease("2.3.0", "offer-later", offer: o => o.NotBeforeUnixMs = Now + 3_600_000);
        await _rig.OfferAsync(release.Offer);
        await Eventually.TrueAsync(() => _rig.Runtime!.Updates.Journal.Find("offer-later") is { Stage: UpdateStage.Waiting }, "the offer accepted and waiting");

        release.Offer.Withdrawn = true;
        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-later");
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.Withdrawn), (final.Phase, final.Failure));
        // Coded for a reader of another language, with the words an older cloud shows.
        Assert.Equal((UpdateDetail.WithdrawnCode, 0, "withdrawn by the cloud before the device began installing it"),
            (final.DetailCode, final.DetailValues.Count, final.Detail));
        Assert.Empty(_rig.Server.Requests);
        Assert.Equal(UpdateRig.FactoryVersion, _rig.Printer!.FirmwareVersion);
    }

    [Fact]
    public async Task A_repeated_offer_id_installs_once_and_is_answered_with_its_result()
    {
        await _rig.StartAgentAsync();
        var release = _rig.MakeRelease("2.3.0", "offer-once");
        await _rig.OfferAsync(release.Offer);
        await _rig.FinalReportAsync("offer-once");
        var boots = _rig.Printer!.Boots;
        var requests = _rig.Server.Requests.Count;

        await _rig.OfferAsync(release.Offer);

        await Eventually.TrueAsync(() => _rig.Reports("offer-once").Count(r => r.Phase == UpdatePhase.Succeeded) == 2, "the repeat answered Succeeded again");
        Assert.Equal(boots, _rig.Printer.Boots);
        Assert.Equal(requests, _rig.Server.Requests.Count);
        Assert.Equal(2, _rig.Runtime!.Updates.OffersReceived);
    }

    [Fact]
    public async Task A_version_that_fails_its_health_check_is_rolled_back_and_the_old_version_runs_again()
    {
        await _rig.StartAgentAsync();
        var release = _rig.MakeRelease("2.3.0", "offer-broken", faults: [SimulatedFirmwareImage.EngineError]);

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-broken");
        Assert.Equal((UpdatePhase.RolledBack, UpdateFailure.HealthCheckFailed, UpdateRig.FactoryVersion), (final.Phase, final.Failure, final.RunningVersion));
        // The English sentence as agents have always sent it, and the same said as a code with the reason nested in it.
        const string engineMessage = "10.1 Engine controller error: the engine rejected the firmware. Turn the printer off and on.";
        Assert.Equal(
            $"health check failed: after booting 2.3.0 the device reports {SimulatedPrinter.EngineErrorCode} ({Conditions.HardwareFault}): {engineMessage}; back on {UpdateRig.FactoryVersion}",
            final.Detail);
        Assert.Equal(UpdateDetail.RolledBackCode, final.DetailCode);
        Assert.Equal([UpdateRig.FactoryVersion, UpdateDetail.HealthNewErrorCode, "2.3.0", SimulatedPrinter.EngineErrorCode, Conditions.HardwareFault, engineMessage],
            final.DetailValues);
        Assert.DoesNotContain(_rig.Reports("offer-broken"), r => r.Phase == UpdatePhase.Succeeded);
        Assert.Equal(UpdateRig.FactoryVersion, _rig.Printer!.FirmwareVersion);
        var pointer = _rig.Slots.ReadPointer()!;
        Assert.Equal((SlotStore.SlotA, false), (pointer.Active, pointer.Trial));
        await Eventually.TrueAsync(
            () => _rig.Cloud.Received.Any(e => e.Status is { FirmwareVersion: UpdateRig.FactoryVersion } s && !s.Conditions.Exists(c => c.Code == SimulatedPrinter.EngineErrorCode)
                && e.Sequence > _rig.Cloud.Received.Where(x => x.Status?.FirmwareVersion == "2.3.0").Select(x => x.Sequence).DefaultIfEmpty().Max()),
            "a status on the old version without the engine error after the rollback");
    }

    [Fact]
    public async Task A_version_after_which_the_device_does_not_answer_is_rolled_back_when_the_window_closes()
    {
        await _rig.StartAgentAsync();
        var release = _rig.MakeRelease("2.3.0", "offer-silent", faults: [SimulatedFirmwareImage.Unresponsive], offer: o => o.HealthCheckSeconds = 2);

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-silent");
        Assert.Equal((UpdatePhase.RolledBack, UpdateFailure.HealthCheckFailed, UpdateRig.FactoryVersion), (final.Phase, final.Failure, final.RunningVersion));
        Assert.Contains("the device does not answer", final.Detail, StringComparison.Ordinal);
        Assert.StartsWith("health check failed: the device was not healthy on 2.3.0 by ", final.Detail, StringComparison.Ordinal);
        Assert.EndsWith("; back on " + UpdateRig.FactoryVersion, final.Detail, StringComparison.Ordinal);
        // Old version, the reason's code, the version, the window's end (Unix ms), the collector's own message.
        Assert.Equal(UpdateDetail.RolledBackCode, final.DetailCode);
        Assert.Equal([UpdateRig.FactoryVersion, UpdateDetail.HealthNoAnswerCode, "2.3.0"], final.DetailValues.Take(3));
        Assert.Equal(5, final.DetailValues.Count);
        var windowEnd = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(final.DetailValues[3], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"by {windowEnd:u}: the device does not answer: {final.DetailValues[4]}; back on", final.Detail, StringComparison.Ordinal);
        Assert.Equal(UpdateRig.FactoryVersion, _rig.Printer!.FirmwareVersion);
    }

    [Fact]
    public async Task An_offer_that_does_not_fit_on_the_disk_fails_with_the_free_and_needed_bytes_as_values()
    {
        _rig.Options.MinimumFreeBytes = 1L << 60;
        await _rig.StartAgentAsync();
        var release = _rig.MakeRelease("2.3.0", "offer-too-big");

        await _rig.OfferAsync(release.Offer);

        var final = await _rig.FinalReportAsync("offer-too-big");
        Assert.Equal((UpdatePhase.Failed, UpdateFailure.NoSpace, UpdateDetail.NoSpaceCode), (final.Phase, final.Failure, final.DetailCode));
        Assert.Equal(4, final.DetailValues.Count);
        var (free, directory, needed) = (final.DetailValues[0], final.DetailValues[1], final.DetailValues[2]);
        Assert.Equal((1L << 60).ToString(System.Globalization.CultureInfo.InvariantCulture), final.DetailValues[3]);
        Assert.True(long.Parse(needed, System.Globalization.CultureInfo.InvariantCulture) > 1L << 60, needed);
        Assert.StartsWith(_rig.Directory.Path, directory, StringComparison.Ordinal);
        Assert.Equal($"{free} bytes free under {directory}; the download and the image need {needed} (with {1L << 60} kept free)", final.Detail);
        Assert.Empty(_rig.Server.Requests);
    }

    [Fact]
    public async Task An_offer_that_cannot_be_read_is_counted_and_the_session_goes_on()
    {
        await _rig.StartAgentAsync();

        await _rig.Cloud.SendDownlinkAsync(UpdateRig.DeviceId, Topics.UpdateKind, [0x0A, 0xFF, 0x01], retain: true);

        await Eventually.TrueAsync(() => _rig.Runtime!.Uplink.MalformedDownlinks == 1, "the malformed offer counted");
        var release = _rig.MakeRelease("2.3.0", "offer-after-garbage");
        await _rig.OfferAsync(release.Offer);
        Assert.Equal(UpdatePhase.Succeeded, (await _rig.FinalReportAsync("offer-after-garbage")).Phase);
        Assert.Equal(1, _rig.Runtime!.Uplink.Connects);
    }
}
