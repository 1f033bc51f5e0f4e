using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.WebEncoders;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Localization;

public static class LocalizationExtensions
{
    /// <summary>
    /// Text people read comes from resource files under <c>Resources/</c>, one per component or class
    /// (<c>Resources/Web/Account/Login.resx</c>, <c>Login.zh-Hans.resx</c>, <c>Login.ja.resx</c>), read through
    /// <c>IStringLocalizer&lt;T&gt;</c>; a missing translation falls back to English.
    /// </summary>
    public static IHostApplicationBuilder AddLocalizationSupport(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddLocalization(options => options.ResourcesPath = "Resources");
        builder.Services.AddSingleton(_ => SupportedCultures.Discover());
        // Pages are UTF-8: Chinese and Japanese text goes out as itself, not as a numeric character reference per
        // character (three to four times the bytes, and unreadable in the page source). Markup characters are
        // still encoded.
        builder.Services.Configure<WebEncoderOptions>(options => options.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        builder.Services.AddOptions<RequestLocalizationOptions>().Configure<SupportedCultures>((options, supported) =>
        {
            options.DefaultRequestCulture = new RequestCulture(SupportedCultures.Default);
            // Text in a translated language, dates and times in the reader's region of it (en-GB: 22:00).
            options.SupportedCultures = [.. supported.FormattingCultures];
            options.SupportedUICultures = [.. supported.Cultures];
            // "zh-CN" in Accept-Language is served by zh-Hans, "ja-JP" by ja: parents count.
            options.FallBackToParentCultures = true;
            options.FallBackToParentUICultures = true;
            // In this order: ?culture= (a link or a screenshot that must show one language), the signed-in account's
            // choice (the person's own, following them across phones and browsers, so it outranks what one browser
            // remembers), the culture cookie (this browser's last choice, which also serves the sign-in page before
            // anyone is known), then the browser's Accept-Language (the device's setting, the first guess).
            options.RequestCultureProviders.Insert(1, new AccountCultureProvider());
        });
        return builder;
    }

    /// <summary>Sets each request's culture; after authentication, so a provider may read the signed-in account.</summary>
    public static WebApplication UseLocalization(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRequestLocalization(app.Services.GetRequiredService<IOptions<RequestLocalizationOptions>>().Value);
        return app;
    }
}
