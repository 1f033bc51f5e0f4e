using Diagnostics.Testing;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>A customer's language: first the phone's, then the one they pick, kept with their account.</summary>
[Collection(SharesDemoCloud.Name)]
public sealed class CompanionLanguageTests(DemoCloud demo)
{
    [Fact(Timeout = 180_000)]
    public async Task A_phone_set_to_Chinese_shows_the_app_in_Chinese_and_a_picked_Japanese_stays_after_signing_in_again()
    {
        await using var chromium = await Chromium.LaunchAsync();
        // A phone set to Chinese (China): Accept-Language "zh-CN", served by the zh-Hans translations.
        await using var phone = await chromium.NewSessionAsync(demo.Cloud.BaseAddress, Viewport.Phone, locale: "zh-CN");
        try
        {
            await phone.RunAsync(async page =>
            {
                await phone.SignInAsync(CloudProcess.SecondCustomerEmail, CloudProcess.DemoPassword);
                await page.GotoAsync("/app");
                await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-Hans");
                await Expect(page.Locator("h1")).ToHaveTextAsync("我的设备");
                await Expect(page.Locator("nav.tabbar")).ToContainTextAsync("添加设备");
                await Expect(page.GetByTestId("language-select")).ToHaveValueAsync("zh-Hans");

                await page.GetByTestId("language-select").SelectOptionAsync("ja");
                await page.GetByTestId("language-apply").ClickAsync();
                await Expect(page.Locator("h1")).ToHaveTextAsync("マイ機器");
                Assert.Equal("/app", new Uri(page.Url).AbsolutePath);

                // Signed out, the browser's cookies cleared: only the account remembers the choice, and the phone still
                // asks for Chinese.
                await page.GetByTestId("sign-out").ClickAsync();
                await page.WaitForURLAsync("**/account/login");
                await page.Context.ClearCookiesAsync();
                await phone.SignInAsync(CloudProcess.SecondCustomerEmail, CloudProcess.DemoPassword);
                await page.GotoAsync("/app");
                await Expect(page.Locator("h1")).ToHaveTextAsync("マイ機器");
                await Expect(page.Locator("nav.tabbar")).ToContainTextAsync("機器を追加");
                await Expect(page.GetByTestId("language-select")).ToHaveValueAsync("ja");
            });
        }
        finally
        {
            // The demo cloud is shared: give the account back with no preference, as the other tests expect it.
            await phone.RunAsync(async page =>
            {
                var response = await page.APIRequest.PutAsync("/api/auth/language", new() { DataObject = new { language = (string?)null } });
                Assert.True(response.Status == 204, $"Clearing the language answered {response.Status}.");
            });
        }
    }
}
