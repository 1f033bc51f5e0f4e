using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Tests.Fixes;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Web.Dashboard;

/// <summary>The device beside a support conversation (<c>DevicePanel</c>): its fix list is staff's view, through <see cref="StaffFixes"/>.</summary>
public sealed class DevicePanelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_panel_lists_the_staff_view_of_the_devices_fixes_and_a_customer_cannot_reach_it()
    {
        await using var host = new CloudHost();
        var (device, owner, proposal) = await FixLoopTests.JammedPairedDeviceAsync(host, "dp-1", "DPDP1111");
        await using var _ = device;
        using var approved = await owner.PostAsync(new Uri($"/api/me/fixes/{proposal.Id}/approve", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var session = await OpenAsync(owner, "dp-1", "The printer says paper jam, please talk to a person");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        var staffFixes = await agent.GetJsonAsync<List<FixView>>("/api/fixes?deviceId=dp-1&limit=5");
        var customersFix = await owner.GetJsonAsync<FixView>($"/api/me/fixes/{proposal.Id}");
        var page = await GetPageAsync(agent, $"/dashboard/support/{session.Id}");

        // The same fixes as the staff API, with who decided each: a field the customer's view leaves out.
        var decided = staffFixes.Single(f => f.Id == proposal.Id);
        Assert.NotNull(decided.DecidedBy);
        Assert.Null(customersFix.DecidedBy);
        Assert.Equal(["dp-1"], Attribute(page, "device-panel", "data-device-id"));
        Assert.Equal(staffFixes.Select(f => f.Id), Attribute(page, "panel-fix", "data-fix-id"));
        Assert.Equal(staffFixes.Select(f => f.State.ToStorage()), Attribute(page, "panel-fix", "data-state"));
        // The panel names the person ("Test Customer", the name SignedInClientAsync gives); the account id in the
        // record stays out of the text.
        Assert.Equal(["· decided by Test Customer"], TestIdTexts(page, "panel-fix-decided-by"));
        Assert.DoesNotContain(">" + decided.DecidedBy, page, StringComparison.Ordinal);

        var ownersView = await GetPageAsync(owner, $"/dashboard/support/{session.Id}");
        Assert.Equal(1, CountTestId(ownersView, "access-denied"));
        Assert.Equal(0, CountTestId(ownersView, "device-panel"));
        Assert.Equal(0, CountTestId(ownersView, "panel-fix"));
        Assert.DoesNotContain(proposal.Id, ownersView, StringComparison.Ordinal);
    }
}
