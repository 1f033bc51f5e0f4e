using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Tests.Updates;

/// <summary>
/// Rollouts through the real host: devices are real MQTT clients that receive offers on their downlink and report
/// each step as the agent does, so waves, consent, halts and delta planning are driven by what devices say.
/// </summary>
public sealed class RolloutTests : IDisposable
{
    private readonly TestReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<RolloutView> CreateAsync(HttpClient supervisor, object request)
    {
        using var response = await supervisor.PostAsJsonAsync("/api/updates/rollouts", request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return System.Text.Json.JsonSerializer.Deserialize<RolloutView>(body, Json.Options)!;
    }

    private static async Task<List<DeviceClient>> FleetAsync(CloudHost host, string prefix, int count, string firmware)
    {
        var devices = new List<DeviceClient>();
        for (var i = 0; i < count; i++)
            devices.Add(await TestReleases.DeviceOnAsync(host, $"{prefix}-{i:00}", firmware));
        return devices;
    }

    /// <summary>Plays every device's side: each new offer gets <paramref name="install"/>, until the rollout is in <paramref name="until"/>.</summary>
    private static async Task<RolloutView> DriveAsync(HttpClient supervisor, string rolloutId, IReadOnlyList<DeviceClient> devices, Func<DeviceClient, UpdateOffer, Task> install, string until)
    {
        RolloutView? view = null;
        await Eventually.TrueAsync(async () =>
        {
            foreach (var device in devices)
            {
                while (device.UpdateOffers.TryDequeue(out var offer))
                {
                    if (!offer.Withdrawn)
                        await install(device, offer);
                }
            }
            view = await supervisor.GetJsonAsync<RolloutView>($"/api/updates/rollouts/{rolloutId}");
            return view.State == until;
        }, $"rollout {rolloutId} {until}", TimeSpan.FromSeconds(60));
        return view!;
    }

    [Theory, BothEngines]
    public async Task A_rollout_goes_through_its_waves_in_order_and_completes_when_every_device_runs_the_new_version(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await _releases.PublishFullAsync(supervisor, "2.0.0");
        var fleet = await FleetAsync(host, "wave", 10, "1.0.0");
        var offeredInWave = new List<int>();

        var rollout = await CreateAsync(supervisor, new { packageId, waves = new[] { 10, 50, 100 }, waveWindowSeconds = 0, healthCheckSeconds = 60 });
        Assert.Equal([1, 4, 5], rollout.Waves.Select(w => w.Devices));
        var done = await DriveAsync(supervisor, rollout.Id, fleet, async (device, offer) =>
        {
            var wave = (await supervisor.GetJsonAsync<List<RolloutDeviceView>>($"/api/updates/rollouts/{rollout.Id}/devices")).Single(d => d.DeviceId == device.DeviceId).Wave;
            offeredInWave.Add(wave);
            Assert.Equal((ConsentAction.Install, offer.OfferId), (offer.Consent!.Action, offer.Consent.CommandId));
            Assert.True(ManifestChecks.CheckSigned(offer.Package!, [TrustedKey.TryFromPem(_releases.PublicPem, out _)!]).IsAccepted);
            await TestReleases.InstallAsync(device, offer, "2.0.0");
        }, "completed");

        Assert.Equal(offeredInWave.Order(), offeredInWave);
        Assert.Equal(10, done.Counts["succeeded"]);
        var states = await supervisor.GetJsonAsync<List<RolloutDeviceView>>($"/api/updates/rollouts/{rollout.Id}/devices");
        Assert.All(states, s => Assert.Equal(("succeeded", "2.0.0"), (s.State, s.RunningVersion)));
        foreach (var device in fleet)
            await device.DisposeAsync();
    }

    [Theory, BothEngines]
    public async Task A_release_that_fails_in_its_first_wave_halts_the_rollout_before_any_other_device_is_offered_it(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await _releases.PublishFullAsync(supervisor, "2.0.0");
        var fleet = await FleetAsync(host, "bad", 20, "1.0.0");

        var rollout = await CreateAsync(supervisor, new { packageId, waves = new[] { 10, 100 }, waveWindowSeconds = 0, failureThresholdPercent = 20 });
        var offered = 0;
        var halted = await DriveAsync(supervisor, rollout.Id, fleet, (device, offer) =>
        {
            offered++;
            return TestReleases.ReportAsync(device, update: new UpdateReport
            {
                OfferId = offer.OfferId, Phase = UpdatePhase.RolledBack, Failure = UpdateFailure.HealthCheckFailed, Detail = "did not reconnect within 60 s", RunningVersion = "1.0.0",
            });
        }, "halted");

        Assert.Contains("above the 20 % threshold", halted.HaltReason, StringComparison.Ordinal);
        // The first report alone is above the threshold: the rollout may halt before the second device's report (stored
        // and acked by then) is applied, which it still is.
        await Eventually.TrueAsync(async () =>
        {
            halted = await supervisor.GetJsonAsync<RolloutView>($"/api/updates/rollouts/{rollout.Id}");
            return halted.Waves[0].Failed == 2;
        }, "both reports of the first wave applied", TimeSpan.FromSeconds(30));
        Assert.Equal(("halted", 2, 0, 18), (halted.State, halted.Waves[0].Failed, halted.Waves[1].Failed, halted.Waves[1].Waiting));
        Assert.Equal(2, offered);
        Assert.All(fleet, device => Assert.Empty(device.UpdateOffers));
        foreach (var device in fleet)
            await device.DisposeAsync();
    }

    [Theory, BothEngines]
    public async Task Devices_that_raise_more_errors_after_the_update_halt_the_rollout_by_themselves(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(healthObservation: TimeSpan.FromSeconds(30)), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await _releases.PublishFullAsync(supervisor, "2.0.0");
        var fleet = await FleetAsync(host, "worse", 10, "1.0.0");

        var rollout = await CreateAsync(supervisor, new { packageId, waves = new[] { 20, 100 }, waveWindowSeconds = 0 });
        var halted = await DriveAsync(supervisor, rollout.Id, fleet, async (device, offer) =>
        {
            await TestReleases.InstallAsync(device, offer, "2.0.0");
            // The planted fault: the new version jams and stalls where the old one never did.
            foreach (var code in new[] { "acme:fuser-stall-1", "acme:fuser-stall-2" })
                await TestReleases.ReportAsync(device, @event: new DeviceEvent { Kind = EventKind.Raised, Code = code, Condition = Conditions.HardwareFault, Severity = Severity.Error, Message = "fuser stalled" });
        }, "halted");

        // Halted as soon as the third error arrived, or with the fourth if both came in one pass.
        Assert.Matches("raised [34] errors .* against 0 per device-hour before they updated", halted.HaltReason);
        Assert.Equal(0, halted.CurrentWave);
        Assert.Equal(8, halted.Waves[1].Waiting);
        foreach (var device in fleet)
            await device.DisposeAsync();
    }

    [Theory, BothEngines]
    public async Task A_customer_approves_declines_or_puts_off_the_update_and_nobody_else_can(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await _releases.PublishFullAsync(supervisor, "2.0.0");
        await using var approving = await PairedDevices.ConnectAnnouncingAsync(host, "own-1", "FFFF5555");
        await using var declining = await PairedDevices.ConnectAnnouncingAsync(host, "own-2", "FFFF6666");
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "FFFF5555");
        await PairedDevices.PairAsync(owner, "FFFF6666");
        foreach (var device in new[] { approving, declining })
            await TestReleases.ReportAsync(device, new DeviceStatus { Model = TestReleases.Model, FirmwareVersion = "1.0.0", State = DeviceState.Idle });
        var stranger = await host.SignedInClientAsync(AccountRole.Customer);

        var rollout = await CreateAsync(supervisor, new { packageId, waves = new[] { 100 }, waveWindowSeconds = 0, maxDeferralSeconds = 3600 });
        List<MyUpdateView> mine = [];
        await Eventually.TrueAsync(async () => (mine = await owner.GetJsonAsync<List<MyUpdateView>>("/api/me/updates")).Count == 2, "both offers reach the owner");
        Assert.All(mine, u => Assert.Equal(("offered", true, "2.0.0"), (u.State, u.CanApprove, u.Version)));
        Assert.Contains("tray sensor", mine[0].ReleaseNotes, StringComparison.Ordinal);
        Assert.Empty(approving.UpdateOffers);
        Assert.Empty(await stranger.GetJsonAsync<List<MyUpdateView>>("/api/me/updates"));
        using var strangerApproves = await stranger.PostAsync(new Uri($"/api/me/updates/{rollout.Id}/devices/own-1/approve", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, strangerApproves.StatusCode);

        using var later = await owner.PostAsync(new Uri($"/api/me/updates/{rollout.Id}/devices/own-1/later", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        var deferred = await later.Content.ReadFromJsonAsync<MyUpdateView>(Json.Options, Ct);
        Assert.Equal("deferred", deferred!.State);
        Assert.True(deferred.DeferredUntil <= deferred.DeferralEndsAt, "put off no longer than the release allows");

        using var approved = await owner.PostAsync(new Uri($"/api/me/updates/{rollout.Id}/devices/own-1/approve", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        await Eventually.TrueAsync(() => !approving.UpdateOffers.IsEmpty, "the approved offer reaches the device");
        var offer = Assert.Single(approving.UpdateOffers);
        Assert.Equal((ConsentAction.Install, offer.OfferId), (offer.Consent!.Action, offer.Consent.CommandId));

        using var declined = await owner.PostAsync(new Uri($"/api/me/updates/{rollout.Id}/devices/own-2/decline", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, declined.StatusCode);
        using var approveDeclined = await owner.PostAsync(new Uri($"/api/me/updates/{rollout.Id}/devices/own-2/approve", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, approveDeclined.StatusCode);
        Assert.Empty(declining.UpdateOffers);
        var audit = await supervisor.GetJsonAsync<List<AuditRecord>>("/api/devices/own-1/audit");
        Assert.Equal(["update.offered", "update.deferred", "update.approved", "update.sent"], audit.Select(a => a.Action));
    }

    [Theory, BothEngines]
    public async Task A_standing_install_consent_covers_an_update_unless_the_release_asks_every_customer(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await _releases.PublishFullAsync(supervisor, "2.0.0");
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "policy-1", "FFFF7777");
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "FFFF7777");
        await TestReleases.ReportAsync(device, new DeviceStatus { Model = TestReleases.Model, FirmwareVersion = "1.0.0", State = DeviceState.Idle });
        using var granted = await owner.PostAsJsonAsync("/api/me/devices/policy-1/consents", new { action = "install", days = 30 }, Ct);
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        var policy = await granted.Content.ReadFromJsonAsync<ConsentPolicy>(Json.Options, Ct);

        var strict = await CreateAsync(supervisor, new { packageId, deviceIds = new[] { "policy-1" }, waves = new[] { 100 }, waveWindowSeconds = 0, requireApproval = true });
        await Eventually.TrueAsync(async () => (await owner.GetJsonAsync<List<MyUpdateView>>("/api/me/updates")).Any(u => u.State == "offered"), "the strict release waits for the owner");
        Assert.Empty(device.UpdateOffers);
        using var cancelled = await supervisor.PostAsync(new Uri($"/api/updates/rollouts/{strict.Id}/cancel", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);

        await CreateAsync(supervisor, new { packageId, deviceIds = new[] { "policy-1" }, waves = new[] { 100 }, waveWindowSeconds = 0 });
        await Eventually.TrueAsync(() => !device.UpdateOffers.IsEmpty, "the policy covers the offer");
        var offer = Assert.Single(device.UpdateOffers);
        Assert.Equal((policy!.Id, ""), (offer.Consent!.ConsentId, offer.Consent.CommandId));
    }

    [Theory, BothEngines]
    public async Task A_device_gets_the_delta_from_the_version_it_runs_and_the_full_image_otherwise(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var fullId = await _releases.PublishFullAsync(supervisor, "2.0.0");
        var deltaPayload = "a delta from 1.0.0"u8.ToArray();
        using (var published = await TestReleases.PublishAsync(supervisor, await _releases.PackageAsync(
                   TestReleases.Manifest("lp500-fw-2.0.0-from-1.0.0", "2.0.0", TestReleases.Image("2.0.0"), deltaFrom: "1.0.0", payload: deltaPayload), deltaPayload)))
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        await using var onBase = await TestReleases.DeviceOnAsync(host, "delta-1", "1.0.0");
        await using var elsewhere = await TestReleases.DeviceOnAsync(host, "delta-2", "1.5.0");

        var rollout = await CreateAsync(supervisor, new { packageId = fullId, waves = new[] { 100 }, waveWindowSeconds = 0 });
        await Eventually.TrueAsync(() => !onBase.UpdateOffers.IsEmpty && !elsewhere.UpdateOffers.IsEmpty, "both offers");

        Assert.EndsWith("/lp500-fw-2.0.0-from-1.0.0/payload", Assert.Single(onBase.UpdateOffers).PayloadUrl, StringComparison.Ordinal);
        Assert.EndsWith($"/{fullId}/payload", Assert.Single(elsewhere.UpdateOffers).PayloadUrl, StringComparison.Ordinal);
        var states = await supervisor.GetJsonAsync<List<RolloutDeviceView>>($"/api/updates/rollouts/{rollout.Id}/devices");
        Assert.Equal(["delta from 1.0.0", "full image"], states.OrderBy(s => s.DeviceId).Select(s => s.Detail));
    }

    [Theory, BothEngines]
    public async Task Pausing_withdraws_offers_not_begun_and_resuming_sends_new_ones(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await _releases.PublishFullAsync(supervisor, "2.0.0");
        await using var device = await TestReleases.DeviceOnAsync(host, "pause-1", "1.0.0");
        var rollout = await CreateAsync(supervisor, new { packageId, waves = new[] { 100 }, waveWindowSeconds = 0 });
        await Eventually.TrueAsync(() => device.UpdateOffers.Count == 1, "the first offer");

        using var paused = await supervisor.PostAsync(new Uri($"/api/updates/rollouts/{rollout.Id}/pause", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        await Eventually.TrueAsync(() => device.UpdateOffers.Count == 2, "the withdrawal");
        using var resumed = await supervisor.PostAsync(new Uri($"/api/updates/rollouts/{rollout.Id}/resume", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        await Eventually.TrueAsync(() => device.UpdateOffers.Count == 3, "a new offer");

        var offers = device.UpdateOffers.ToList();
        Assert.Equal((false, true, false), (offers[0].Withdrawn, offers[1].Withdrawn, offers[2].Withdrawn));
        Assert.Equal(offers[0].OfferId, offers[1].OfferId);
        Assert.NotEqual(offers[0].OfferId, offers[2].OfferId);
        using var resumedAgain = await supervisor.PostAsync(new Uri($"/api/updates/rollouts/{rollout.Id}/resume", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, resumedAgain.StatusCode);
    }

    [Theory, BothEngines]
    public async Task Reports_for_another_devices_offer_and_success_on_the_wrong_version_do_not_count_as_success(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await _releases.PublishFullAsync(supervisor, "2.0.0");
        await using var target = await TestReleases.DeviceOnAsync(host, "forge-1", "1.0.0");
        await using var forger = await TestReleases.DeviceOnAsync(host, "forge-2", "2.0.0");
        var rollout = await CreateAsync(supervisor, new { packageId, deviceIds = new[] { "forge-1" }, waves = new[] { 100 }, waveWindowSeconds = 0 });
        await Eventually.TrueAsync(() => !target.UpdateOffers.IsEmpty, "the offer");
        var offer = Assert.Single(target.UpdateOffers);

        await TestReleases.ReportAsync(forger, update: new UpdateReport { OfferId = offer.OfferId, Phase = UpdatePhase.Succeeded, RunningVersion = "2.0.0" });
        await Eventually.TrueAsync(() => host.Logged(Diagnostics.Cloud.Updates.UpdatesEventIds.UpdateReportUnknown, "forge-2"), "the forged report is ignored");
        Assert.Equal("approved", (await supervisor.GetJsonAsync<List<RolloutDeviceView>>($"/api/updates/rollouts/{rollout.Id}/devices")).Single().State);

        await TestReleases.ReportAsync(target, update: new UpdateReport { OfferId = offer.OfferId, Phase = UpdatePhase.Succeeded, RunningVersion = "1.0.0" });
        RolloutDeviceView? state = null;
        await Eventually.TrueAsync(async () => (state = (await supervisor.GetJsonAsync<List<RolloutDeviceView>>($"/api/updates/rollouts/{rollout.Id}/devices")).Single()).State == "failed", "success on the old version fails");
        Assert.Contains("while running 1.0.0", state!.Detail, StringComparison.Ordinal);
    }
}
