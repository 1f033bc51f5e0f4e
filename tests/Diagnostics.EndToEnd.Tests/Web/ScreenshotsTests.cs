using System.Globalization;
using System.Text.RegularExpressions;
using Diagnostics.Testing;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>
/// Renders the main pages of both apps against a living demo fleet and keeps a screenshot of each: in the folder
/// named by <c>DX_SCREENSHOTS</c> when set (see the root README), else in a temporary folder. Each page must render
/// its main content before its picture is taken, so the test also checks that every page renders.
/// </summary>
[Collection(SharesDemoCloud.Name)]
public sealed class ScreenshotsTests(DemoCloud demo)
{
    public const string FolderVariable = "DX_SCREENSHOTS";

    /// <summary>Not paired by the demo seed: the pairing picture pairs it.</summary>
    private const string UnpairedDevice = "sim-0012";

    [Fact(Timeout = 180_000)]
    public async Task Screenshots_of_the_main_pages_show_each_page_rendered()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } chosen
            ? Path.GetFullPath(chosen)
            : Directory.CreateTempSubdirectory("dx-screenshots-").FullName;
        await demo.AllOnlineAsync();
        await using var chromium = await Chromium.LaunchAsync();

        await using (var visitor = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Desktop))
        {
            await visitor.RunAsync(async page =>
            {
                await page.GotoAsync("/account/login");
                await Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync();
                await visitor.SaveAsync(folder, "01-sign-in");
                await page.GotoAsync("/account/forgot-password");
                await Expect(page.Locator("h1")).ToBeVisibleAsync();
                await visitor.SaveAsync(folder, "11-forgot-password");
            });
        }

        await using (var agent = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Desktop))
        {
            await agent.RunAsync(async page =>
            {
                await agent.SignInAsync(CloudProcess.AgentEmail, CloudProcess.DemoPassword);
                await agent.GotoLiveAsync("/dashboard");
                await Expect(page.GetByTestId("count-total")).ToHaveTextAsync(DemoCloud.Devices.ToString(CultureInfo.InvariantCulture));
                await Expect(page.GetByTestId("chart-firmware")).ToBeVisibleAsync();
                await agent.SaveAsync(folder, "02-fleet-overview");

                await agent.GotoLiveAsync("/dashboard/devices");
                await Expect(page.GetByTestId("device-count")).ToHaveTextAsync(DemoCloud.Devices.ToString(CultureInfo.InvariantCulture));
                await Expect(page.GetByTestId("device-row").First).ToBeVisibleAsync();
                await agent.SaveAsync(folder, "03-device-list");

                await agent.GotoLiveAsync($"/dashboard/devices/{DemoCloud.FirstCustomersDevice}");
                await Expect(page.GetByTestId("device-health")).ToHaveTextAsync(new Regex("^(healthy|warning|critical|unknown)$"));
                await Expect(page.GetByTestId("supply-gauge").First).ToBeVisibleAsync();
                await agent.SaveAsync(folder, "04-device-detail");

                await page.GotoAsync("/dashboard/kb");
                await Expect(page.GetByTestId("article-row").First).ToBeVisibleAsync();
                await agent.SaveAsync(folder, "09-knowledge-base");

                await page.GotoAsync("/dashboard/kb/paper-jam");
                await Expect(page.GetByTestId("article-steps")).ToBeVisibleAsync();
                await agent.SaveAsync(folder, "10-knowledge-article");
            });
        }

        var pairingCode = await DevicePairingCode.ReadAsync(demo.Cloud.Process, demo.Cloud, UnpairedDevice, ct);
        await using (var customer = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Phone))
        {
            await customer.RunAsync(async page =>
            {
                await customer.SignInAsync(CloudProcess.CustomerEmail, CloudProcess.DemoPassword);
                await customer.GotoLiveAsync("/app");
                await Expect(page.GetByTestId("my-device")).ToHaveCountAsync(3);
                await Expect(page.GetByTestId("device-health-text").First).ToBeVisibleAsync();
                await customer.SaveAsync(folder, "05-companion-my-devices");

                await customer.GotoLiveAsync($"/app/devices/{DemoCloud.FirstCustomersDevice}");
                await Expect(page.GetByTestId("supply-level").First).ToBeVisibleAsync();
                await customer.SaveAsync(folder, "06-companion-device");

                // A plain form page (it works before a live connection is up): nothing live to wait for.
            await page.GotoAsync("/app/pair");
                await page.GetByTestId("pairing-code").FillAsync(pairingCode);
                await page.GetByTestId("pair-submit").ClickAsync();
                await Expect(page.GetByTestId("pair-result")).ToContainTextAsync(UnpairedDevice);
                await customer.SaveAsync(folder, "07-pairing");

                await customer.GotoLiveAsync("/app/notifications");
                await customer.SaveAsync(folder, "08-notifications");
            });
        }

        var pictures = Directory.GetFiles(folder, "*.png").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(8, pictures.Count(p => Regex.IsMatch(p!, @"^0[1-8]-")));
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshots of the main pages: {folder}");
    }
}
