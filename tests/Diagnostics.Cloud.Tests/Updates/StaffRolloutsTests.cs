using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Updates;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Updates;

/// <summary>
/// The dashboard's rollout pages and the staff rollout API are one way in (<see cref="StaffRollouts"/>): a customer,
/// even one whose device the rollout reaches, neither reads a rollout from either nor steers it.
/// </summary>
public sealed class StaffRolloutsTests : IDisposable
{
    private readonly TestReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task A_customer_gets_neither_the_rollout_pages_nor_the_rollout_api_and_cannot_pause_a_rollout(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var (device, _, owner, rollout) = await CustomerUpdatesTests.OfferedRolloutAsync(host, _releases, "sr-1", "CBCB2222");
        await using var _ = device;
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        // Staff see the rollout on every page, so its absence below is the refusal and not an empty list.
        Assert.Equal([rollout.Id], Attribute(await GetPageAsync(agent, "/dashboard/rollouts"), "rollout-row", "data-rollout-id"));
        Assert.Equal(["offered"], Attribute(await GetPageAsync(agent, $"/dashboard/rollouts/{rollout.Id}"), "rollout-device", "data-state"));
        Assert.Equal([rollout.Id], Attribute(await GetPageAsync(agent, "/dashboard/devices/sr-1"), "device-update", "data-rollout-id"));

        foreach (var url in new[] { "/dashboard/rollouts", $"/dashboard/rollouts/{rollout.Id}", "/dashboard/devices/sr-1" })
        {
            var page = await GetPageAsync(owner, url);
            Assert.Equal(1, CountTestId(page, "access-denied"));
            foreach (var testId in new[] { "rollout-row", "rollout-state", "rollout-device", "wave-row", "rollout-not-found", "device-update", "new-rollout" })
                Assert.Equal(0, CountTestId(page, testId));
            Assert.DoesNotContain("Spring firmware", page, StringComparison.Ordinal);
            if (!url.Contains(rollout.Id, StringComparison.Ordinal))
                Assert.DoesNotContain(rollout.Id, page, StringComparison.Ordinal);
        }
        foreach (var url in new[] { "/api/updates/rollouts", $"/api/updates/rollouts/{rollout.Id}", $"/api/updates/rollouts/{rollout.Id}/devices", "/api/devices/sr-1/updates" })
        {
            using var refused = await owner.GetAsync(new Uri(url, UriKind.Relative), Ct);
            var body = await refused.Content.ReadAsStringAsync(Ct);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"GET {url} -> {(int)refused.StatusCode}");
            Assert.DoesNotContain("Spring firmware", body, StringComparison.Ordinal);
        }
        using var pause = await owner.PostAsync(new Uri($"/api/updates/rollouts/{rollout.Id}/pause", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, pause.StatusCode);
        Assert.Equal("running", (await agent.GetJsonAsync<RolloutView>($"/api/updates/rollouts/{rollout.Id}")).State);
    }
}
