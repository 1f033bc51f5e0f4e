using System.Globalization;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Http;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;

namespace Diagnostics.Cloud.Localization;

/// <summary>What a person sends to pick their language: a supported culture name, or null for "as my browser says".</summary>
public sealed record LanguageRequest(string? Language);

/// <summary>
/// Picking a language: stored with the account (so it follows the person) and in the culture cookie (so the very next
/// page, and a page before signing in on this browser, already speaks it).
/// </summary>
public static class LanguagePreference
{
    public static IEndpointRouteBuilder MapLanguagePreference(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPut("/api/auth/language", SetFromApi).WithTags("Accounts").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        // The companion's picker: a plain form post (works without scripts), carrying the anti-forgery token.
        app.MapPost("/account/language", SetFromForm).RequireAuthorization();
        return app;
    }

    /// <summary>The supported culture a name stands for ("JA" → ja), or null when the apps do not speak it.</summary>
    public static CultureInfo? Resolve(SupportedCultures supported, string? name)
    {
        ArgumentNullException.ThrowIfNull(supported);
        return string.IsNullOrWhiteSpace(name)
            ? null
            : supported.Cultures.FirstOrDefault(c => string.Equals(c.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SetFromApi(
        LanguageRequest request, HttpContext http, IAccountStore store, SupportedCultures supported, CancellationToken cancellationToken)
    {
        var culture = Resolve(supported, request.Language);
        if (culture is null && !string.IsNullOrWhiteSpace(request.Language))
        {
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "UnsupportedLanguage",
                string.Join(", ", supported.Cultures.Select(c => $"{c.NativeName} ({c.Name})")), request.Language));
        }
        await ApplyAsync(http, store, culture, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<RedirectHttpResult, BadRequest>> SetFromForm(
        HttpContext http, IAntiforgery antiforgery, IAccountStore store, SupportedCultures supported, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
            return TypedResults.BadRequest();
        var form = await http.Request.ReadFormAsync(cancellationToken);
        string? name = form["language"];
        var culture = Resolve(supported, name);
        if (culture is null && !string.IsNullOrWhiteSpace(name))
            return TypedResults.BadRequest();
        await ApplyAsync(http, store, culture, cancellationToken);
        // Back to the page the picker was on; only a path on this site, never another site.
        string? back = form["returnUrl"];
        return TypedResults.Redirect(back is { Length: > 0 } && back[0] == '/' && !back.StartsWith("//", StringComparison.Ordinal)
            && !back.StartsWith("/\\", StringComparison.Ordinal) ? back : "/app");
    }

    private static async Task ApplyAsync(HttpContext http, IAccountStore store, CultureInfo? culture, CancellationToken cancellationToken)
    {
        await store.SetLanguageAsync(http.User.AccountId()!, culture?.Name, cancellationToken);
        if (culture is null)
        {
            http.Response.Cookies.Delete(CookieRequestCultureProvider.DefaultCookieName);
            return;
        }
        http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions
            {
                MaxAge = TimeSpan.FromDays(365),
                IsEssential = true,
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = http.Request.IsHttps,
            });
    }
}
