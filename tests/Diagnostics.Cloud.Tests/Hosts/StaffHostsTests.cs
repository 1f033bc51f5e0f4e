using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Hosts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Updates;
using Microsoft.Extensions.DependencyInjection;
using static Diagnostics.Cloud.Tests.Hosts.TestHosts;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Hosts;

/// <summary>
/// Hosts have one way in per audience: staff read every host and the driver spread (<see cref="StaffHosts"/>), a
/// customer only the host they paired (<see cref="CustomerHosts"/>); the pages and the API ask the same services.
/// </summary>
public sealed class StaffHostsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task A_customer_gets_neither_the_driver_pages_nor_the_staff_host_api_and_reads_only_the_host_they_paired(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var laptop = await PairedDevices.ConnectAnnouncingAsync(host, "sh-laptop", "SHSH1111");
        await ReportAsync(laptop, Report("SH-LAPTOP", "linux", Queue("office", "1.0")));
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "SHSH1111");
        var ownerId = await Support.SupportDesk.AccountIdAsync(owner);
        var strangerId = await Support.SupportDesk.AccountIdAsync(await host.SignedInClientAsync(AccountRole.Customer));
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        await Eventually.TrueAsync(async () => (await agent.GetJsonAsync<List<HostView>>("/api/hosts")).Count == 1, "the host stored");

        // Staff see the spread and the host on its device page, so their absence below is the refusal.
        Assert.Equal([TestReleases.Model], Attribute(await GetPageAsync(agent, "/dashboard/drivers"), "driver-model", "data-model"));
        Assert.Equal(1, CountTestId(await GetPageAsync(agent, "/dashboard/devices/sh-laptop"), "device-health"));
        foreach (var url in new[] { "/dashboard/drivers", "/dashboard/devices/sh-laptop" })
        {
            var page = await GetPageAsync(owner, url);
            Assert.Equal(1, CountTestId(page, "access-denied"));
            Assert.Equal(0, CountTestId(page, "driver-model"));
            Assert.DoesNotContain("SH-LAPTOP", page, StringComparison.Ordinal);
        }
        foreach (var url in new[] { "/api/hosts", "/api/drivers/spread", "/api/devices/sh-laptop/hosts" })
        {
            using var refused = await owner.GetAsync(new Uri(url, UriKind.Relative), Ct);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"GET {url} -> {(int)refused.StatusCode}");
        }

        var staffHosts = host.Services.GetRequiredService<StaffHosts>();
        var customerHosts = host.Services.GetRequiredService<CustomerHosts>();
        var mine = Principals.Of(ownerId, AccountRole.Customer);
        var staff = Principals.Of("agent-of-the-test", AccountRole.Agent);
        Assert.Equal("SH-LAPTOP", (await staffHosts.GetAsync(staff, "sh-laptop", Ct))?.HostName);
        Assert.Single(await staffHosts.DriverSpreadAsync(staff, null, Ct));
        Assert.Equal("SH-LAPTOP", (await customerHosts.GetAsync(mine, "sh-laptop", Ct))?.HostName);
        Assert.Empty(await staffHosts.ListAsync(mine, Ct));
        Assert.Empty(await staffHosts.DriverSpreadAsync(mine, null, Ct));
        Assert.Empty(await staffHosts.NamesAsync(mine, ["sh-laptop"], Ct));
        Assert.Null(await staffHosts.GetAsync(mine, "sh-laptop", Ct));
        Assert.Null(await customerHosts.GetAsync(Principals.Of(strangerId, AccountRole.Customer), "sh-laptop", Ct));
        Assert.Null(await customerHosts.GetAsync(staff, "sh-laptop", Ct));
    }
}
