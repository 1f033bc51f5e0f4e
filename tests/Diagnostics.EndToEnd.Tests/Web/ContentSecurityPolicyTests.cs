using System.Text.RegularExpressions;
using Diagnostics.Testing;
using Microsoft.Playwright;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>
/// Every page of both apps in a real Chromium, under the Content-Security-Policy the cloud sends: the policy is in
/// force (an inline script injected into the page does not run and Chromium reports it), and no page of ours trips it
/// (no violation in the console, pages go live over their WebSocket). Pages are read from the <c>@page</c> lines of
/// the Razor files, so a new page is visited without touching this test.
/// </summary>
[Collection(SharesDemoCloud.Name)]
public sealed partial class ContentSecurityPolicyTests(DemoCloud demo)
{
    private static readonly Dictionary<string, string> Parameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["DeviceId"] = DemoCloud.FirstCustomersDevice,
        ["ArticleId"] = "paper-jam",
        // No such session or rollout in the demo: the page shows that, which is a page too.
        ["SessionId"] = "no-such-session",
        ["RolloutId"] = "no-such-rollout",
    };

    [Fact(Timeout = 240_000)]
    public async Task Every_page_works_under_the_policy_and_the_policy_blocks_an_injected_inline_script()
    {
        var pages = PagePaths();
        Assert.Contains("/app/pair", pages);
        Assert.Contains("/dashboard/devices/{DeviceId}", pages);
        await using var chromium = await Chromium.LaunchAsync();
        await using var staff = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Desktop);
        await using var customer = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Phone);
        var violations = new List<string>();
        var current = "";
        foreach (var session in new[] { staff, customer })
        {
            session.Page.Console += (_, message) =>
            {
                if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                    violations.Add($"{current}: {message.Text}");
            };
            session.Page.PageError += (_, error) => violations.Add($"{current}: page error {error}");
        }

        await staff.RunAsync(async page =>
        {
            current = "/account/login (injected script)";
            var response = await page.GotoAsync("/account/login");
            Assert.Contains("script-src 'self'", response!.Headers.GetValueOrDefault("content-security-policy") ?? "", StringComparison.Ordinal);
            // Evaluate is the test's own hand (DevTools), not the page: the script element it adds is the page's.
            await page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.injectedRan = true'; document.head.appendChild(s); }");
            Assert.Null(await page.EvaluateAsync<bool?>("() => window.injectedRan"));
            await Eventually.TrueAsync(() => violations.Count > 0, "Chromium to report the blocked inline script");
            Assert.Contains("script-src", violations[0], StringComparison.Ordinal);
        });
        violations.Clear();

        await staff.SignInAsync(CloudProcess.AdminEmail, CloudProcess.DemoPassword);
        await customer.SignInAsync(CloudProcess.CustomerEmail, CloudProcess.DemoPassword);
        var visited = new List<string>();
        foreach (var template in pages)
        {
            var session = template.StartsWith("/app", StringComparison.Ordinal) ? customer : staff;
            var path = RouteParameter().Replace(template, m => Uri.EscapeDataString(Parameters[m.Groups[1].Value]));
            current = path;
            await session.RunAsync(async page =>
            {
                var response = await page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
                // The not-found page answers 404 even at its own address (Web/Components/PageNotFound.razor); it must
                // still render under the policy.
                var expected = template == "/not-found" ? 404 : 200;
                Assert.True(response?.Status == expected, $"{path} answered {response?.Status}, expected {expected}");
                Assert.Contains("script-src 'self'", response!.Headers.GetValueOrDefault("content-security-policy") ?? "", StringComparison.Ordinal);
                // Live pages connect their circuit over a WebSocket (connect-src) and render interactively.
                if (await page.GetByTestId("live-status").CountAsync() > 0)
                    await session.ExpectLiveAsync();
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            });
            visited.Add(path);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"Visited under the policy: {string.Join(", ", visited)}");
        Assert.True(violations.Count == 0, "CSP violations or page errors:\n" + string.Join("\n", violations));
    }

    /// <summary>The route templates of every routable Razor component of the cloud.</summary>
    private static List<string> PagePaths() =>
    [
        .. Directory.EnumerateFiles(Path.Combine(RepositoryLayout.Root, "cloud", "Diagnostics.Cloud", "Web"), "*.razor", SearchOption.AllDirectories)
            .SelectMany(file => PageDirective().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .Distinct()
            .Order(StringComparer.Ordinal),
    ];

    [GeneratedRegex("""^@page\s+"([^"]+)"\s*$""", RegexOptions.Multiline)]
    private static partial Regex PageDirective();

    [GeneratedRegex(@"\{(\w+)(?::[^}]*)?\}")]
    private static partial Regex RouteParameter();
}
