using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Web;

/// <summary>The sign-in page and sign-out button as a browser uses them: form posts with the anti-forgery token.</summary>
public sealed class SignInFormTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [BothEngines(AccountRole.Agent, "/dashboard")]
    [BothEngines(AccountRole.Customer, "/app")]
    public async Task The_form_signs_in_and_sends_each_kind_of_user_home(AccountRole role, string home, StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var email = await CreateAccountAsync(host, role);
        var browser = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await SignInForm.PostFormAsync(browser, "/account/login", await SignInForm.TokenFromAsync(browser, "/account/login"), new()
        {
            ["_handler"] = "sign-in",
            ["Input.Email"] = email,
            ["Input.Password"] = CloudHost.TestPassword,
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(home, response.Headers.Location?.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri(home, UriKind.Relative), Ct)).StatusCode);
    }

    [Theory, BothEngines]
    public async Task A_wrong_password_shows_the_error_on_the_form(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var email = await CreateAccountAsync(host, AccountRole.Agent);
        var browser = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await SignInForm.PostFormAsync(browser, "/account/login", await SignInForm.TokenFromAsync(browser, "/account/login"), new()
        {
            ["_handler"] = "sign-in",
            ["Input.Email"] = email,
            ["Input.Password"] = "not-the-password",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data-testid=\"sign-in-error\"", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(new Uri("/dashboard", UriKind.Relative), Ct)).StatusCode);
    }

    [Theory, BothEngines]
    public async Task The_form_without_its_anti_forgery_token_is_refused(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var email = await CreateAccountAsync(host, AccountRole.Agent);
        var browser = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await SignInForm.PostFormAsync(browser, "/account/login", token: null, new()
        {
            ["_handler"] = "sign-in",
            ["Input.Email"] = email,
            ["Input.Password"] = CloudHost.TestPassword,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith(AccountsExtensions.CookieName, StringComparison.Ordinal)));
    }

    [Theory, BothEngines]
    public async Task Sign_out_needs_the_token_so_another_site_cannot_sign_people_out(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var email = await CreateAccountAsync(host, AccountRole.Agent);
        var browser = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await SignInForm.PostFormAsync(browser, "/account/login", await SignInForm.TokenFromAsync(browser, "/account/login"), new()
        {
            ["_handler"] = "sign-in",
            ["Input.Email"] = email,
            ["Input.Password"] = CloudHost.TestPassword,
        });

        using var forged = await SignInForm.PostFormAsync(browser, "/account/logout", token: null, []);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri("/dashboard", UriKind.Relative), Ct)).StatusCode);

        using var signOut = await SignInForm.PostFormAsync(browser, "/account/logout", await SignInForm.TokenFromAsync(browser, "/dashboard"), []);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(new Uri("/dashboard", UriKind.Relative), Ct)).StatusCode);
    }

    private static async Task<string> CreateAccountAsync(CloudHost host, AccountRole role)
    {
        var email = $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@tests.test";
        var (_, error) = await host.Services.GetRequiredService<AccountService>().CreateAsync(email, "Form user", role, CloudHost.TestPassword, Ct);
        Assert.Equal(AccountCreationError.None, error);
        return email;
    }
}
