using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Localization;

/// <summary>The language a person picks is kept with their account and outranks the browser's.</summary>
public sealed class AccountLanguageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task A_picked_language_is_stored_with_the_account_and_wins_over_accept_language_but_not_over_the_query(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var created = await host.Services.GetRequiredService<AccountService>().CreateAsync("mei@example.com", "Mei", AccountRole.Customer, CloudHost.TestPassword, Ct);
        var accountId = created.Account!.Id;
        var store = host.Services.GetRequiredService<IAccountStore>();
        var browser = host.CreateClient();
        browser.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        (await browser.PostAsJsonAsync("/api/auth/login", new { email = "mei@example.com", password = CloudHost.TestPassword }, Ct)).EnsureSuccessStatusCode();
        Assert.Null(await store.GetLanguageAsync(accountId, Ct));

        using (var set = await browser.PutAsJsonAsync("/api/auth/language", new { language = "JA" }, Ct))
            Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        Assert.Equal("ja", await store.GetLanguageAsync(accountId, Ct));

        // A new browser (no culture cookie) on the same Chinese phone: the account's choice decides.
        var otherBrowser = host.CreateClient();
        otherBrowser.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        (await otherBrowser.PostAsJsonAsync("/api/auth/login", new { email = "mei@example.com", password = CloudHost.TestPassword }, Ct)).EnsureSuccessStatusCode();
        Assert.Contains("<html lang=\"ja\">", await otherBrowser.GetStringAsync("/app", Ct), StringComparison.Ordinal);
        Assert.Contains("<html lang=\"zh-Hans\">", await otherBrowser.GetStringAsync("/app?culture=zh-Hans", Ct), StringComparison.Ordinal);

        // A language the apps do not speak is refused and changes nothing; null forgets the choice.
        using (var refused = await browser.PutAsJsonAsync("/api/auth/language", new { language = "tlh" }, Ct))
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("ja", await store.GetLanguageAsync(accountId, Ct));
        using (var cleared = await browser.PutAsJsonAsync("/api/auth/language", new { language = (string?)null }, Ct))
            Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.Null(await store.GetLanguageAsync(accountId, Ct));
        Assert.Contains("<html lang=\"zh-Hans\">", await otherBrowser.GetStringAsync("/app", Ct), StringComparison.Ordinal);
    }
}
