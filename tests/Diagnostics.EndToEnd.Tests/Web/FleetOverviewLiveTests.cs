using System.Globalization;
using Diagnostics.Testing;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>The support dashboard in a real browser against the real cloud process and a real agent process.</summary>
public sealed class FleetOverviewLiveTests
{
    /// <summary>From the agent's start to the jam on screen: process start, registration, connection, ingestion, push.</summary>
    private static readonly float JamPatienceMs = 60_000;

    [Fact(Timeout = 180_000)]
    public async Task A_signed_in_agent_sees_the_paper_jam_count_rise_live_when_a_simulated_device_jams()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cloud = await CloudProcess.StartAsync(ct);
        await using var chromium = await Chromium.LaunchAsync();
        await using var agent = await chromium.NewSessionAsync(cloud.BaseAddress, Viewport.Desktop);

        await agent.RunAsync(async page =>
        {
            await agent.SignInAsync(CloudProcess.AgentEmail, CloudProcess.DemoPassword);
            Assert.Equal("/dashboard", new Uri(page.Url).AbsolutePath);
            await agent.ExpectLiveAsync();
            var paperJams = page.GetByTestId("top-conditions").Locator("[data-testid=top-condition][data-condition=PAPER_JAM]");
            var before = await paperJams.CountAsync() == 0 ? 0 : int.Parse(await paperJams.GetByTestId("top-condition-count").InnerTextAsync(), CultureInfo.InvariantCulture);
            // A reload would clear this: its survival shows the count arrived over the live connection.
            await page.EvaluateAsync("() => { window.dxSameDocument = true; }");

            await using var printer = SimulatedPrinterProcess.Start(cloud, "e2e-jamming-printer", SimulatedPrinterProcess.JamAtOnce);

            await Expect(paperJams.GetByTestId("top-condition-count"))
                .ToHaveTextAsync((before + 1).ToString(CultureInfo.InvariantCulture), new() { Timeout = JamPatienceMs });
            Assert.True(await page.EvaluateAsync<bool>("() => window.dxSameDocument === true"), "The page reloaded instead of updating live.");
            await Expect(page.GetByTestId("live-status")).ToHaveAttributeAsync("data-state", "live");
        });
    }
}
