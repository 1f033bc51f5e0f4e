using System.Text.RegularExpressions;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;
using static Microsoft.Playwright.Assertions;

namespace Diagnostics.Cloud.Tests.Web.Components;

/// <summary>
/// When a page's connection drops (a phone that slept, a network change, a deploy), Blazor's own dialog said
/// "Rejoining the server...", "Retry" in English to every reader (second language audit, issue 19). Every page carries
/// its own dialog in the reader's language instead; Blazor drives it by its id. Expected words are the translators'
/// (Resources/Web/Components/ReconnectDialog.*.resx).
/// </summary>
public sealed partial class ReconnectDialogTests
{
    [Theory]
    [InlineData("en-US", "The connection to Diagnostics dropped. Reconnecting…", "Still not connected. Trying again in ", "Try again", "Reload the page")]
    [InlineData("zh-CN,zh;q=0.9", "与 Diagnostics 的连接已断开，正在重新连接…", "仍未连上，", "重试", "刷新页面")]
    [InlineData("ja-JP", "Diagnostics との接続が切れました。再接続しています…", "まだ接続できません。", "再試行", "ページを再読み込み")]
    public async Task Every_page_carries_the_reconnect_dialog_in_the_readers_language(string acceptLanguage, string reconnecting, string retryingStart, string tryAgain, string reload)
    {
        await using var host = new CloudHost();
        var anonymous = host.CreateClient();
        anonymous.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        customer.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        agent.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        foreach (var page in new[] { await GetPageAsync(anonymous, "/account/login"), await GetPageAsync(customer, "/app"), await GetPageAsync(agent, "/dashboard") })
        {
            // Blazor finds the dialog by this id and then leaves its own English one out.
            Assert.Equal(1, Regex.Count(page, "id=\"components-reconnect-modal\""));
            var dialog = TestIdText(page, "reconnect-dialog");
            Assert.Contains(reconnecting, dialog, StringComparison.Ordinal);
            Assert.Contains(retryingStart, dialog, StringComparison.Ordinal);
            Assert.Equal(tryAgain, TestIdText(page, "reconnect-retry"));
            Assert.Equal(reload, TestIdText(page, "reconnect-reload"));
            Assert.Contains("id=\"components-seconds-to-next-attempt\"", page, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("zh-CN", "此页面已暂停，不再自动更新。", "继续")]
    [InlineData("ja-JP", "このページは一時停止中のため、自動では更新されません。", "続ける")]
    public async Task A_paused_connection_shows_the_readers_words_in_the_browser_and_continues(string locale, string paused, string resume)
    {
        await using var host = new CloudHost();
        var address = host.ServeOverTcp();
        var email = $"reconnect-{Guid.NewGuid():N}@tests.test";
        await host.SignedInClientAsync(AccountRole.Customer, email);
        await using var chromium = await Chromium.LaunchAsync();
        await using var phone = await chromium.NewSessionAsync(address, Viewport.Phone, locale);
        await phone.RunAsync(async page =>
        {
            await phone.SignInAsync(email, CloudHost.TestPassword);
            await phone.GotoLiveAsync("/app");
            var dialog = page.GetByTestId("reconnect-dialog");
            await Expect(dialog).ToBeHiddenAsync();

            // Blazor's own way to drop the connection and keep the page's state (what the server does to an idle page):
            // the same dialog and states as a lost connection, without stopping the server under the test.
            await page.EvaluateAsync("() => Blazor.pauseCircuit()");
            await Expect(dialog).ToBeVisibleAsync();
            await Expect(dialog).ToContainTextAsync(paused);
            await Expect(page.GetByTestId("reconnect-resume")).ToHaveTextAsync(resume);
            // What the reader sees of the dialog: their language only (the product's name is the one Latin word allowed).
            var seen = await dialog.InnerTextAsync();
            Assert.DoesNotMatch(LatinWordOtherThanTheProduct(), seen);

            await page.GetByTestId("reconnect-resume").ClickAsync();
            await Expect(dialog).ToBeHiddenAsync();
            await phone.ExpectLiveAsync();
        });
    }

    [GeneratedRegex(@"(?!Diagnostics\b)\b[A-Za-z]{2,}\b")]
    private static partial Regex LatinWordOtherThanTheProduct();
}
