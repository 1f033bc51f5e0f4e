using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Diagnostics.Testing;
using Microsoft.Playwright;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>
/// Every page of both apps through axe-core (Deque's engine, as browsers' accessibility tools run it) in real
/// Chromium, at a phone's and a laptop's size, in the light and the dark colour scheme: no serious or critical
/// violation anywhere. Each page is loaded once and scanned four times (the size and scheme change in place, as a
/// phone turned or a system switched to dark mode would), so the whole tour stays within a couple of minutes.
/// </summary>
[Collection(SharesDemoCloud.Name)]
public sealed class AccessibilityTests(DemoCloud demo)
{
    /// <summary>Where the per-page table of violations by impact is written too, when set (the before/after record).</summary>
    public const string ReportVariable = "DX_AXE_REPORT";

    private static readonly (string Name, Viewport Size, ColorScheme Scheme)[] Looks =
    [
        ("desktop light", Viewport.Desktop, ColorScheme.Light),
        ("desktop dark", Viewport.Desktop, ColorScheme.Dark),
        ("phone light", Viewport.Phone, ColorScheme.Light),
        ("phone dark", Viewport.Phone, ColorScheme.Dark),
    ];

    private static readonly string[] Impacts = ["critical", "serious", "moderate", "minor"];

    [Fact(Timeout = 480_000)]
    public async Task No_page_of_either_app_has_a_serious_or_critical_violation_at_any_size_or_scheme()
    {
        var ct = TestContext.Current.CancellationToken;
        await demo.AllOnlineAsync();
        var findings = new List<Finding>();
        await using var chromium = await Chromium.LaunchAsync();

        await using (var visitor = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Desktop))
        {
            await visitor.RunAsync(async _ =>
            {
                await ScanAsync(visitor, "sign-in", "/account/login", live: false, findings);
                await ScanAsync(visitor, "forgot-password", "/account/forgot-password", live: false, findings);
            });
        }

        await using (var customer = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Phone))
        {
            await customer.RunAsync(async page =>
            {
                await customer.SignInAsync(CloudProcess.CustomerEmail, CloudProcess.DemoPassword);
                var sessionId = await OpenSupportSessionAsync(page, DemoCloud.FirstCustomersDevice, ct);
                await ScanAsync(customer, "companion my devices", "/app", live: true, findings);
                await ScanAsync(customer, "companion device", $"/app/devices/{DemoCloud.FirstCustomersDevice}", live: true, findings);
                await ScanAsync(customer, "companion pairing", "/app/pair", live: false, findings);
                await ScanAsync(customer, "companion notifications", "/app/notifications", live: true, findings);
                await ScanAsync(customer, "companion help", "/app/support", live: true, findings);
                await ScanAsync(customer, "companion chat", $"/app/support/{sessionId}", live: true, findings);
                await ScanAsync(customer, "change password", "/account/password", live: false, findings);

                // The conversation is handed over so that the agent's workspace shows a queued one.
                using var handover = await PostAsync(page, $"/api/me/sessions/{sessionId}/handover", new { }, ct);
                await ScanAsDashboardAsync(chromium, sessionId, findings);
            });
        }

        var table = Table(findings);
        TestContext.Current.TestOutputHelper?.WriteLine(table);
        if (Environment.GetEnvironmentVariable(ReportVariable) is { Length: > 0 } report)
            await File.WriteAllTextAsync(report, table, ct);
        var blocking = findings.Where(f => f.Impact is "serious" or "critical").ToList();
        Assert.True(blocking.Count == 0,
            $"{blocking.Count} serious or critical accessibility violation(s):\n" +
            string.Join('\n', blocking.Select(f => $"  {f.Page} ({f.Look}): {f.Impact} {f.Rule} — {f.Help} at {f.Target}")) + "\n\n" + table);
    }

    private async Task ScanAsDashboardAsync(Chromium chromium, string sessionId, List<Finding> findings)
    {
        await using var supervisor = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Desktop);
        await supervisor.RunAsync(async _ =>
        {
            await supervisor.SignInAsync(CloudProcess.SupervisorEmail, CloudProcess.DemoPassword);
            await ScanAsync(supervisor, "fleet overview", "/dashboard", live: true, findings);
            await ScanAsync(supervisor, "device list", "/dashboard/devices", live: true, findings);
            await ScanAsync(supervisor, "device detail", $"/dashboard/devices/{DemoCloud.FirstCustomersDevice}", live: true, findings);
            await ScanAsync(supervisor, "knowledge base", "/dashboard/kb", live: false, findings);
            await ScanAsync(supervisor, "knowledge article", "/dashboard/kb/paper-jam", live: false, findings);
            await ScanAsync(supervisor, "knowledge editor", "/dashboard/kb/paper-jam/edit", live: false, findings);
            await ScanAsync(supervisor, "fixes", "/dashboard/fixes", live: true, findings);
            await ScanAsync(supervisor, "rollouts", "/dashboard/rollouts", live: true, findings);
            await ScanAsync(supervisor, "support desk", "/dashboard/support", live: true, findings);
            await ScanAsync(supervisor, "support conversation", $"/dashboard/support/{sessionId}", live: true, findings);
            await ScanAsync(supervisor, "support history", "/dashboard/support/history", live: false, findings);
        });
    }

    /// <summary>Loads the page once, then scans it in each size and scheme.</summary>
    private static async Task ScanAsync(BrowserSession session, string name, string path, bool live, List<Finding> findings)
    {
        var page = session.Page;
        try
        {
            if (live)
            {
                // A page may hold more than one live part (an agent's conversation and its device panel): all of them connect.
                await session.GotoLiveAsync(path, allParts: true);
            }
            else if (await page.GotoAsync(path) is { Ok: false } response)
                throw new PlaywrightException($"{path} answered {response.Status}");
        }
        catch (PlaywrightException missing)
        {
            // A page that does not load is worse than any violation on it.
            findings.Add(new Finding(name, "any", "critical", "page-does-not-load", missing.Message.Split('\n')[0], path));
            return;
        }
        foreach (var (look, size, scheme) in Looks)
        {
            await page.SetViewportSizeAsync(size.Width, size.Height);
            await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = scheme });
            var result = await page.RunAxe();
            findings.Add(new Finding(name, look, "(scanned)", "", "", ""));
            foreach (var violation in result.Violations)
            {
                foreach (var node in violation.Nodes)
                    findings.Add(new Finding(name, look, violation.Impact ?? "unknown", violation.Id, violation.Help, string.Join(" ", node.Target?.ToString() ?? "")));
            }
        }
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
    }

    private static async Task<string> OpenSupportSessionAsync(IPage page, string deviceId, CancellationToken ct)
    {
        using var response = await PostAsync(page, "/api/me/sessions", new { deviceId, text = "My printer stopped printing" }, ct);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return json.RootElement.GetProperty("id").GetString() ?? throw new InvalidOperationException("The session has no id.");
    }

    /// <summary>A call to the API with the browser's own sign-in cookie.</summary>
    private static async Task<HttpResponseMessage> PostAsync(IPage page, string path, object body, CancellationToken ct)
    {
        var cookies = await page.Context.CookiesAsync();
        var baseAddress = new Uri(page.Url).GetLeftPart(UriPartial.Authority);
        using var client = new HttpClient { BaseAddress = new Uri(baseAddress) };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Name}={c.Value}")));
        var response = await client.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        return response;
    }

    /// <summary>Violating elements per page and look, by impact.</summary>
    private static string Table(List<Finding> findings)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"page",-26} {"look",-14} {"critical",8} {"serious",8} {"moderate",8} {"minor",8}  rules");
        foreach (var group in findings.GroupBy(f => (f.Page, f.Look)))
        {
            var counts = Impacts.Select(i => group.Count(f => f.Impact == i)).ToList();
            var rules = string.Join(", ", group.Where(f => f.Rule.Length > 0).GroupBy(f => f.Rule).Select(r => $"{r.Key}×{r.Count()}"));
            text.AppendLine(CultureInfo.InvariantCulture, $"{group.Key.Page,-26} {group.Key.Look,-14} {counts[0],8} {counts[1],8} {counts[2],8} {counts[3],8}  {rules}");
        }
        return text.ToString();
    }

    private sealed record Finding(string Page, string Look, string Impact, string Rule, string Help, string Target);
}
