using System.Net;
using System.Text.RegularExpressions;

namespace Diagnostics.Cloud.Tests.Web;

/// <summary>The sign-in form as a browser posts it: the anti-forgery token from the page, then the form fields.</summary>
internal static partial class SignInForm
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens the form and posts it (the client keeps the anti-forgery cookie and, on success, the session cookie).</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string email, string password) =>
        await PostFormAsync(browser, "/account/login", await TokenFromAsync(browser, "/account/login"), new()
        {
            ["_handler"] = "sign-in",
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });

    /// <summary>The anti-forgery token of the first form on the page (the cookie half stays in the client).</summary>
    public static async Task<string> TokenFromAsync(HttpClient browser, string page)
    {
        var html = await browser.GetStringAsync(new Uri(page, UriKind.Relative), Ct);
        var match = AntiforgeryField().Match(html);
        Assert.True(match.Success, $"{page} has no anti-forgery field");
        return WebUtility.HtmlDecode(match.Groups["value"].Value);
    }

    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string path, string? token, Dictionary<string, string> fields)
    {
        if (token is not null)
            fields["__RequestVerificationToken"] = token;
        using var content = new FormUrlEncodedContent(fields);
        return await browser.PostAsync(new Uri(path, UriKind.Relative), content, Ct);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
