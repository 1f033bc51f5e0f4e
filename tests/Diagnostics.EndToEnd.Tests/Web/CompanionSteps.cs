using Diagnostics.Testing;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>What a customer does in the companion app before a test gets to its point.</summary>
internal static class CompanionSteps
{
    /// <summary>Signs in as the demo customer who owns nothing yet and pairs the device through the pairing page.</summary>
    public static async Task SignInAndPairAsync(BrowserSession customer, string pairingCode, string deviceId)
    {
        ArgumentNullException.ThrowIfNull(customer);
        await customer.SignInAsync(CloudProcess.SecondCustomerEmail, CloudProcess.DemoPassword);
        // A plain form page (it works before a live connection is up): nothing live to wait for.
        await customer.Page.GotoAsync("/app/pair");
        await customer.Page.GetByTestId("pairing-code").FillAsync(pairingCode);
        await customer.Page.GetByTestId("pair-submit").ClickAsync();
        await Expect(customer.Page.GetByTestId("pair-result")).ToContainTextAsync(deviceId);
    }
}
