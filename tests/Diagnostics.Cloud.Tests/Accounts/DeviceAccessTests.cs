using Diagnostics.Cloud.Devices;
using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Ingestion;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Diagnostics.Cloud.Tests.Accounts;

/// <summary>A customer can neither see nor act on another customer's device through any endpoint.</summary>
public sealed class DeviceAccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every device-scoped read of the API, with {0} for the device id.</summary>
    public static TheoryData<string> DeviceReads => new()
    {
        "/api/devices/{0}",
        "/api/devices/{0}/events",
        "/api/devices/{0}/events?page=1&pageSize=5",
    };

    [Theory]
    [BothEngines(MemberName = nameof(DeviceReads))]
    public async Task A_customer_reads_their_own_device_and_gets_404_for_anyone_elses(string template, StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var mine = await PairedDevices.ConnectAnnouncingAsync(host, "mine-1", "MMMM1111");
        await using var theirs = await PairedDevices.ConnectAnnouncingAsync(host, "theirs-1", "TTTT1111");
        var me = await host.SignedInClientAsync(AccountRole.Customer);
        var them = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(me, "MMMM1111");
        await PairedDevices.PairAsync(them, "TTTT1111");

        Assert.Equal(HttpStatusCode.OK, (await me.GetAsync(Url(template, "mine-1"), Ct)).StatusCode);
        using var refused = await me.GetAsync(Url(template, "theirs-1"), Ct);
        using var missing = await me.GetAsync(Url(template, "no-such-device"), Ct);

        // Not 403: another customer's device looks exactly like one that does not exist.
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.DoesNotContain("TTTT", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.True(host.Logged(DevicesEventIds.DeviceAccessRefused, "theirs-1"));
    }

    [Theory, BothEngines]
    public async Task A_refused_device_is_logged_and_counted_once_whether_asked_through_the_API_or_the_companion_page(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var theirs = await PairedDevices.ConnectAnnouncingAsync(host, "counted-1", "CCCC1111");
        await PairedDevices.PairAsync(await host.SignedInClientAsync(AccountRole.Customer), "CCCC1111");
        var me = await host.SignedInClientAsync(AccountRole.Customer);
        using var refusals = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), CloudMetrics.MeterName, "dx.access.refused");
        long NotYours() => refusals.GetMeasurementSnapshot()
            .Where(m => m.Tags.TryGetValue("reason", out var reason) && (string?)reason == AccessRefusal.DeviceNotYours).Sum(m => m.Value);
        int Logged() => host.Logs.Count(l => l.EventId == DevicesEventIds.DeviceAccessRefused && l.Message.Contains("counted-1", StringComparison.Ordinal));

        using (var api = await me.GetAsync(new Uri("/api/devices/counted-1", UriKind.Relative), Ct))
            Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal(1, NotYours());
        Assert.Equal(1, Logged());

        using (var page = await me.GetAsync(new Uri("/app/devices/counted-1", UriKind.Relative), Ct))
            Assert.DoesNotContain("CCCC", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(2, NotYours());
        Assert.Equal(2, Logged());
    }

    [Theory, BothEngines]
    public async Task Staff_read_every_device_and_the_fleet(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await PairedDevices.ConnectAnnouncingAsync(host, "fleet-1", "FFFF1111");
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(customer, "FFFF1111");

        foreach (var role in new[] { AccountRole.Agent, AccountRole.Supervisor, AccountRole.Admin })
        {
            var staff = await host.SignedInClientAsync(role);
            foreach (var url in new[] { "/api/devices/fleet-1", "/api/devices/fleet-1/events", "/api/devices", "/api/fleet/summary" })
                Assert.True((await staff.GetAsync(new Uri(url, UriKind.Relative), Ct)).IsSuccessStatusCode, $"{role} GET {url}");
        }
    }

    [Theory]
    [BothEngines("/api/devices")]
    [BothEngines("/api/devices?health=critical")]
    [BothEngines("/api/fleet/summary")]
    public async Task Fleet_wide_reads_are_for_staff_only(string url, StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);

        Assert.Equal(HttpStatusCode.Forbidden, (await customer.GetAsync(new Uri(url, UriKind.Relative), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.CreateClient().GetAsync(new Uri(url, UriKind.Relative), Ct)).StatusCode);
    }

    [Theory, BothEngines]
    public async Task Anonymous_callers_get_401_from_every_device_and_account_endpoint(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await using var device = await host.ConnectDeviceAsync("anon-1");
        var anonymous = host.CreateClient();

        foreach (var url in new[] { "/api/devices/anon-1", "/api/devices/anon-1/events", "/api/me/devices", "/api/auth/me" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri(url, UriKind.Relative), Ct)).StatusCode);
        using var pair = await anonymous.PostAsJsonAsync("/api/me/devices/pair", new { code = "AAAA0000" }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, pair.StatusCode);
        using var unpair = await anonymous.DeleteAsync(new Uri("/api/me/devices/anon-1", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, unpair.StatusCode);
    }

    [Theory, BothEngines]
    public async Task Only_admins_or_devices_with_the_enrollment_key_register_devices(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Devices:EnrollmentKey"] = "factory-line-7" }, engine: engine);
        var anonymous = host.CreateClient();
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        var admin = await host.SignedInClientAsync(AccountRole.Admin);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/devices", new { deviceId = "enr-1" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.PostAsJsonAsync("/api/devices", new { deviceId = "enr-1" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsJsonAsync("/api/devices", new { deviceId = "enr-1" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostWithKeyAsync(anonymous, "enr-1", "wrong-key")).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await PostWithKeyAsync(anonymous, "enr-1", "factory-line-7")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/devices", new { deviceId = "enr-2" }, Ct)).StatusCode);
    }

    [Theory, BothEngines]
    public async Task Without_an_enrollment_key_configured_no_header_value_registers_a_device(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostWithKeyAsync(host.CreateClient(), "enr-3", "")).StatusCode);
    }

    [Theory, BothEngines]
    public async Task A_customer_cannot_read_or_act_on_another_customers_device_by_any_listed_route(StorageProvider engine)
    {
        // Every API route that names a device must be guarded; a new route without a guard fails here.
        await using var host = new CloudHost(engine: engine);
        await using var theirs = await PairedDevices.ConnectAnnouncingAsync(host, "guarded-1", "GGGG1111");
        var them = await host.SignedInClientAsync(AccountRole.Customer);
        await PairedDevices.PairAsync(them, "GGGG1111");
        var status = theirs.NewEnvelope(status: IngestionPipelineTests.JammedStatus());
        await theirs.SendAsync(status);
        await theirs.WaitForAckAsync(status.Sequence);
        var me = await host.SignedInClientAsync(AccountRole.Customer);

        var routes = host.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && raw.StartsWith("/api/", StringComparison.Ordinal) && raw.Contains("{deviceId}", StringComparison.Ordinal))
            .Select(e => (Pattern: e.RoutePattern.RawText!, Methods: e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"],
                // A route for devices themselves (a report upload) takes the device's own token, not a person's cookie.
                ForDevices: e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null))
            .ToList();
        Assert.NotEmpty(routes);
        foreach (var (pattern, methods, forDevices) in routes)
        {
            foreach (var method in methods)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), pattern.Replace("{deviceId}", "guarded-1", StringComparison.Ordinal));
                if (method is "POST" or "PUT" or "PATCH")
                    request.Content = JsonContent.Create(new { });
                using var response = await me.SendAsync(request, Ct);
                Assert.True(forDevices ? response.StatusCode == HttpStatusCode.Unauthorized : response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden,
                    $"{method} {pattern} answered {(int)response.StatusCode} to another customer");
            }
        }
        Assert.Single(await them.GetJsonAsync<List<Diagnostics.Cloud.Devices.DeviceSummary>>("/api/me/devices"));
    }

    private static Uri Url(string template, string deviceId) => new(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, deviceId), UriKind.Relative);

    private static async Task<HttpResponseMessage> PostWithKeyAsync(HttpClient http, string deviceId, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/devices") { Content = JsonContent.Create(new { deviceId }) };
        request.Headers.Add("X-Enrollment-Key", key);
        return await http.SendAsync(request, Ct);
    }
}
