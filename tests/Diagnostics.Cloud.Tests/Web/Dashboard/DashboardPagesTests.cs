using System.Net;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Diagnostics.Protocol;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Web.Dashboard;

/// <summary>The dashboard's pages as the server prerenders them, over a fleet fed through the real ingestion path.</summary>
public sealed partial class DashboardPagesTests
{
    /// <summary>Three devices: one jammed (critical, online), one with low toner (warning, online), one never heard from.</summary>
    /// <summary>The host and the devices that stay connected (online) for the test's length.</summary>
    private sealed class DashboardFleet(CloudHost host, IReadOnlyList<DeviceClient> devices) : IAsyncDisposable
    {
        public CloudHost Host { get; } = host;

        public async ValueTask DisposeAsync()
        {
            foreach (var device in devices)
                await device.DisposeAsync();
            await Host.DisposeAsync();
        }
    }

    private static async Task<DashboardFleet> FleetAsync()
    {
        var host = new CloudHost();
        var jammed = await host.ConnectDeviceAsync("dash-jammed", "LaserJet 4000");
        {
            var status = jammed.NewEnvelope(status: Ingestion.IngestionPipelineTests.JammedStatus());
            await jammed.SendAsync(status);
            var raised = jammed.NewEnvelope(@event: new DeviceEvent { Kind = EventKind.Raised, Code = "ipp:media-jam", Condition = Conditions.PaperJam, Severity = Severity.Error, Message = "Jam in tray 2" });
            await jammed.SendAsync(raised);
            // The temperature moves between the two heartbeats, the page counter does not.
            Envelope? heartbeat = null;
            foreach (var temperature in new[] { 23.5, 24.0 })
            {
                heartbeat = jammed.NewEnvelope(heartbeat: new Heartbeat
                {
                    Metrics = [new Metric { Name = "ambient-temperature", Value = temperature, Unit = "celsius" }, new Metric { Name = "pages-printed", Value = 1200, Unit = "pages" }],
                });
                await jammed.SendAsync(heartbeat);
            }
            await jammed.WaitForAckAsync(heartbeat!.Sequence);
        }
        var low = await host.ConnectDeviceAsync("dash-low", "Deskjet");
        {
            var status = low.NewEnvelope(status: new DeviceStatus
            {
                Model = "Deskjet", Serial = "DJ-1", FirmwareVersion = "2.0",
                Conditions = [new ActiveCondition { Code = "ipp:toner-low", Condition = Conditions.TonerLow, Severity = Severity.Warning }],
            });
            await low.SendAsync(status);
            await low.WaitForAckAsync(status.Sequence);
        }
        await host.RegisterAsync("dash-new", "Deskjet");
        return new DashboardFleet(host, [jammed, low]);
    }


    [Fact]
    public async Task Fleet_overview_shows_counts_top_conditions_and_the_three_charts()
    {
        await using var fleet = await FleetAsync();
        var host = fleet.Host;
        var http = await host.SignedInClientAsync(AccountRole.Agent);

        var html = await GetPageAsync(http, "/dashboard");

        Assert.Equal("3", TestIdText(html, "count-total"));
        Assert.Equal("0", TestIdText(html, "count-healthy"));
        Assert.Equal("1", TestIdText(html, "count-warning"));
        Assert.Equal("1", TestIdText(html, "count-critical"));
        Assert.Equal("1", TestIdText(html, "count-unknown"));
        Assert.Equal("2", TestIdText(html, "count-online"));
        Assert.Equal("1", TestIdText(html, "count-offline"));
        Assert.Equal([Conditions.TonerLow, Conditions.PaperJam], Attribute(html, "top-condition", "data-condition"));
        Assert.Equal("2", TestIdText(html, "top-condition-count"));
        Assert.Contains("""<ol class="top-conditions" data-testid="top-conditions">""", html, StringComparison.Ordinal);
        foreach (var chart in new[] { "chart-conditions-over-time", "chart-top-codes", "chart-firmware" })
            Assert.Equal(1, CountTestId(html, chart));
        // The bars name the codes and the firmware versions they count, coloured by what the code means.
        Assert.Contains("data-label=\"Toner low (ipp:toner-low)\" data-tone=\"warning\"", html, StringComparison.Ordinal);
        Assert.Contains("data-label=\"Paper jam (ipp:media-jam)\" data-tone=\"critical\"", html, StringComparison.Ordinal);
        Assert.Contains("data-label=\"1.2.3\"", html, StringComparison.Ordinal);
        // Prerendered: the page becomes live once the browser connects.
        Assert.Equal("connecting", TestIdText(html, "live-status"));
        // What to look at first: the jammed printer (stopped by an error), then the one with low toner; the one that
        // never reported has nothing to look at yet.
        Assert.Equal(["dash-jammed", "dash-low"], Attribute(html, "attention-item", "data-device-id"));
        Assert.Equal(["Stopped", "Warning"], Attribute(html, "attention-item", "data-reason"));
        Assert.Contains("Stopped: Paper jam", html, StringComparison.Ordinal);
        // How long each has lasted, as a span ("for 12 seconds"), not a moment ("for 12 s ago").
        Assert.All(TestIdTexts(html, "attention-since"), since => Assert.Matches(@"^for [\d.,]+ (seconds|minutes|hours)$", since));
        Assert.NotEmpty(TestIdTexts(html, "attention-since"));
    }

    [Theory]
    [InlineData("1h", 3600)]
    [InlineData("6h", 21600)]
    [InlineData("24h", 86400)]
    [InlineData("7d", 604800)]
    [InlineData("nonsense", 21600)]
    public async Task The_condition_chart_spans_the_chosen_range_and_the_picker_marks_it(string range, long seconds)
    {
        await using var fleet = await FleetAsync();
        var http = await fleet.Host.SignedInClientAsync(AccountRole.Agent);

        var html = await GetPageAsync(http, $"/dashboard?range={range}");

        var from = long.Parse(Attribute(html, "chart-conditions-over-time", "data-from").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var to = long.Parse(Attribute(html, "chart-conditions-over-time", "data-to").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(seconds, to - from);
        var chosen = range == "nonsense" ? "6h" : range;
        Assert.Matches($"""class="chosen" aria-current="page" data-testid="range-{chosen}""", html);
    }

    [Fact]
    public async Task Device_list_filters_searches_sorts_and_pages_from_the_query_string()
    {
        await using var fleet = await FleetAsync();
        var host = fleet.Host;
        var http = await host.SignedInClientAsync(AccountRole.Agent);

        var all = await GetPageAsync(http, "/dashboard/devices");
        var critical = await GetPageAsync(http, "/dashboard/devices?health=critical");
        var deskjetOffline = await GetPageAsync(http, "/dashboard/devices?model=Deskjet&online=offline");
        var byFirmware = await GetPageAsync(http, "/dashboard/devices?firmware=2.0");
        var byCondition = await GetPageAsync(http, "/dashboard/devices?condition=PAPER_JAM");
        var searched = await GetPageAsync(http, "/dashboard/devices?search=dj-");
        var sorted = await GetPageAsync(http, "/dashboard/devices?sort=conditions&order=desc");

        Assert.Equal("3", TestIdText(all, "device-count"));
        Assert.Equal(["dash-jammed", "dash-low", "dash-new"], Attribute(all, "device-row", "data-device-id"));
        Assert.Equal(["dash-jammed"], Attribute(critical, "device-row", "data-device-id"));
        Assert.Equal("1", TestIdText(critical, "device-count"));
        Assert.Equal(["dash-new"], Attribute(deskjetOffline, "device-row", "data-device-id"));
        Assert.Equal(["dash-low"], Attribute(byFirmware, "device-row", "data-device-id"));
        Assert.Equal(["dash-jammed"], Attribute(byCondition, "device-row", "data-device-id"));
        Assert.Equal(["dash-low"], Attribute(searched, "device-row", "data-device-id"));
        Assert.Equal(["dash-jammed", "dash-low", "dash-new"], Attribute(sorted, "device-row", "data-device-id"));
        // The controls are there, with the current filter selected.
        foreach (var control in new[] { "device-search", "filter-health", "filter-model", "filter-condition", "filter-firmware", "filter-online", "sort-id", "sort-model", "sort-health", "sort-lastSeen", "sort-conditions", "page-prev", "page-next" })
            Assert.Equal(1, CountTestId(all, control));
        Assert.Contains("""<option value="critical" selected>""", critical, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Device_list_names_active_conditions_and_shows_owner_nickname_and_site_worst_first_by_default()
    {
        await using var fleet = await FleetAsync();
        var host = fleet.Host;
        var ct = TestContext.Current.CancellationToken;
        var (owner, _) = await host.Services.GetRequiredService<AccountService>().CreateAsync("owner@list.test", "Owner", AccountRole.Customer, CloudHost.TestPassword, ct);
        var accounts = host.Services.GetRequiredService<IAccountStore>();
        await accounts.ClaimAsync("dash-jammed", owner!.Id, DateTimeOffset.UnixEpoch, ct);
        Assert.True(await accounts.SetNicknameAsync("dash-jammed", owner.Id, "Office printer", ct));
        await host.Services.GetRequiredService<Diagnostics.Cloud.Updates.RolloutTargetStore>().SetTagsAsync("dash-jammed", ["pilot", "site-berlin"], ct);
        var http = await host.SignedInClientAsync(AccountRole.Agent);

        var html = await GetPageAsync(http, "/dashboard/devices");

        // Worst first without a choice: critical (jammed), warning (toner low), then unknown.
        Assert.Equal(["dash-jammed", "dash-low", "dash-new"], Attribute(html, "device-row", "data-device-id"));
        var conditions = TestIdTexts(html, "device-conditions");
        Assert.Contains("Paper jam", conditions[0], StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Toner low", conditions[1], StringComparison.OrdinalIgnoreCase);
        Assert.Equal("none", conditions[2]);
        Assert.Equal(["Office printer", "—", "—"], TestIdTexts(html, "device-nickname"));
        Assert.Equal(["owner@list.test", "not paired", "not paired"], TestIdTexts(html, "device-owner"));
        Assert.Equal(["berlin", "—", "—"], TestIdTexts(html, "device-site"));
        // Each choice applies at once once the page is interactive: the form's button is only for a browser without scripts.
        Assert.Contains("<noscript><button type=\"submit\" class=\"apply\"", html, StringComparison.Ordinal);
        // The health header reverses the default; the id header sorts by id.
        Assert.Contains("sort=health&amp;order=asc", Attribute(html, "sort-health", "href").Single(), StringComparison.Ordinal);
        var byId = await GetPageAsync(http, "/dashboard/devices?sort=id");
        Assert.Equal(["dash-jammed", "dash-low", "dash-new"], Attribute(byId, "device-row", "data-device-id"));
    }

    [Theory, BothEngines]
    public async Task Device_list_leaves_decommissioned_devices_out_unless_asked_for_them(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await host.RegisterAsync("kept-1", "Deskjet");
        await host.RegisterAsync("retired-1", "Deskjet");
        Assert.True(await host.Services.GetRequiredService<Diagnostics.Cloud.Devices.DeviceRegistry>().RevokeAsync("retired-1", "test", TestContext.Current.CancellationToken));
        var http = await host.SignedInClientAsync(AccountRole.Agent);

        var inService = await GetPageAsync(http, "/dashboard/devices");
        var retired = await GetPageAsync(http, "/dashboard/devices?fleet=decommissioned");
        var all = await GetPageAsync(http, "/dashboard/devices?fleet=all&sort=id");
        var wrong = await GetPageAsync(http, "/dashboard/devices?fleet=retired");

        Assert.Equal(["kept-1"], Attribute(inService, "device-row", "data-device-id"));
        Assert.Equal(0, CountTestId(inService, "device-decommissioned"));
        Assert.Equal(["retired-1"], Attribute(retired, "device-row", "data-device-id"));
        Assert.Equal("decommissioned", TestIdText(retired, "device-decommissioned"));
        Assert.Equal(["kept-1", "retired-1"], Attribute(all, "device-row", "data-device-id"));
        Assert.Contains("Unknown fleet 'retired'", TestIdText(wrong, "device-list-error"), StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task Device_list_pages_link_to_each_other_keeping_the_filters(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        for (var i = 1; i <= 55; i++)
            await host.RegisterAsync($"paged-{i:000}", "Deskjet");
        var http = await host.SignedInClientAsync(AccountRole.Agent);

        var first = await GetPageAsync(http, "/dashboard/devices?model=Deskjet");
        var second = await GetPageAsync(http, "/dashboard/devices?model=Deskjet&page=2");

        Assert.Equal("55", TestIdText(first, "device-count"));
        Assert.Equal(50, Attribute(first, "device-row", "data-device-id").Count);
        Assert.Equal(["paged-051", "paged-052", "paged-053", "paged-054", "paged-055"], Attribute(second, "device-row", "data-device-id"));
        Assert.Equal("model=Deskjet&amp;page=2", Attribute(first, "page-next", "href").Single().Split('?')[1]);
        Assert.Equal("model=Deskjet", Attribute(second, "page-prev", "href").Single().Split('?')[1]);
        Assert.DoesNotContain(Attribute(second, "page-next", "href"), h => h.Length > 0);
    }

    [Fact]
    public async Task Device_detail_shows_status_supplies_conditions_events_telemetry_and_empty_later_sections()
    {
        await using var fleet = await FleetAsync();
        var host = fleet.Host;
        var http = await host.SignedInClientAsync(AccountRole.Agent);

        var html = await GetPageAsync(http, "/dashboard/devices/dash-jammed");

        Assert.Equal("critical", TestIdText(html, "device-health"));
        Assert.Equal("online", TestIdText(html, "device-presence"));
        Assert.Equal("LaserJet 4000", TestIdText(html, "device-model"));
        Assert.Equal("SN123", TestIdText(html, "device-serial"));
        Assert.Equal("1.2.3", TestIdText(html, "device-firmware"));
        Assert.Contains("Paper jam in tray 2", TestIdText(html, "device-state"), StringComparison.Ordinal);
        Assert.Equal([Conditions.PaperJam, Conditions.TonerLow], Attribute(html, "active-condition", "data-condition"));
        Assert.Equal(["Black"], Attribute(html, "supply-gauge", "data-supply"));
        Assert.Contains("7 % left, low", TestIdText(html, "supply-gauge"), StringComparison.Ordinal);
        Assert.Equal(["warning"], Attribute(html, "supply-gauge", "data-tone"));
        Assert.Equal(1, CountTestId(html, "event-row"));
        Assert.Contains("Jam in tray 2", TestIdText(html, "event-row"), StringComparison.Ordinal);
        // Supply levels, and the heartbeat's temperature, which moved; the page counter did not and has a row instead.
        Assert.Equal(2, CountTestId(html, "telemetry-chart"));
        // Named in words, with the unit as people write it, not as the agent reports it ("ambient-temperature", "celsius").
        Assert.Contains("Room temperature (°C)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("ambient-temperature", html, StringComparison.Ordinal);
        Assert.Contains("Pages printed", TestIdText(html, "steady-metrics"), StringComparison.Ordinal);
        Assert.Contains("1200 pages", TestIdText(html, "steady-metrics"), StringComparison.Ordinal);
        // Each active condition with the knowledge base's best article for it (the starter articles are imported at start).
        Assert.Equal(["ipp:media-jam", "ipp:toner-low"], Attribute(html, "suggested-fix", "data-code"));
        Assert.Equal(["paper-jam", "toner-low"], Attribute(html, "suggested-fix", "data-article-id"));
        Assert.Contains("automated: clear-paper-path (maintenance consent)", html, StringComparison.Ordinal);
        foreach (var section in new[] { "device-updates", "device-sessions" })
            Assert.Contains("yet", TestIdText(html, section), StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task An_unreachable_printer_page_says_why_in_the_agents_words_and_what_to_do(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await host.ConnectDeviceAsync("dash-refused", "Acme LaserPro 500");
        // What the agent sends when the printer refuses connections (device/Diagnostics.Agent/Telemetry/TelemetryPump.cs).
        var status = device.NewEnvelope(status: new DeviceStatus
        {
            Model = "Acme LaserPro 500",
            State = DeviceState.Unreachable,
            StateMessage = "connection refused on port 631: 10.0.0.7 is on the network, but nothing accepts connections on that port",
            Conditions =
            [
                new ActiveCondition
                {
                    Code = "agent:unreachable-refused", Condition = Conditions.DeviceUnreachable, Severity = Severity.Error,
                    Message = "The agent cannot read the device: connection refused on port 631: 10.0.0.7 is on the network, but nothing accepts connections on that port",
                },
            ],
        });
        await device.SendAsync(status);
        await device.WaitForAckAsync(status.Sequence);
        var http = await host.SignedInClientAsync(AccountRole.Agent);

        var html = await GetPageAsync(http, "/dashboard/devices/dash-refused");

        var cause = TestIdText(html, "device-unreachable-cause");
        Assert.Contains("connection refused on port 631", cause, StringComparison.Ordinal);
        Assert.Contains("check that IPP printing is enabled", cause, StringComparison.Ordinal);
        Assert.Equal(["agent:unreachable-refused"], Attribute(html, "device-unreachable-cause", "data-code"));
        // The knowledge base's article for this cause, not the generic one.
        Assert.Equal(["printer-refuses-connections"], Attribute(html, "suggested-fix", "data-article-id"));
    }

    [Fact]
    public async Task A_device_that_never_reported_still_has_a_page()
    {
        await using var fleet = await FleetAsync();
        var host = fleet.Host;
        var http = await host.SignedInClientAsync(AccountRole.Agent);

        var html = await GetPageAsync(http, "/dashboard/devices/dash-new");

        Assert.Equal("unknown", TestIdText(html, "device-health"));
        Assert.Equal("offline", TestIdText(html, "device-presence"));
        Assert.Equal(0, CountTestId(html, "active-condition"));
        Assert.Equal(1, CountTestId(html, "telemetry-chart"));
    }

    [Theory, BothEngines]
    public async Task Unknown_device_says_so(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = await host.SignedInClientAsync(AccountRole.Agent);

        var html = await GetPageAsync(http, "/dashboard/devices/no-such-device");

        Assert.Contains("no-such-device", TestIdText(html, "device-not-found"), StringComparison.Ordinal);
        Assert.Equal(0, CountTestId(html, "device-health"));
    }

    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/devices")]
    [InlineData("/dashboard/devices/dash-jammed")]
    public async Task A_customer_gets_no_dashboard(string url)
    {
        await using var fleet = await FleetAsync();
        var host = fleet.Host;
        var http = await host.SignedInClientAsync(AccountRole.Customer);

        var html = await GetPageAsync(http, url);

        Assert.Equal(1, CountTestId(html, "access-denied"));
        Assert.Equal(0, CountTestId(html, "count-total"));
        Assert.Equal(0, CountTestId(html, "device-row"));
        Assert.Equal(0, CountTestId(html, "device-health"));
    }

    [Theory, BothEngines]
    public async Task Signed_out_visitors_are_sent_to_sign_in(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        using var http = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await http.GetAsync(new Uri("/dashboard", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/login", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }
}
