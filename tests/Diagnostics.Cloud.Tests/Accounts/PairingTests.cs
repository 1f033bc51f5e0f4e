using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;

namespace Diagnostics.Cloud.Tests.Accounts;

public sealed class PairingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task A_customer_pairs_with_the_code_the_device_reports_typed_loosely(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "pair-1", "AB12CD34");
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        Assert.Empty(await customer.GetJsonAsync<List<DeviceSummary>>("/api/me/devices"));

        using var response = await customer.PostAsJsonAsync("/api/me/devices/pair", new { code = " ab12-cd34 " }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("pair-1", (await response.Content.ReadJsonAsync<DeviceSummary>())!.DeviceId);
        Assert.Equal(["pair-1"], (await customer.GetJsonAsync<List<DeviceSummary>>("/api/me/devices")).Select(d => d.DeviceId));
        Assert.Equal("pair-1", (await customer.GetJsonAsync<DeviceDetails>("/api/devices/pair-1")).DeviceId);
        Assert.True(host.Logged(AccountsEventIds.DevicePaired, "pair-1"));
    }

    [Theory, BothEngines]
    public async Task Pairing_again_with_the_same_code_keeps_the_device_and_another_customer_cannot_take_it(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "pair-2", "ZZZZ9999");
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        var other = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "ZZZZ9999");

        await PairedDevices.PairAsync(owner, "ZZZZ9999");
        using var stolen = await other.PostAsJsonAsync("/api/me/devices/pair", new { code = "ZZZZ9999" }, Ct);

        // The same answer as a code no device shows: the other customer learns nothing.
        Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
        Assert.Contains("No device available for pairing shows this code", await stolen.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(["pair-2"], (await owner.GetJsonAsync<List<DeviceSummary>>("/api/me/devices")).Select(d => d.DeviceId));
        Assert.Empty(await other.GetJsonAsync<List<DeviceSummary>>("/api/me/devices"));
    }

    [Theory]
    [BothEngines("WRONG000")]
    [BothEngines("not a code at all")]
    [BothEngines("")]
    public async Task Unknown_or_malformed_codes_get_404_with_a_clear_message(string code, StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "pair-3", "AAAA1111");
        var customer = await host.SignedInClientAsync(AccountRole.Customer);

        using var response = await customer.PostAsJsonAsync("/api/me/devices/pair", new { code }, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await customer.GetJsonAsync<List<DeviceSummary>>("/api/me/devices"));
    }

    [Theory, BothEngines]
    public async Task Too_many_wrong_codes_lock_pairing_for_that_account_even_for_the_right_code(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Pairing:MaxFailedAttempts"] = "3" }, engine: engine);
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "pair-4", "BBBB2222");
        var guesser = await host.SignedInClientAsync(AccountRole.Customer);
        var someoneElse = await host.SignedInClientAsync(AccountRole.Customer);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var wrong = await guesser.PostAsJsonAsync("/api/me/devices/pair", new { code = $"CCCC000{attempt}" }, Ct);
            Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        }

        using var locked = await guesser.PostAsJsonAsync("/api/me/devices/pair", new { code = "BBBB2222" }, Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Empty(await guesser.GetJsonAsync<List<DeviceSummary>>("/api/me/devices"));
        // The limit is per account: the rightful owner is not locked out by someone else's guessing.
        await PairedDevices.PairAsync(someoneElse, "BBBB2222");
    }

    [Theory, BothEngines]
    public async Task A_customer_unpairs_their_own_device_but_not_someone_elses(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "pair-5", "DDDD3333");
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        var other = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "DDDD3333");

        using var refused = await other.DeleteAsync(new Uri("/api/me/devices/pair-5", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Single(await owner.GetJsonAsync<List<DeviceSummary>>("/api/me/devices"));

        using var released = await owner.DeleteAsync(new Uri("/api/me/devices/pair-5", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NoContent, released.StatusCode);
        Assert.Empty(await owner.GetJsonAsync<List<DeviceSummary>>("/api/me/devices"));
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync(new Uri("/api/devices/pair-5", UriKind.Relative), Ct)).StatusCode);
    }

    [Theory, BothEngines]
    public async Task Staff_cannot_pair_devices_to_themselves(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "pair-6", "EEEE4444");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        using var response = await agent.PostAsJsonAsync("/api/me/devices/pair", new { code = "EEEE4444" }, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
