using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.EndToEnd.Tests.Web;
using Diagnostics.Protocol;
using Diagnostics.Testing;

namespace Diagnostics.EndToEnd.Tests.Fixes;

/// <summary>
/// A diagnostics report end to end with a real cloud and a real agent process: support asks, the owner approves, the
/// agent builds its report and uploads it over HTTP with its own token, the owner reviews and releases it, support
/// downloads it.
/// </summary>
public sealed class DiagnosticsReportTests
{
    [Fact(Timeout = 180_000)]
    public async Task An_approved_request_makes_the_agent_upload_a_report_its_owner_reviews_and_releases_to_support()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cloud = await CloudProcess.StartAsync(ct);
        await using var printer = SimulatedPrinterProcess.Start(cloud, "e2e-report-printer");
        using var customer = await CustomerApi.SignInAndPairAsync(cloud, printer, ct);

        var staff = await cloud.AdminHttpAsync(ct);
        string requestId;
        using (var requested = await staff.PostAsync(new Uri($"api/devices/{printer.DeviceId}/diagnostics", UriKind.Relative), null, ct))
        {
            Assert.Equal(HttpStatusCode.OK, requested.StatusCode);
            using var request = JsonDocument.Parse(await requested.Content.ReadAsStringAsync(ct));
            requestId = request.RootElement.GetProperty("id").GetString()!;
        }
        using (var approved = await customer.PostAsync(new Uri($"api/me/fixes/{requestId}/approve", UriKind.Relative), null, ct))
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        string reportId = "";
        await Eventually.TrueAsync(async () =>
        {
            using var reports = JsonDocument.Parse(await customer.GetStringAsync($"api/me/devices/{printer.DeviceId}/reports", ct));
            var inReview = reports.RootElement.EnumerateArray().Where(r => r.GetProperty("state").GetString() == "review").ToList();
            if (inReview.Count == 0)
                return false;
            reportId = Assert.Single(inReview).GetProperty("id").GetString()!;
            return true;
        }, "the agent's report waits for its owner's review", TimeSpan.FromSeconds(90));

        using (var review = JsonDocument.Parse(await customer.GetStringAsync($"api/me/reports/{reportId}", ct)))
        {
            var sections = review.RootElement.GetProperty("sections").EnumerateArray().ToList();
            Assert.Equal(
                [DiagnosticsBundles.StatusSection, DiagnosticsBundles.EventsSection, DiagnosticsBundles.AgentLogSection, DiagnosticsBundles.ConfigurationSection],
                sections.Select(s => s.GetProperty("name").GetString()));
            var configuration = sections[3].GetProperty("content").GetString()!;
            Assert.Contains($"Agent:DeviceId = {printer.DeviceId}", configuration, StringComparison.Ordinal);
            Assert.DoesNotContain(CloudProcess.EnrollmentKey, configuration, StringComparison.Ordinal);
            Assert.DoesNotContain(await DeviceTokenAsync(printer, ct), configuration, StringComparison.Ordinal);
            Assert.Contains(printer.DeviceId, sections[2].GetProperty("content").GetString()!, StringComparison.Ordinal);
        }

        using (var early = await staff.GetAsync(new Uri($"api/reports/{reportId}/download", UriKind.Relative), ct))
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        using (var released = await customer.PostAsync(new Uri($"api/me/reports/{reportId}/release", UriKind.Relative), null, ct))
            Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        using var download = await staff.GetAsync(new Uri($"api/reports/{reportId}/download", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var bundle = DiagnosticsBundles.Read(await download.Content.ReadAsByteArrayAsync(ct), out var error);
        Assert.True(bundle is not null, error);
        Assert.Equal(printer.DeviceId, bundle.DeviceId);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_demo_printer_inside_the_cloud_uploads_its_report_to_that_cloud()
    {
        var ct = TestContext.Current.CancellationToken;
        // The demo fleet runs in the cloud's process; the demo customer owns its first printers from the start.
        await using var cloud = await CloudProcess.StartAsync(ct, extraArguments: ["--Demo:Devices=1"]);
        using var customer = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = cloud.BaseAddress };
        using (var login = await customer.PostAsJsonAsync("api/auth/login", new { email = CloudProcess.CustomerEmail, password = CloudProcess.DemoPassword }, ct))
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        const string demoPrinter = "sim-0001";
        var staff = await cloud.AdminHttpAsync(ct);
        await Eventually.TrueAsync(async () => (await staff.GetAsync(new Uri($"api/devices/{demoPrinter}", UriKind.Relative), ct)).IsSuccessStatusCode,
            "the demo printer is registered", TimeSpan.FromSeconds(60));

        using var requested = await staff.PostAsync(new Uri($"api/devices/{demoPrinter}/diagnostics", UriKind.Relative), null, ct);
        using var request = JsonDocument.Parse(await requested.Content.ReadAsStringAsync(ct));
        using (var approved = await customer.PostAsync(new Uri($"api/me/fixes/{request.RootElement.GetProperty("id").GetString()}/approve", UriKind.Relative), null, ct))
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        await Eventually.TrueAsync(async () =>
        {
            using var reports = JsonDocument.Parse(await customer.GetStringAsync($"api/me/devices/{demoPrinter}/reports", ct));
            return reports.RootElement.EnumerateArray().Any(r => r.GetProperty("state").GetString() == "review");
        }, "the demo printer's report waits for its owner", TimeSpan.FromSeconds(90));
    }

    /// <summary>The token the agent provisioned for itself, as it saved it.</summary>
    private static async Task<string> DeviceTokenAsync(SimulatedPrinterProcess printer, CancellationToken ct)
    {
        using var credentials = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(printer.DataDirectory, "credentials.json"), ct));
        var token = credentials.RootElement.EnumerateObject().Single(p => p.NameEquals("Token") || p.NameEquals("token")).Value.GetString();
        Assert.False(string.IsNullOrEmpty(token));
        return token;
    }
}
