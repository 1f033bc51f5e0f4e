using System.Globalization;
using Diagnostics.Cloud.Localization;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Localization;

/// <summary>Each request is answered in the language the person asked for, from the resources built beside the cloud.</summary>
public sealed class RequestLocalizationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void English_Chinese_and_Japanese_are_found_from_the_translations_built_beside_the_program()
    {
        var supported = SupportedCultures.Discover(AppContext.BaseDirectory);

        Assert.Equal(["en", "ja", "zh-Hans"], supported.Cultures.Select(culture => culture.Name));
    }

    [Fact]
    public void A_folder_without_translations_offers_English_alone()
    {
        var empty = Directory.CreateTempSubdirectory("dx-no-translations-");
        try
        {
            Directory.CreateDirectory(Path.Combine(empty.FullName, "fr"));

            Assert.Equal(["en"], SupportedCultures.Discover(empty.FullName).Cultures.Select(culture => culture.Name));
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans", "登录")]
    [InlineData("ja-JP", "ja", "サインイン")]
    [InlineData("en-GB,en;q=0.9", "en", "Sign in")]
    // A language with no translation is answered in English, not refused and not half-translated.
    [InlineData("fr-FR,fr;q=0.9", "en", "Sign in")]
    public async Task The_sign_in_page_speaks_the_browsers_language(string acceptLanguage, string htmlLang, string heading)
    {
        await using var host = new CloudHost();
        var browser = host.CreateClient();
        browser.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        var html = await browser.GetStringAsync(new Uri("/account/login", UriKind.Relative), Ct);

        Assert.Contains($"<html lang=\"{htmlLang}\">", html, StringComparison.Ordinal);
        Assert.Contains($"<h1>{heading}</h1>", html, StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task A_chosen_language_in_the_culture_cookie_wins_over_the_browsers(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var browser = host.CreateClient();
        browser.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-US");
        browser.DefaultRequestHeaders.Add("Cookie", ".AspNetCore.Culture=c=ja|uic=ja");

        var html = await browser.GetStringAsync(new Uri("/account/login", UriKind.Relative), Ct);

        Assert.Contains("<h1>サインイン</h1>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Dates_and_numbers_use_real_cultures_not_the_invariant_one()
    {
        // With invariant globalization every culture formats like the invariant one; the cloud needs ICU.
        var date = new DateTime(2026, 12, 6, 15, 4, 0, DateTimeKind.Utc);

        Assert.StartsWith("2026年12月6日", date.ToString("D", CultureInfo.GetCultureInfo("zh-Hans")), StringComparison.Ordinal);
        Assert.Equal("1.234,5", 1234.5.ToString("N1", CultureInfo.GetCultureInfo("de-DE")));
    }
}
