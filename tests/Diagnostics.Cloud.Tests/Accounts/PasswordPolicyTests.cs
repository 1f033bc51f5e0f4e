using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Web;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Accounts;

/// <summary>
/// NIST SP 800-63B §5.1.1.2: new passwords are compared against passwords from previous breaches and dictionary words,
/// repetitive characters and context-specific words (the account's own name), and refused with the reason.
/// </summary>
public sealed class PasswordPolicyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Long enough for the length rule, yet among the most common passwords of the 10 million password list (SecLists).
    [Theory]
    [InlineData("qwertyuiop")]
    [InlineData("1234567890")]
    [InlineData("password123")]
    [InlineData("PASSWORD123")]
    [InlineData("1qaz2wsx3edc")]
    [InlineData("basketball")]
    [InlineData("iloveyou123")]
    public void Common_passwords_are_refused_even_when_long_enough_and_whatever_their_case(string password)
    {
        Assert.Equal(PasswordWeakness.TooCommon, PasswordPolicy.Check(password, "kim@example.com"));
    }

    [Theory]
    [InlineData("short", PasswordWeakness.TooShort)]
    [InlineData("qqqqqqqqqqqqqqqqqq", PasswordWeakness.TooRepetitive)]
    [InlineData("xyxyxyxyxyxy", PasswordWeakness.TooRepetitive)]
    [InlineData("kimberley-2024!", PasswordWeakness.ContainsEmail)]
    [InlineData("my kimberley@example.com", PasswordWeakness.ContainsEmail)]
    [InlineData("correct horse battery staple", PasswordWeakness.None)]
    [InlineData("toner-drum-fuser-42", PasswordWeakness.None)]
    public void Short_repetitive_or_personal_passwords_are_refused_and_passphrases_pass(string password, PasswordWeakness expected)
    {
        Assert.Equal(expected, PasswordPolicy.Check(password, "kimberley@example.com"));
    }

    [Fact]
    public void The_bundled_list_holds_ten_thousand_passwords()
    {
        Assert.Equal(10_000, PasswordPolicy.CommonPasswordCount, tolerance: 200);
    }

    [Theory, BothEngines]
    public async Task Creating_an_account_with_a_common_password_is_refused(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var accounts = host.Services.GetRequiredService<AccountService>();

        Assert.Equal(AccountCreationError.WeakPassword, (await accounts.CreateAsync("lee@example.com", "Lee", AccountRole.Customer, "password123", Ct)).Error);
        Assert.Null(await host.Services.GetRequiredService<IAccountStore>().FindByEmailAsync("lee@example.com", Ct));
    }

    [Fact]
    public async Task The_cli_refuses_a_common_password_and_says_why()
    {
        var database = CloudHost.TempDatabasePath();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await AccountsCli.RunAsync(["accounts", "add", "--email", "first@example.com", "--role", "admin", $"--Storage:Path={database}"],
            new StringReader("1qaz2wsx3edc\n"), output, error, Ct);

        Assert.Equal(1, exit);
        Assert.Contains("one of the most common passwords", error.ToString(), StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task The_api_refuses_a_common_new_password_with_problem_details_and_keeps_the_old_one(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var email = $"change-{Guid.NewGuid():N}@tests.test";
        var client = await host.SignedInClientAsync(AccountRole.Customer, email);

        using var refused = await client.PostAsJsonAsync("/api/auth/password", new { currentPassword = CloudHost.TestPassword, newPassword = "qwertyuiop" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using (var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct)))
            Assert.Contains("one of the most common passwords", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var accounts = host.Services.GetRequiredService<AccountService>();
        Assert.NotNull(await accounts.CheckPasswordAsync(email, CloudHost.TestPassword, Ct));

        using (var wrongCurrent = await client.PostAsJsonAsync("/api/auth/password", new { currentPassword = "not-my-password", newPassword = "toner-drum-fuser-42" }, Ct))
            Assert.Equal(HttpStatusCode.Forbidden, wrongCurrent.StatusCode);
        using (var changed = await client.PostAsJsonAsync("/api/auth/password", new { currentPassword = CloudHost.TestPassword, newPassword = "toner-drum-fuser-42" }, Ct))
            Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        Assert.Null(await accounts.CheckPasswordAsync(email, CloudHost.TestPassword, Ct));
        Assert.NotNull(await accounts.CheckPasswordAsync(email, "toner-drum-fuser-42", Ct));
    }

    [Theory, BothEngines]
    public async Task The_form_shows_why_a_new_password_is_refused(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var email = $"form-{Guid.NewGuid():N}@tests.test";
        await host.Services.GetRequiredService<AccountService>().CreateAsync(email, "Form", AccountRole.Agent, CloudHost.TestPassword, Ct);
        var browser = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.Redirect, (await SignInForm.SignInAsync(browser, email, CloudHost.TestPassword)).StatusCode);

        using var refused = await SignInForm.PostFormAsync(browser, "/account/password", await SignInForm.TokenFromAsync(browser, "/account/password"), new()
        {
            ["_handler"] = "change-password",
            ["Input.Current"] = CloudHost.TestPassword,
            ["Input.New"] = "password123",
        });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("one of the most common passwords", RenderedPage.TestIdText(await refused.Content.ReadAsStringAsync(Ct), "password-error"), StringComparison.Ordinal);

        using var changed = await SignInForm.PostFormAsync(browser, "/account/password", await SignInForm.TokenFromAsync(browser, "/account/password"), new()
        {
            ["_handler"] = "change-password",
            ["Input.Current"] = CloudHost.TestPassword,
            ["Input.New"] = "correct horse battery staple",
        });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(1, RenderedPage.CountTestId(await changed.Content.ReadAsStringAsync(Ct), "password-changed"));
    }
}
