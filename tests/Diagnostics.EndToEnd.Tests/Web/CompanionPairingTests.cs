using System.Text.RegularExpressions;
using Diagnostics.Testing;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>The companion app on a phone-sized screen, against the real cloud process and a real agent process.</summary>
public sealed class CompanionPairingTests
{
    private static readonly float JamPatienceMs = 60_000;

    [Fact(Timeout = 180_000)]
    public async Task A_customer_pairs_a_device_on_a_phone_and_sees_its_jam_notification_arrive_live()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cloud = await CloudProcess.StartAsync(ct);
        await using var printer = SimulatedPrinterProcess.Start(cloud, "e2e-home-printer");
        var code = await printer.PairingCodeAsync(ct);
        await using var chromium = await Chromium.LaunchAsync();
        await using var customer = await chromium.NewSessionAsync(cloud.BaseAddress, Viewport.Phone);

        await customer.RunAsync(async page =>
        {
            await CompanionSteps.SignInAndPairAsync(customer, code, printer.DeviceId);

            await customer.GotoLiveAsync("/app/notifications");
            var jamNotifications = page.Locator($"[data-testid=notification][data-device-id='{printer.DeviceId}']")
                .Filter(new() { HasTextRegex = new Regex("jam", RegexOptions.IgnoreCase) });
            await Expect(jamNotifications).ToHaveCountAsync(0);
            await page.EvaluateAsync("() => { window.dxSameDocument = true; }");

            // The same device (same credentials and pairing) comes back with a jam on cue.
            await printer.RestartAsync(SimulatedPrinterProcess.JamAtOnce);

            await Expect(jamNotifications.First).ToBeVisibleAsync(new() { Timeout = JamPatienceMs });
            Assert.True(await page.EvaluateAsync<bool>("() => window.dxSameDocument === true"), "The page reloaded instead of updating live.");
        });
    }
}
