using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Tests.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Updates;
using Diagnostics.Protocol;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Updates;

/// <summary>
/// The companion's update card and the customer's update API are one way in (<see cref="CustomerUpdates"/>): another
/// customer neither sees the offer on the device page nor can decide it or read or change the window through the API.
/// </summary>
public sealed class CustomerUpdatesTests : IDisposable
{
    private readonly TestReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task Another_customer_gets_neither_the_update_card_of_a_device_page_nor_the_offer_or_window_from_the_api(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: _releases.Settings(), engine: engine);
        var (device, _, owner, rollout) = await OfferedRolloutAsync(host, _releases, "cu-1", "CBCB1111");
        await using var _ = device;
        var stranger = await host.SignedInClientAsync(AccountRole.Customer);

        var ownersPage = await GetPageAsync(owner, "/app/devices/cu-1");
        var strangersPage = await GetPageAsync(stranger, "/app/devices/cu-1");

        // The owner's page shows the card, so its absence below is the refusal and not an empty device.
        Assert.Equal([rollout.Id], Attribute(ownersPage, "update-card", "data-rollout-id"));
        Assert.Equal(1, CountTestId(strangersPage, "device-not-found"));
        Assert.Equal(0, CountTestId(strangersPage, "update-card"));
        Assert.Equal(0, CountTestId(strangersPage, "window-text"));
        Assert.DoesNotContain(rollout.Id, strangersPage, StringComparison.Ordinal);
        Assert.Empty(await stranger.GetJsonAsync<List<MyUpdateView>>("/api/me/updates"));
        using var approve = await stranger.PostAsync(new Uri($"/api/me/updates/{rollout.Id}/devices/cu-1/approve", UriKind.Relative), null, Ct);
        using var window = await stranger.GetAsync(new Uri("/api/me/devices/cu-1/maintenance-window", UriKind.Relative), Ct);
        using var setWindow = await stranger.PutAsJsonAsync("/api/me/devices/cu-1/maintenance-window", new { from = "01:00", to = "02:00", timeZone = "UTC" }, Ct);
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound), (approve.StatusCode, window.StatusCode, setWindow.StatusCode));
        Assert.Equal(["offered"], Attribute(await GetPageAsync(owner, "/app/devices/cu-1"), "update-card", "data-state"));
        // The stranger's window was not stored: the owner's device still installs at any time.
        Assert.True((await owner.GetJsonAsync<MaintenanceWindowView>("/api/me/devices/cu-1/maintenance-window")).AlwaysOpen);
    }

    /// <summary>A paired device on 1.0.0 that a one-wave rollout of 2.0.0 ("Spring firmware") has been offered to, its owner seeing the offer.</summary>
    internal static async Task<(DeviceClient Device, HttpClient Supervisor, HttpClient Owner, RolloutView Rollout)> OfferedRolloutAsync(
        CloudHost host, TestReleases releases, string deviceId, string pairingCode)
    {
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var packageId = await releases.PublishFullAsync(supervisor, "2.0.0");
        var device = await PairedDevices.ConnectAnnouncingAsync(host, deviceId, pairingCode);
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, pairingCode);
        await TestReleases.ReportAsync(device, new DeviceStatus { Model = TestReleases.Model, FirmwareVersion = "1.0.0", State = DeviceState.Idle });
        using var created = await supervisor.PostAsJsonAsync("/api/updates/rollouts", new { packageId, name = "Spring firmware", waves = new[] { 100 }, waveWindowSeconds = 0 }, Ct);
        var rollout = (await created.Content.ReadFromJsonAsync<RolloutView>(Json.Options, Ct))!;
        await Eventually.TrueAsync(async () => (await owner.GetJsonAsync<List<MyUpdateView>>("/api/me/updates")).Count == 1, "the offer is open");
        return (device, supervisor, owner, rollout);
    }

    [Theory]
    // CLDR: British English writes a time of day on the 24-hour clock (HH:mm), American English on the 12-hour one
    // (h:mm a); both read English text.
    // (ICU puts a narrow no-break space before AM/PM, which the page's HTML writes as a character reference.)
    [InlineData("en-GB,en;q=0.9", "22:00", "06:00")]
    [InlineData("en-US,en;q=0.9", @"10:00(\s|&#x202F;)PM", @"6:00(\s|&#x202F;)AM")]
    public async Task The_maintenance_window_reads_in_the_browsers_own_clock(string acceptLanguage, string from, string until)
    {
        await using var host = new CloudHost(settings: _releases.Settings());
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "cu-clock", "CBCB2222");
        var owner = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(owner, "CBCB2222");
        using var set = await owner.PutAsJsonAsync("/api/me/devices/cu-clock/maintenance-window", new { from = "22:00", to = "06:00", timeZone = "UTC" }, Ct);
        Assert.True(set.IsSuccessStatusCode, $"Setting the window answered {(int)set.StatusCode}.");
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        var page = await GetPageAsync(owner, "/app/devices/cu-clock");

        Assert.Contains("<html lang=\"en\">", page, StringComparison.Ordinal);
        Assert.Matches($@"^Updates install only between {from} and {until} \(UTC\)", TestIdText(page, "window-text"));
        // The form's choices too: 22:00 is the 45th half-hour of the day.
        Assert.Matches($@"<option value=""1320""[^>]*>{from}</option>", page);
    }
}
