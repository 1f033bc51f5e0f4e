using Diagnostics.Testing;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>The dashboard's device list filters as an agent uses them: a choice applies at once, and the URL keeps it.</summary>
[Collection(SharesDemoCloud.Name)]
public sealed class DeviceListFilterTests(DemoCloud demo)
{
    [Fact(Timeout = 180_000)]
    public async Task Choosing_a_filter_updates_the_list_at_once_without_an_apply_button_and_the_url_keeps_it()
    {
        await demo.AllOnlineAsync();
        await using var chromium = await Chromium.LaunchAsync();
        await using var agent = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Desktop);

        await agent.RunAsync(async page =>
        {
            await agent.SignInAsync(CloudProcess.AgentEmail, CloudProcess.DemoPassword);
            await agent.GotoLiveAsync("/dashboard/devices");
            var rows = page.GetByTestId("device-row");
            await Expect(rows.First).ToBeVisibleAsync();
            // Nothing to press: the form's submit button is for browsers without scripts only.
            await Expect(page.Locator("form.filters button[type=submit]")).ToBeHiddenAsync();
            // A reload would clear this: its survival shows the list changed in place, not by a form submission.
            await page.EvaluateAsync("() => { window.dxSameDocument = true; }");

            await page.GetByTestId("filter-online").SelectOptionAsync("offline");

            // Every demo printer is online (AllOnlineAsync): none is left.
            await Expect(page.Locator("[data-testid=device-row] .presence-online")).ToHaveCountAsync(0);
            Assert.Equal("?online=offline", new Uri(page.Url).Query);

            await page.GetByTestId("filter-online").SelectOptionAsync("online");

            await Expect(rows.First).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=device-row] .presence-offline")).ToHaveCountAsync(0);
            Assert.Equal("?online=online", new Uri(page.Url).Query);
            Assert.True(await page.EvaluateAsync<bool>("() => window.dxSameDocument === true"), "The page reloaded instead of filtering in place.");

            // The URL is the bookmark: opened afresh, it shows the same choice.
            await agent.GotoLiveAsync("/dashboard/devices?online=offline");
            await Expect(page.GetByTestId("filter-online")).ToHaveValueAsync("offline");
            await Expect(page.Locator("[data-testid=device-row] .presence-online")).ToHaveCountAsync(0);
        });
    }
}
