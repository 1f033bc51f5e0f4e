using System.Globalization;
using System.Text.RegularExpressions;
using Diagnostics.Testing;
using Microsoft.Playwright;
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

    /// <summary>Every picture this test writes, in the order the root README lists them.</summary>
    public static readonly IReadOnlyList<string> Pictures =
    [
        "01-sign-in", "11-forgot-password", "02-fleet-overview", "15-fleet-overview-dark", "03-device-list", "04-device-detail",
        "14-device-agent-health", "13-support-desk", "09-knowledge-base", "10-knowledge-article",
        "05-companion-my-devices", "06-companion-device", "16-companion-device-dark", "12-maintenance-window", "07-pairing",
        "08-notifications", "17-companion-help", "18-companion-assistant",
    ];

    [Fact(Timeout = 300_000)]
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
                // The dark scheme follows the system's: the same page as a reader with a dark system sees it.
                await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
                await agent.SaveAsync(folder, "15-fleet-overview-dark");
                await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });

                await agent.GotoLiveAsync("/dashboard/devices");
                await Expect(page.GetByTestId("device-count")).ToHaveTextAsync(DemoCloud.Devices.ToString(CultureInfo.InvariantCulture));
                await Expect(page.GetByTestId("device-row").First).ToBeVisibleAsync();
                await agent.SaveAsync(folder, "03-device-list");

                await agent.GotoLiveAsync($"/dashboard/devices/{DemoCloud.FirstCustomersDevice}");
                await Expect(page.GetByTestId("device-health")).ToHaveTextAsync(new Regex("^(healthy|warning|critical|unknown)$"));
                await Expect(page.GetByTestId("supply-gauge").First).ToBeVisibleAsync();
                await agent.SaveAsync(folder, "04-device-detail");
                // The agent's own internals, folded by default, opened.
                await page.GetByTestId("agent-health").Locator("summary").ClickAsync();
                await Expect(page.GetByTestId("agent-health")).ToHaveAttributeAsync("open", "");
                await agent.SaveAsync(folder, "14-device-agent-health");

                await agent.GotoLiveAsync("/dashboard/support");
                await Expect(page.GetByTestId("availability-toggle")).ToBeVisibleAsync();
                await agent.SaveAsync(folder, "13-support-desk");

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
                await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
                await customer.SaveAsync(folder, "16-companion-device-dark");
                await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });

                // The maintenance window as a customer fills it in: only at night, 22:00 to 06:00.
                await page.GetByTestId("window-limited").CheckAsync();
                await page.GetByTestId("window-from").SelectOptionAsync((22 * 60).ToString(CultureInfo.InvariantCulture));
                await page.GetByTestId("window-to").SelectOptionAsync((6 * 60).ToString(CultureInfo.InvariantCulture));
                // The form alone (the "before" record pictured it the same way: its names pair with these).
                await customer.SaveAsync(folder, "12-maintenance-window", page.GetByTestId("update-window"));

                // A plain form page (it works before a live connection is up): nothing live to wait for.
                await page.GotoAsync("/app/pair");
                await page.GetByTestId("pairing-code").FillAsync(pairingCode);
                await page.GetByTestId("pair-submit").ClickAsync();
                await Expect(page.GetByTestId("pair-result")).ToContainTextAsync(UnpairedDevice);
                await customer.SaveAsync(folder, "07-pairing");

                await customer.GotoLiveAsync("/app/notifications");
                await customer.SaveAsync(folder, "08-notifications");

                // Help: the customer describes the problem and the assistant answers in one card with quick replies.
                await customer.GotoLiveAsync("/app/support");
                await Expect(page.GetByTestId("help-device")).ToBeVisibleAsync();
                await customer.SaveAsync(folder, "17-companion-help");
                await page.GetByTestId("help-device").SelectOptionAsync(DemoCloud.FirstCustomersDevice);
                await page.GetByTestId("help-text").FillAsync("Paper is jammed inside the printer");
                await page.GetByTestId("help-start").ClickAsync();
                await page.WaitForURLAsync("**/app/support/ss-*");
                await customer.ExpectLiveAsync();
                await Expect(page.GetByTestId("chat").GetByTestId("article-card")).ToBeVisibleAsync(new() { Timeout = 60_000 });
                await Expect(page.GetByTestId("chat-solved")).ToBeVisibleAsync();
                await customer.SaveAsync(folder, "18-companion-assistant");
            });
        }

        Assert.All(Pictures, name => Assert.True(File.Exists(Path.Combine(folder, name + ".png")), $"{name}.png was not written"));
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshots of the main pages: {folder}");
    }
}
