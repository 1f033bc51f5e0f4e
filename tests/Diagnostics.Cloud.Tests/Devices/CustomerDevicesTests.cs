using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Devices;

/// <summary>
/// The companion's device pages and the customer's device API are one way in (<see cref="CustomerDevices"/>): a device
/// the API refuses a customer, the pages do not show them, whatever made it not theirs.
/// </summary>
public sealed class CustomerDevicesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task Another_customers_device_is_refused_alike_by_the_device_page_the_device_list_and_the_api(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "cd-1", "CDCD1111");
        await using var _ = device;
        var stranger = await host.SignedInClientAsync(AccountRole.Customer);

        // The owner reads it everywhere, so its absence below is the refusal and not a device that is not there.
        await AssertReadsAsync(owner, "cd-1", visible: true);
        await AssertReadsAsync(stranger, "cd-1", visible: false);
        using var rename = await stranger.PutAsJsonAsync("/api/me/devices/cd-1/nickname", new { nickname = "Mine now" }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, rename.StatusCode);
        Assert.Null((await owner.GetJsonAsync<List<DeviceSummary>>("/api/me/devices")).Single().Nickname);
    }

    [Theory, BothEngines]
    public async Task A_decommissioned_device_reads_the_same_on_its_owners_pages_as_in_the_api_and_stays_hidden_from_anyone_else(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "cd-2", "CDCD2222");
        await using var _ = device;
        var stranger = await host.SignedInClientAsync(AccountRole.Customer);

        Assert.True(await host.Registry.RevokeAsync("cd-2", "test", Ct));

        // The current rule: decommissioning keeps the history and the pairing, so the owner still reads the device,
        // marked as decommissioned, and both ways in agree; nobody else reads it either way.
        await AssertReadsAsync(owner, "cd-2", visible: true);
        Assert.True((await owner.GetJsonAsync<List<DeviceSummary>>("/api/me/devices")).Single().Decommissioned);
        await AssertReadsAsync(stranger, "cd-2", visible: false);
    }

    [Theory, BothEngines]
    public async Task A_device_whose_access_ended_by_unpairing_is_refused_alike_by_the_pages_and_the_api(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "cd-3", "CDCD3333");
        await using var _ = device;
        await AssertReadsAsync(owner, "cd-3", visible: true);

        using var unpaired = await owner.DeleteAsync(new Uri("/api/me/devices/cd-3", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NoContent, unpaired.StatusCode);

        await AssertReadsAsync(owner, "cd-3", visible: false);
        using var rename = await owner.PutAsJsonAsync("/api/me/devices/cd-3/nickname", new { nickname = "Office" }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, rename.StatusCode);
    }

    [Fact]
    public async Task The_customer_service_reads_only_the_customers_own_devices_and_nothing_for_staff()
    {
        await using var host = new CloudHost();
        var (device, owner) = await PairedDeviceAsync(host, "cd-4", "CDCD4444");
        await using var _ = device;
        var ownerId = await AccountIdAsync(owner);
        var strangerId = await AccountIdAsync(await host.SignedInClientAsync(AccountRole.Customer));
        var devices = host.Services.GetRequiredService<CustomerDevices>();

        var mine = Principals.Of(ownerId, AccountRole.Customer);
        Assert.Equal("cd-4", (await devices.GetAsync(mine, "cd-4", Ct))?.DeviceId);
        Assert.Equal(["cd-4"], (await devices.ListAsync(mine, Ct)).Select(d => d.DeviceId));
        // Someone else's device, and staff (who read the fleet through StaffDevices): nothing.
        foreach (var reader in new[] { Principals.Of(strangerId, AccountRole.Customer), Principals.Of(ownerId, AccountRole.Agent) })
        {
            Assert.Null(await devices.GetAsync(reader, "cd-4", Ct));
            Assert.Null(await devices.EventsAsync(reader, "cd-4", 1, 10, Ct));
            Assert.Empty(await devices.ListAsync(reader, Ct));
            Assert.False(await devices.RenameAsync(reader, "cd-4", "Taken", Ct));
            Assert.False(await devices.UnpairAsync(reader, "cd-4", Ct));
        }
        Assert.Equal("cd-4", (await devices.GetAsync(mine, "cd-4", Ct))?.DeviceId);
    }

    /// <summary>Every way a customer reads one device: its companion page, the companion's list, and the API's device, events and list.</summary>
    private static async Task AssertReadsAsync(HttpClient customer, string deviceId, bool visible)
    {
        var page = await GetPageAsync(customer, $"/app/devices/{deviceId}");
        var list = await GetPageAsync(customer, "/app");
        using var details = await customer.GetAsync(new Uri($"/api/devices/{deviceId}", UriKind.Relative), Ct);
        using var events = await customer.GetAsync(new Uri($"/api/devices/{deviceId}/events", UriKind.Relative), Ct);
        var mine = await customer.GetJsonAsync<List<DeviceSummary>>("/api/me/devices");

        var expected = visible ? HttpStatusCode.OK : HttpStatusCode.NotFound;
        Assert.True(details.StatusCode == expected, $"GET /api/devices/{deviceId} -> {(int)details.StatusCode}");
        Assert.True(events.StatusCode == expected, $"GET /api/devices/{deviceId}/events -> {(int)events.StatusCode}");
        Assert.Equal(visible ? [deviceId] : [], mine.Select(d => d.DeviceId));
        Assert.Equal(visible ? [deviceId] : [], Attribute(list, "my-device", "data-device-id"));
        Assert.Equal(visible ? 0 : 1, CountTestId(page, "device-not-found"));
        Assert.Equal(visible ? 1 : 0, CountTestId(page, "device-name"));
        Assert.Equal(visible ? 1 : 0, CountTestId(page, "device-health-text"));
    }
}
