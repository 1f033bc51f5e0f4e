using Diagnostics.Cloud.Accounts;
using Microsoft.AspNetCore.Localization;

namespace Diagnostics.Cloud.Localization;

/// <summary>
/// The signed-in person's own choice of language, kept with their account: it follows them to a new phone or a
/// borrowed browser, where the culture cookie (one browser's memory) and Accept-Language (the device's setting) may
/// say something else.
/// </summary>
public sealed class AccountCultureProvider : RequestCultureProvider
{
    public override async Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        // Anonymous requests (sign-in page, static files without a session) cost nothing here.
        if (httpContext.User.AccountId() is not { } accountId)
            return null;
        var store = httpContext.RequestServices.GetRequiredService<IAccountStore>();
        var language = await store.GetLanguageAsync(accountId, httpContext.RequestAborted);
        // A stored name the build no longer has translations for is passed on; the middleware ignores unsupported
        // cultures and asks the next provider.
        return string.IsNullOrEmpty(language) ? null : new ProviderCultureResult(language);
    }
}
