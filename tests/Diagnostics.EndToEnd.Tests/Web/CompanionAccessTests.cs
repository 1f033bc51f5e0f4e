using System.Text.Json;
using System.Text.RegularExpressions;
using Diagnostics.Testing;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>What a customer may not see, and the companion app's install manifest, in a phone-sized browser.</summary>
[Collection(SharesDemoCloud.Name)]
public sealed class CompanionAccessTests(DemoCloud demo)
{
    [Fact(Timeout = 180_000)]
    public async Task Another_customers_device_is_not_found_and_the_dashboard_is_closed_to_a_customer()
    {
        await using var chromium = await Chromium.LaunchAsync();
        await using var customer2 = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Phone);

        await customer2.RunAsync(async page =>
        {
            await customer2.SignInAsync(CloudProcess.SecondCustomerEmail, CloudProcess.DemoPassword);
            Assert.Equal("/app", new Uri(page.Url).AbsolutePath);
            await Expect(page.Locator($"[data-testid=my-device][data-device-id='{DemoCloud.FirstCustomersDevice}']")).ToHaveCountAsync(0);

            await page.GotoAsync($"/app/devices/{DemoCloud.FirstCustomersDevice}");
            await Expect(page.Locator("body")).ToContainTextAsync(new Regex("not found", RegexOptions.IgnoreCase));
            await Expect(page.GetByTestId("device-problem")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("supply-level")).ToHaveCountAsync(0);

            // Refused either by the sign-in middleware (sent to /account/denied) or by the router (access-denied).
            await page.GotoAsync("/dashboard");
            await Expect(page.GetByTestId("count-total")).ToHaveCountAsync(0);
            Assert.True(new Uri(page.Url).AbsolutePath != "/dashboard" || await page.GetByTestId("access-denied").IsVisibleAsync(),
                $"A customer was shown {page.Url} without being refused.");
        });
    }

    [Fact(Timeout = 180_000)]
    public async Task The_companion_app_is_installable_ready_its_manifest_is_linked_and_fetched_and_its_icons_load()
    {
        await using var chromium = await Chromium.LaunchAsync();
        await using var customer = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Phone);

        await customer.RunAsync(async page =>
        {
            await customer.SignInAsync(CloudProcess.CustomerEmail, CloudProcess.DemoPassword);
            await customer.GotoLiveAsync("/app");
            Assert.Equal(375, await page.EvaluateAsync<int>("() => window.innerWidth"));
            // Nothing wider than the phone: no sideways scrolling.
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The page scrolls sideways at 375 px.");

            var link = page.Locator("link[rel=manifest]");
            await Expect(link).ToHaveCountAsync(1);
            var manifestUrl = new Uri(new Uri(page.Url), await link.GetAttributeAsync("href"));
            var manifestResponse = await page.APIRequest.GetAsync(manifestUrl.ToString());
            Assert.True(manifestResponse.Ok, $"GET {manifestUrl} answered {manifestResponse.Status}.");
            using var manifest = JsonDocument.Parse(await manifestResponse.TextAsync());
            var root = manifest.RootElement;
            Assert.False(string.IsNullOrWhiteSpace(root.TryGetProperty("short_name", out var shortName) ? shortName.GetString() : root.GetProperty("name").GetString()));
            Assert.StartsWith("/app", root.GetProperty("start_url").GetString(), StringComparison.Ordinal);
            Assert.Contains(root.GetProperty("display").GetString(), new[] { "standalone", "fullscreen", "minimal-ui" });

            var icons = root.GetProperty("icons").EnumerateArray().ToList();
            Assert.NotEmpty(icons);
            foreach (var icon in icons)
            {
                var iconUrl = new Uri(manifestUrl, icon.GetProperty("src").GetString());
                var iconResponse = await page.APIRequest.GetAsync(iconUrl.ToString());
                Assert.True(iconResponse.Ok, $"Icon {iconUrl} answered {iconResponse.Status}.");
                Assert.StartsWith("image/", iconResponse.Headers["content-type"], StringComparison.Ordinal);
                Assert.NotEmpty(await iconResponse.BodyAsync());
            }
            // Chromium's own verdict, as its install prompt would judge it.
            var devTools = await page.Context.NewCDPSessionAsync(page);
            var verdict = await devTools.SendAsync("Page.getInstallabilityErrors");
            // Every automated browser context is incognito, where Chromium never offers to install; that one is the
            // test's doing, any other reason is the app's.
            var errors = verdict?.GetProperty("installabilityErrors").EnumerateArray().Select(e => e.GetProperty("errorId").GetString())
                .Where(error => error != "in-incognito").ToList() ?? [];
            Assert.True(errors.Count == 0, "Chromium finds the app not installable: " + string.Join(", ", errors));
        });
    }
}
