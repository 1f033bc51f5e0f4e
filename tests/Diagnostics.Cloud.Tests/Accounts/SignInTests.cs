using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Accounts;

public sealed class SignInTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task Right_password_signs_in_with_an_http_only_cookie_and_me_says_who(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await host.Services.GetRequiredService<AccountService>().CreateAsync("pat@example.com", "Pat", AccountRole.Supervisor, CloudHost.TestPassword, Ct);
        var http = host.CreateClient();

        using var response = await http.PostAsJsonAsync("/api/auth/login", new { email = "PAT@example.com", password = CloudHost.TestPassword }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AccountsExtensions.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        var me = await http.GetJsonAsync<AccountView>("/api/auth/me");
        Assert.Equal(("pat@example.com", "Pat", AccountRole.Supervisor), (me.Email, me.DisplayName, me.Role));
    }

    [Theory]
    [BothEngines("pat@example.com", "wrong-password-1")]
    [BothEngines("nobody@example.com", CloudHost.TestPassword)]
    public async Task Wrong_password_or_unknown_address_get_the_same_401_and_no_cookie(string email, string password, StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await host.Services.GetRequiredService<AccountService>().CreateAsync("pat@example.com", "Pat", AccountRole.Agent, CloudHost.TestPassword, Ct);
        var http = host.CreateClient();

        using var response = await http.PostAsJsonAsync("/api/auth/login", new { email, password }, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("e-mail address or the password is wrong", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/api/auth/me", UriKind.Relative), Ct)).StatusCode);
        Assert.True(host.Logged(AccountsEventIds.SignInRefused, email));
    }

    [Theory, BothEngines]
    public async Task Passwords_are_stored_hashed_and_short_ones_or_taken_addresses_are_refused(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var accounts = host.Services.GetRequiredService<AccountService>();
        Assert.Equal(AccountCreationError.None, (await accounts.CreateAsync("kim@example.com", "Kim", AccountRole.Customer, CloudHost.TestPassword, Ct)).Error);
        Assert.Equal(AccountCreationError.EmailTaken, (await accounts.CreateAsync("KIM@example.com", "Kim 2", AccountRole.Customer, CloudHost.TestPassword, Ct)).Error);
        Assert.Equal(AccountCreationError.WeakPassword, (await accounts.CreateAsync("lee@example.com", "Lee", AccountRole.Customer, "short", Ct)).Error);
        Assert.Equal(AccountCreationError.InvalidEmail, (await accounts.CreateAsync("not an address", "X", AccountRole.Customer, CloudHost.TestPassword, Ct)).Error);

        var stored = await host.Services.GetRequiredService<IAccountStore>().FindByEmailAsync("kim@example.com", Ct);
        Assert.NotNull(stored);
        Assert.DoesNotContain(CloudHost.TestPassword, stored.PasswordHash, StringComparison.Ordinal);
        Assert.True(stored.PasswordHash.Length > 40, "a salted PBKDF2 hash, not the password");
    }

    [Theory, BothEngines]
    public async Task Sign_out_ends_the_session(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = await host.SignedInClientAsync(AccountRole.Customer);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/api/auth/me", UriKind.Relative), Ct)).StatusCode);

        using var signOut = await http.PostAsync(new Uri("/api/auth/logout", UriKind.Relative), null, Ct);

        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/api/auth/me", UriKind.Relative), Ct)).StatusCode);
    }

    [Theory, BothEngines]
    public async Task Pages_send_anonymous_people_to_the_sign_in_form(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await http.GetAsync(new Uri("/dashboard", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location?.PathAndQuery ?? response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        var form = await http.GetStringAsync(new Uri("/account/login", UriKind.Relative), Ct);
        Assert.Contains("__RequestVerificationToken", form, StringComparison.Ordinal);
    }
}
