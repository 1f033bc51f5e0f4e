using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Devices;

/// <summary>
/// The dashboard's fleet pages and the fleet API are one way in (<see cref="StaffDevices"/>): anyone without a staff
/// role, even the customer who owns a device, gets none of it from either.
/// </summary>
public sealed class StaffDevicesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task A_customer_gets_none_of_the_fleet_pages_data_nor_the_fleet_api(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "sd-1", "SDSD1111");
        await using var _ = device;
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        // Staff see the device on every page, so its absence below is the refusal and not an empty fleet.
        Assert.Equal("1", TestIdText(await GetPageAsync(agent, "/dashboard"), "count-total"));
        Assert.Equal(["sd-1"], Attribute(await GetPageAsync(agent, "/dashboard/devices"), "device-row", "data-device-id"));
        Assert.Equal(1, CountTestId(await GetPageAsync(agent, "/dashboard/devices/sd-1"), "device-health"));

        foreach (var url in new[] { "/dashboard", "/dashboard/devices", "/dashboard/devices?fleet=all", "/dashboard/devices/sd-1" })
        {
            var page = await GetPageAsync(owner, url);
            Assert.Equal(1, CountTestId(page, "access-denied"));
            Assert.Equal(0, CountTestId(page, "count-total"));
            Assert.Equal(0, CountTestId(page, "device-row"));
            Assert.Equal(0, CountTestId(page, "device-health"));
            Assert.Equal(0, CountTestId(page, "event-row"));
        }
        foreach (var url in new[] { "/api/devices", "/api/devices?fleet=all", "/api/fleet/summary" })
        {
            using var refused = await owner.GetAsync(new Uri(url, UriKind.Relative), Ct);
            var body = await refused.Content.ReadAsStringAsync(Ct);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"GET {url} -> {(int)refused.StatusCode}");
            Assert.DoesNotContain("sd-1", body, StringComparison.Ordinal);
        }
    }

    [Theory, BothEngines]
    public async Task The_staff_service_reads_the_fleet_for_staff_and_nothing_for_a_customer_even_the_owner(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "sd-2", "SDSD2222");
        await using var _ = device;
        var ownerId = await AccountIdAsync(owner);
        var devices = host.Services.GetRequiredService<StaffDevices>();
        var query = new DeviceQuery(null, null, null, null, 1, 50);
        var since = DateTimeOffset.UnixEpoch;

        await host.Services.GetRequiredService<IFleetHistoryStore>().RecordAsync(DateTimeOffset.UtcNow, Ct);

        var agent = Principals.Of("agent-of-the-test", AccountRole.Agent);
        Assert.NotEmpty(await devices.HistoryAsync(agent, since, Ct));
        Assert.Equal(["sd-2"], (await devices.ListAsync(agent, query, Ct)).Items.Select(d => d.DeviceId));
        Assert.Equal("sd-2", (await devices.GetAsync(agent, "sd-2", Ct))?.DeviceId);
        Assert.NotNull(await devices.EventsAsync(agent, "sd-2", 1, 10, Ct));
        Assert.NotNull(await devices.TelemetryAsync(agent, "sd-2", 10, Ct));
        Assert.Equal(1, (await devices.SummaryAsync(agent, 10, Ct))?.Total);
        Assert.NotNull(await devices.BreakdownAsync(agent, 10, Ct));

        var customer = Principals.Of(ownerId, AccountRole.Customer);
        var page = await devices.ListAsync(customer, query, Ct);
        Assert.Equal((0, 0L), (page.Items.Count, page.Total));
        Assert.Null(await devices.GetAsync(customer, "sd-2", Ct));
        Assert.Null(await devices.EventsAsync(customer, "sd-2", 1, 10, Ct));
        Assert.Null(await devices.TelemetryAsync(customer, "sd-2", 10, Ct));
        Assert.Null(await devices.SummaryAsync(customer, 10, Ct));
        Assert.Null(await devices.BreakdownAsync(customer, 10, Ct));
        Assert.Empty(await devices.HistoryAsync(customer, since, Ct));
    }
}
