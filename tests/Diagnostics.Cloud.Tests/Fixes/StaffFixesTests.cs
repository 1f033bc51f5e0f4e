using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Fixes;

/// <summary>
/// The dashboard's fix pages and the staff fix API are one way in (<see cref="StaffFixes"/>): a customer, even the
/// owner of the device, gets none of it from either.
/// </summary>
public sealed class StaffFixesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task A_customer_gets_neither_the_staff_fix_list_nor_a_devices_staff_fixes_nor_the_staff_fix_api(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner, proposal) = await FixLoopTests.JammedPairedDeviceAsync(host, "sf-1", "SFSF1111");
        await using var _ = device;
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        // Staff see the fix on both pages and in the API, so its absence below is the refusal and not an empty fleet.
        Assert.Contains(proposal.Id, Attribute(await GetPageAsync(agent, "/dashboard/fixes"), "fix-row", "data-fix-id"));
        Assert.Equal([proposal.Id], Attribute(await GetPageAsync(agent, "/dashboard/devices/sf-1"), "fix-row", "data-fix-id"));
        Assert.Equal(proposal.Id, (await agent.GetJsonAsync<FixView>($"/api/fixes/{proposal.Id}")).Id);

        foreach (var url in new[] { "/dashboard/fixes", "/dashboard/fixes?state=proposed", "/dashboard/devices/sf-1" })
        {
            var page = await GetPageAsync(owner, url);
            Assert.Equal(1, CountTestId(page, "access-denied"));
            Assert.Equal(0, CountTestId(page, "fix-row"));
            Assert.Equal(0, CountTestId(page, "fix-count"));
            Assert.DoesNotContain(proposal.Id, page, StringComparison.Ordinal);
            Assert.DoesNotContain(proposal.ArticleTitle!, page, StringComparison.Ordinal);
        }
        foreach (var url in new[] { "/api/fixes", "/api/fixes?deviceId=sf-1", $"/api/fixes/{proposal.Id}" })
        {
            using var refused = await owner.GetAsync(new Uri(url, UriKind.Relative), Ct);
            var body = await refused.Content.ReadAsStringAsync(Ct);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"GET {url} -> {(int)refused.StatusCode}");
            Assert.DoesNotContain(proposal.Id, body, StringComparison.Ordinal);
        }
    }
}
