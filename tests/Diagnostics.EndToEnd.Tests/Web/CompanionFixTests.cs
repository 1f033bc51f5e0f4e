using System.Text.Json;
using Diagnostics.Testing;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>
/// The whole fix loop with real processes: a simulated printer jams, the cloud proposes the knowledge base's fix, the
/// customer approves it on a phone, the agent clears the paper path, the jam clears in telemetry, the fix is verified
/// and the article's success rate for that model moves.
/// </summary>
public sealed class CompanionFixTests
{
    private static readonly float LoopPatienceMs = 90_000;

    [Fact(Timeout = 240_000)]
    public async Task A_customer_approves_the_proposed_fix_for_a_jam_and_sees_it_verified()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cloud = await CloudProcess.StartAsync(ct);
        await using var printer = SimulatedPrinterProcess.Start(cloud, "e2e-fix-printer");
        var code = await printer.PairingCodeAsync(ct);
        await using var chromium = await Chromium.LaunchAsync();
        await using var customer = await chromium.NewSessionAsync(cloud.BaseAddress, Viewport.Phone);

        await customer.RunAsync(async page =>
        {
            await CompanionSteps.SignInAndPairAsync(customer, code, printer.DeviceId);

            await printer.RestartAsync(SimulatedPrinterProcess.JamAtOnce);
            await customer.GotoLiveAsync($"/app/devices/{printer.DeviceId}");
            var card = page.GetByTestId("fix-card").First;
            await Expect(card).ToHaveAttributeAsync("data-state", "proposed", new() { Timeout = LoopPatienceMs });
            await Expect(card.GetByTestId("fix-preview")).ToContainTextAsync("feed rollers");

            await card.GetByTestId("fix-approve").ClickAsync();

            await Expect(card).ToHaveAttributeAsync("data-state", "verified", new() { Timeout = LoopPatienceMs });
            await Expect(card.GetByTestId("fix-state")).ToHaveTextAsync("Fixed.");
            await Expect(page.GetByTestId("no-problems")).ToBeVisibleAsync();
        });

        var admin = await cloud.AdminHttpAsync(ct);
        using var device = JsonDocument.Parse(await admin.GetStringAsync($"api/devices/{printer.DeviceId}", ct));
        var model = device.RootElement.GetProperty("model").GetString()!;
        // The outcome is counted just after the fix closes.
        await Eventually.TrueAsync(async () =>
        {
            using var matches = JsonDocument.Parse(await admin.GetStringAsync(
                $"api/kb/match?code=ipp:media-jam&condition=PAPER_JAM&model={Uri.EscapeDataString(model)}", ct));
            return matches.RootElement[0].GetProperty("reasons").EnumerateArray()
                .Any(r => r.GetString()!.StartsWith($"fixed 1 of 1 times on {model}", StringComparison.Ordinal));
        }, "the paper-jam article counts one verified fix on this model");
    }
}
