using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Updates;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Web.Dashboard;

/// <summary>The update screens as served: the dashboard's rollouts and a device's updates, the companion's update card.</summary>
public sealed class UpdatePagesTests : IDisposable
{
    private readonly TestReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task Staff_see_each_rollout_its_waves_and_devices_and_the_owner_sees_an_update_card_to_approve(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await _releases.PublishFullAsync(supervisor, "2.0.0");
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "page-1", "FFFF8888");
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "FFFF8888");
        await TestReleases.ReportAsync(device, new DeviceStatus { Model = TestReleases.Model, FirmwareVersion = "1.0.0", State = DeviceState.Idle });
        using var created = await supervisor.PostAsJsonAsync("/api/updates/rollouts", new { packageId, name = "Spring firmware", waves = new[] { 100 }, waveWindowSeconds = 0 }, Ct);
        var rollout = (await created.Content.ReadFromJsonAsync<RolloutView>(Json.Options, Ct))!;
        await Eventually.TrueAsync(async () => (await owner.GetJsonAsync<List<MyUpdateView>>("/api/me/updates")).Count == 1, "the offer is open");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        var list = await GetPageAsync(agent, "/dashboard/rollouts");
        var detail = await GetPageAsync(agent, $"/dashboard/rollouts/{rollout.Id}");
        var deviceDetail = await GetPageAsync(agent, "/dashboard/devices/page-1");
        var companion = await GetPageAsync(owner, "/app/devices/page-1");

        Assert.Equal([rollout.Id], Attribute(list, "rollout-row", "data-rollout-id"));
        Assert.Equal([packageId], Attribute(list, "package-row", "data-package-id"));
        Assert.Equal("running", TestIdText(detail, "rollout-state"));
        Assert.Equal(["offered"], Attribute(detail, "rollout-device", "data-state"));
        Assert.Equal(0, CountTestId(detail, "rollout-pause"));
        Assert.Equal(["offered"], Attribute(deviceDetail, "device-update", "data-state"));
        // The step reads in the agent's language (it was the stored English word on every device page, issue 19).
        Assert.Contains(": offered", Assert.Single(TestIdTexts(deviceDetail, "device-update")), StringComparison.Ordinal);
        var chineseAgent = await host.SignedInClientAsync(AccountRole.Agent);
        chineseAgent.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN,zh;q=0.9");
        var chineseStep = Assert.Single(TestIdTexts(await GetPageAsync(chineseAgent, "/dashboard/devices/page-1"), "device-update"));
        Assert.Contains("待客户批准", chineseStep, StringComparison.Ordinal);
        Assert.DoesNotContain("offered", chineseStep, StringComparison.Ordinal);
        Assert.Equal(["offered"], Attribute(companion, "update-card", "data-state"));
        Assert.Equal(1, CountTestId(companion, "update-approve"));
        Assert.Contains("tray sensor", TestIdText(companion, "update-notes"), StringComparison.Ordinal);
        Assert.Contains("never while the printer is printing", TestIdText(companion, "window-text"), StringComparison.Ordinal);
        Assert.Equal(1, CountTestId(await GetPageAsync(supervisor, $"/dashboard/rollouts/{rollout.Id}"), "rollout-pause"));
        Assert.Equal(0, CountTestId(list, "new-rollout"));
        var supervisorList = await GetPageAsync(supervisor, "/dashboard/rollouts");
        Assert.Equal(1, CountTestId(supervisorList, "new-rollout"));
        Assert.Contains($"<option value=\"{packageId}\"", supervisorList, StringComparison.Ordinal);
    }
}
