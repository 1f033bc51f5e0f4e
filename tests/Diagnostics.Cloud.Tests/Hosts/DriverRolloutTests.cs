using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Updates;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;
using static Diagnostics.Cloud.Tests.Hosts.TestHosts;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Hosts;

/// <summary>
/// Driver rollouts through the real host: hosts are real MQTT clients that report their queues, receive offers and
/// report each step as the agent in the host role does.
/// </summary>
public sealed class DriverRolloutTests : IDisposable
{
    private readonly TestReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> CreateAsync(HttpClient supervisor, object request) =>
        await supervisor.PostAsJsonAsync("/api/updates/rollouts", request, Ct);

    private static async Task WaitForHostsAsync(HttpClient staff, int count) =>
        await Eventually.TrueAsync(async () => (await staff.GetJsonAsync<List<Cloud.Hosts.HostView>>("/api/hosts")).Count == count, $"{count} hosts stored");

    [Theory, BothEngines]
    public async Task A_driver_rollout_targets_the_hosts_that_print_to_its_model_on_its_platform_and_completes_on_their_reports(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await PublishDriverAsync(_releases, supervisor, "2.0");
        await using var old1 = await TestHosts.HostAsync(host, "laptop-1", Report("LAPTOP-1", "linux", Queue("office", "1.0")));
        await using var old2 = await TestHosts.HostAsync(host, "laptop-2", Report("LAPTOP-2", "linux", Queue("office", "1.5"), Queue("lab", "")));
        await using var windows = await TestHosts.HostAsync(host, "pc-3", Report("PC-3", "windows", Queue("office", "1.0")));
        await using var current = await TestHosts.HostAsync(host, "laptop-4", Report("LAPTOP-4", "linux", Queue("office", "2.0")));
        await using var otherModel = await TestHosts.HostAsync(host, "laptop-5", Report("LAPTOP-5", "linux", Queue("ink", "1.0", model: "Acme InkJet 20")));
        await WaitForHostsAsync(supervisor, 5);

        using var created = await CreateAsync(supervisor, new { packageId, waves = new[] { 50, 100 }, waveWindowSeconds = 0 });
        var body = await created.Content.ReadAsStringAsync(Ct);
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        var rollout = System.Text.Json.JsonSerializer.Deserialize<RolloutView>(body, Json.Options)!;
        Assert.Equal("skipped 1 hosts already on this driver or newer; 1 hosts of another platform or driver form", rollout.Note);
        var devices = await supervisor.GetJsonAsync<List<RolloutDeviceView>>($"/api/updates/rollouts/{rollout.Id}/devices");
        // A host's version is the oldest driver among the queues the package is for: a queue without one is the oldest.
        Assert.Equal(["laptop-1 1.0", "laptop-2 "], devices.Select(d => $"{d.DeviceId} {d.FromVersion}").Order(StringComparer.Ordinal));

        // Nobody owns these hosts (a company's machines): the rollout's creator approved; each takes its offer in its wave and succeeds.
        var installed = new List<string>();
        await Eventually.TrueAsync(async () =>
        {
            foreach (var agent in new[] { old1, old2 })
            {
                while (agent.UpdateOffers.TryDequeue(out var offer))
                {
                    Assert.Equal((ConsentAction.Install, PackageKind.Driver), (offer.Consent!.Action, PackageArchive.TryDecodeUnverified(offer.Package!, out _)!.Kind));
                    await TestReleases.ReportAsync(agent, update: new UpdateReport { OfferId = offer.OfferId, Phase = UpdatePhase.Installing });
                    await TestReleases.ReportAsync(agent, update: new UpdateReport { OfferId = offer.OfferId, Phase = UpdatePhase.Succeeded, RunningVersion = "2.0", Detail = "office: driver 1.0 → 2.0; test job 7 completed" });
                    installed.Add(agent.DeviceId);
                }
            }
            return (await supervisor.GetJsonAsync<RolloutView>($"/api/updates/rollouts/{rollout.Id}")).State == "completed";
        }, "the rollout completed", TimeSpan.FromSeconds(60));
        Assert.Equal(["laptop-1", "laptop-2"], installed.Order(StringComparer.Ordinal));
        Assert.Empty(windows.UpdateOffers);
        Assert.Empty(current.UpdateOffers);
        Assert.Empty(otherModel.UpdateOffers);
    }

    [Theory, BothEngines]
    public async Task A_driver_that_rolls_back_on_the_first_hosts_halts_the_rollout(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await PublishDriverAsync(_releases, supervisor, "3.0");
        var hosts = new List<DeviceClient>();
        for (var i = 0; i < 10; i++)
            hosts.Add(await TestHosts.HostAsync(host, $"host-{i}", Report($"HOST-{i}", "linux", Queue("office", "2.0"))));
        await WaitForHostsAsync(supervisor, 10);

        using var created = await CreateAsync(supervisor, new { packageId, waves = new[] { 20, 100 }, waveWindowSeconds = 0, failureThresholdPercent = 10 });
        var rollout = (await created.Content.ReadFromJsonAsync<RolloutView>(Json.Options, Ct))!;
        await Eventually.TrueAsync(() => hosts.Count(h => !h.UpdateOffers.IsEmpty) == 2, "the first wave's two offers", TimeSpan.FromSeconds(30));
        foreach (var agent in hosts.Where(h => !h.UpdateOffers.IsEmpty))
        {
            agent.UpdateOffers.TryDequeue(out var offer);
            await TestReleases.ReportAsync(agent, update: new UpdateReport
            {
                OfferId = offer!.OfferId, Phase = UpdatePhase.RolledBack, Failure = UpdateFailure.HealthCheckFailed, RunningVersion = "2.0",
                Detail = "the test job 12 on office did not print: processing-stopped; the previous PPD is back byte for byte on office",
            });
        }

        await Eventually.TrueAsync(async () => (await supervisor.GetJsonAsync<RolloutView>($"/api/updates/rollouts/{rollout.Id}")).State == "halted", "the rollout halted", TimeSpan.FromSeconds(30));
        var halted = await supervisor.GetJsonAsync<RolloutView>($"/api/updates/rollouts/{rollout.Id}");
        Assert.Contains("2 of 2 installs failed or rolled back", halted.HaltReason, StringComparison.Ordinal);
        Assert.Equal(8, halted.Waves[1].Waiting);
        foreach (var agent in hosts)
            await agent.DisposeAsync();
    }

    [Theory, BothEngines]
    public async Task The_owner_is_asked_to_update_the_printer_driver_on_their_computer_and_follows_its_progress(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await PublishDriverAsync(_releases, supervisor, "2.0");
        await using var laptop = await PairedDevices.ConnectAnnouncingAsync(host, "laptop-7", "DDDD7777");
        await TestHosts.ReportAsync(laptop, Report("LAPTOP-7", "linux", Queue("office", "1.0")));
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "DDDD7777");
        await WaitForHostsAsync(supervisor, 1);

        using var created = await CreateAsync(supervisor, new { packageId, name = "LaserPro driver 2.0", waves = new[] { 100 }, waveWindowSeconds = 0 });
        var rollout = (await created.Content.ReadFromJsonAsync<RolloutView>(Json.Options, Ct))!;
        await Eventually.TrueAsync(async () => (await owner.GetJsonAsync<List<MyUpdateView>>("/api/me/updates")).Count == 1, "the owner is asked");
        var asked = (await owner.GetJsonAsync<List<MyUpdateView>>("/api/me/updates")).Single();
        Assert.Equal(("driver", "offered", "1.0", true), (asked.Kind, asked.State, asked.FromVersion, asked.CanApprove));
        Assert.Equal([TestReleases.Model], asked.Models);
        var card = await GetPageAsync(owner, "/app/devices/laptop-7");
        Assert.Equal("Update the printer driver on LAPTOP-7?", TestIdText(card, "update-question"));
        Assert.Contains($"For {TestReleases.Model} · from 1.0 to 2.0", TestIdText(card, "update-what"), StringComparison.Ordinal);
        Assert.Empty(laptop.UpdateOffers);

        using var approved = await owner.PostAsync(new Uri($"/api/me/updates/{rollout.Id}/devices/laptop-7/approve", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        await Eventually.TrueAsync(() => !laptop.UpdateOffers.IsEmpty, "the approved offer reaches the host", TimeSpan.FromSeconds(30));
        laptop.UpdateOffers.TryDequeue(out var offer);
        Assert.Equal(offer!.OfferId, offer.Consent!.CommandId);
        await TestReleases.ReportAsync(laptop, update: new UpdateReport { OfferId = offer.OfferId, Phase = UpdatePhase.Installing });
        await Eventually.TrueAsync(async () => TestIdText(await GetPageAsync(owner, "/app/devices/laptop-7"), "update-state") == "Installing the driver and printing a test page…", "progress shown");
        await TestReleases.ReportAsync(laptop, update: new UpdateReport { OfferId = offer.OfferId, Phase = UpdatePhase.Succeeded, RunningVersion = "2.0" });
        await Eventually.TrueAsync(async () => TestIdText(await GetPageAsync(owner, "/app/devices/laptop-7"), "update-state") == "The printer driver is now 2.0; the test page printed.", "success shown");

        // Staff see the host rollout like any other, the hosts by name; the printer's spread moves once the host reports its new driver.
        var detail = await GetPageAsync(supervisor, $"/dashboard/rollouts/{rollout.Id}");
        Assert.Equal("driver for hosts", TestIdText(detail, "rollout-kind"));
        Assert.Contains(">LAPTOP-7</a>", detail, StringComparison.Ordinal);
        Assert.Equal(["driver"], Attribute(await GetPageAsync(supervisor, "/dashboard/rollouts"), "rollout-row", "data-kind"));
        await TestHosts.ReportAsync(laptop, Report("LAPTOP-7", "linux", Queue("office", "2.0")));
        await Eventually.TrueAsync(async () => Attribute(await GetPageAsync(supervisor, "/dashboard/drivers"), "driver-version", "data-version").SequenceEqual(["2.0"]), "the spread shows 2.0");
        Assert.Equal(["office"], Attribute(await GetPageAsync(supervisor, "/dashboard/devices/laptop-7"), "host-queue", "data-queue"));

        // The same audit trail as a firmware update: offered, approved by the owner, sent, and how it ended.
        await Eventually.TrueAsync(async () => (await supervisor.GetJsonAsync<List<Cloud.Audit.AuditRecord>>("/api/devices/laptop-7/audit")).Count == 4, "the install's end audited");
        var audit = await supervisor.GetJsonAsync<List<Cloud.Audit.AuditRecord>>("/api/devices/laptop-7/audit");
        Assert.Equal(["update.offered", "update.approved", "update.sent", "update.succeeded"], audit.Select(a => a.Action));
    }

    [Theory, BothEngines]
    public async Task A_driver_rollout_narrowed_by_tag_goes_only_to_the_tagged_hosts(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await PublishDriverAsync(_releases, supervisor, "2.0");
        await using var pilot = await TestHosts.HostAsync(host, "laptop-1", Report("LAPTOP-1", "linux", Queue("office", "1.0")));
        await using var other = await TestHosts.HostAsync(host, "laptop-2", Report("LAPTOP-2", "linux", Queue("office", "1.0")));
        await WaitForHostsAsync(supervisor, 2);
        using var tagged = await supervisor.PutAsJsonAsync("/api/devices/laptop-1/tags", new[] { "pilot" }, Ct);
        Assert.Equal(HttpStatusCode.OK, tagged.StatusCode);

        using var created = await CreateAsync(supervisor, new { packageId, tags = new[] { "pilot" }, waves = new[] { 100 }, waveWindowSeconds = 0 });
        var body = await created.Content.ReadAsStringAsync(Ct);
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        var rollout = System.Text.Json.JsonSerializer.Deserialize<RolloutView>(body, Json.Options)!;

        var devices = await supervisor.GetJsonAsync<List<RolloutDeviceView>>($"/api/updates/rollouts/{rollout.Id}/devices");
        Assert.Equal(["laptop-1"], devices.Select(d => d.DeviceId));
        await Eventually.TrueAsync(() => !pilot.UpdateOffers.IsEmpty, "the tagged host is offered the driver", TimeSpan.FromSeconds(30));
        Assert.Empty(other.UpdateOffers);
    }

    [Theory, BothEngines]
    public async Task A_driver_rollout_with_no_host_to_update_is_refused_saying_why(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await PublishDriverAsync(_releases, supervisor, "2.0", platform: "macos:mac-pkg");
        await using var linux = await TestHosts.HostAsync(host, "laptop-1", Report("LAPTOP-1", "linux", Queue("office", "1.0")));
        await WaitForHostsAsync(supervisor, 1);

        using var created = await CreateAsync(supervisor, new { packageId });

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Contains($"no host to update (1 print to {TestReleases.Model}: 1 hosts of another platform or driver form)", await created.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
