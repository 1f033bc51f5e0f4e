using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;

namespace Diagnostics.Cloud.Tests.Accounts;

public sealed class AccountsCliTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task Add_creates_an_account_with_the_password_from_standard_input_that_then_signs_in(StorageProvider engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine);
        using var output = new StringWriter();

        var exit = await AccountsCli.RunAsync(
            ["accounts", "add", "--email", "root@example.com", "--role", "admin", "--name", "Root", .. database.CliArguments],
            new StringReader("first-admin-password\n"), output, TextWriter.Null, Ct);

        Assert.Equal(0, exit);
        Assert.Contains("root@example.com (Admin)", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("first-admin-password", output.ToString(), StringComparison.Ordinal);
        await using var host = new CloudHost(database: database);
        using var signIn = await host.CreateClient().PostAsJsonAsync("/api/auth/login", new { email = "root@example.com", password = "first-admin-password" }, Ct);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
    }

    [Theory]
    [InlineData("short", "at least 10 characters")]
    [InlineData("", "at least 10 characters")]
    public async Task Add_refuses_a_weak_password(string password, string message)
    {
        using var error = new StringWriter();

        var exit = await AccountsCli.RunAsync(
            ["accounts", "add", "--email", "x@example.com", "--role", "agent", $"--Storage:Path={CloudHost.TempDatabasePath()}"],
            new StringReader(password), TextWriter.Null, error, Ct);

        Assert.Equal(1, exit);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("accounts")]
    [InlineData("accounts add --email a@example.com --role wizard")]
    [InlineData("accounts add --role admin")]
    public async Task Wrong_usage_prints_the_usage(string commandLine)
    {
        using var error = new StringWriter();

        var exit = await AccountsCli.RunAsync(commandLine.Split(' '), new StringReader("a-long-enough-password"), TextWriter.Null, error, Ct);

        Assert.Equal(2, exit);
        Assert.StartsWith("usage: accounts add", error.ToString(), StringComparison.Ordinal);
    }
}
