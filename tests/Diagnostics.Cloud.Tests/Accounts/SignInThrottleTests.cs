using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Cloud.Tests.Accounts;

/// <summary>
/// Guessing passwords, as an attacker does it: through the sign-in form and the API, from many addresses at one
/// account and from one address at many accounts. The cloud is served over real TCP and each client connects from its
/// own loopback address, so the throttle counts the addresses the server really sees; time is a fake clock.
/// Defaults: 5 failures lock an account, 20 lock an address, first lock 60 s, doubling, at most 15 minutes.
/// </summary>
public sealed class SignInThrottleTests
{
    private const string Email = "pat@example.com";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task The_form_locks_an_account_guessed_from_many_addresses_with_retry_after_and_unlocks_when_the_time_has_passed(StorageProvider engine)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55));
        await using var host = new CloudHost(time: time, engine: engine);
        var server = host.ServeOverTcp();
        await CreateAsync(host, Email);

        for (var i = 1; i <= 5; i++)
        {
            using var guess = await SignInForm.SignInAsync(LoopbackClients.From($"127.0.0.{10 + i}", server), Email, $"wrong-guess-{i}");
            Assert.Equal(HttpStatusCode.OK, guess.StatusCode);
            Assert.Contains("data-testid=\"sign-in-error\"", await guess.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // Even the right password, from yet another address: the account is locked, not the addresses.
        var owner = LoopbackClients.From("127.0.0.30", server);
        using (var locked = await SignInForm.SignInAsync(owner, Email, CloudHost.TestPassword))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(60), locked.Headers.RetryAfter?.Delta);
            var html = await locked.Content.ReadAsStringAsync(Ct);
            Assert.Contains("data-testid=\"sign-in-throttled\"", html, StringComparison.Ordinal);
            Assert.Contains("wait 1 minute", html, StringComparison.Ordinal);
        }

        time.Advance(TimeSpan.FromSeconds(59));
        using (var stillLocked = await SignInForm.SignInAsync(owner, Email, CloudHost.TestPassword))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, stillLocked.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), stillLocked.Headers.RetryAfter?.Delta);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        using var signedIn = await SignInForm.SignInAsync(owner, Email, CloudHost.TestPassword);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
    }

    [Theory, BothEngines]
    public async Task The_form_locks_an_address_that_guesses_at_many_accounts_while_other_addresses_still_sign_in(StorageProvider engine)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55));
        await using var host = new CloudHost(time: time, engine: engine);
        var server = host.ServeOverTcp();
        await CreateAsync(host, Email);
        var attacker = LoopbackClients.From("127.0.0.40", server);

        for (var i = 1; i <= 20; i++)
        {
            using var guess = await SignInForm.SignInAsync(attacker, $"victim-{i}@example.com", "password-guess");
            Assert.Equal(HttpStatusCode.OK, guess.StatusCode);
        }

        using (var locked = await SignInForm.SignInAsync(attacker, Email, CloudHost.TestPassword))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(60), locked.Headers.RetryAfter?.Delta);
        }
        using var elsewhere = await SignInForm.SignInAsync(LoopbackClients.From("127.0.0.41", server), Email, CloudHost.TestPassword);
        Assert.Equal(HttpStatusCode.Redirect, elsewhere.StatusCode);
    }

    [Theory, BothEngines]
    public async Task The_api_answers_429_with_problem_details_and_each_failure_after_the_lock_doubles_it_up_to_the_longest(StorageProvider engine)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55));
        await using var host = new CloudHost(time: time, engine: engine);
        var server = host.ServeOverTcp();
        await CreateAsync(host, Email);
        var attacker = LoopbackClients.From("127.0.0.50", server);

        for (var i = 1; i <= 4; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await ApiSignInAsync(attacker, Email, $"wrong-{i}"));
        var observed = new List<int>();
        for (var round = 0; round < 6; round++)
        {
            // The failure that reaches (or follows) the threshold is still checked and answered 401; the next is refused.
            Assert.Equal(HttpStatusCode.Unauthorized, await ApiSignInAsync(attacker, Email, $"wrong-round-{round}"));
            using var refused = await attacker.PostAsJsonAsync("/api/auth/login", new { email = Email, password = CloudHost.TestPassword }, Ct);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct));
            Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Contains("Too many failed sign-ins", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            var wait = (int)refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
            observed.Add(wait);
            time.Advance(TimeSpan.FromSeconds(wait));
        }

        Assert.Equal([60, 120, 240, 480, 900, 900], observed);
    }

    [Theory, BothEngines]
    public async Task The_form_and_the_api_count_against_one_throttle(StorageProvider engine)
    {
        await using var host = new CloudHost(time: new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55)), engine: engine);
        var server = host.ServeOverTcp();
        await CreateAsync(host, Email);

        for (var i = 1; i <= 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await ApiSignInAsync(LoopbackClients.From($"127.0.0.{60 + i}", server), Email, $"api-{i}"));
        for (var i = 1; i <= 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await SignInForm.SignInAsync(LoopbackClients.From($"127.0.0.{70 + i}", server), Email, $"form-{i}")).StatusCode);

        Assert.Equal(HttpStatusCode.TooManyRequests, await ApiSignInAsync(LoopbackClients.From("127.0.0.80", server), Email, CloudHost.TestPassword));
    }

    [Theory, BothEngines]
    public async Task A_burst_of_parallel_guesses_gets_no_more_tries_than_the_threshold(StorageProvider engine)
    {
        await using var host = new CloudHost(time: new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55)), engine: engine);
        var server = host.ServeOverTcp();
        await CreateAsync(host, Email);

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            ApiSignInAsync(LoopbackClients.From($"127.0.1.{i + 1}", server), Email, $"parallel-{i}")));

        Assert.Equal(5, answers.Count(a => a == HttpStatusCode.Unauthorized));
        Assert.Equal(35, answers.Count(a => a == HttpStatusCode.TooManyRequests));
    }

    [Theory, BothEngines]
    public async Task A_right_password_clears_the_accounts_failures_but_not_the_addresss(StorageProvider engine)
    {
        await using var host = new CloudHost(time: new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55)), engine: engine);
        var server = host.ServeOverTcp();
        await CreateAsync(host, Email);
        var client = LoopbackClients.From("127.0.0.90", server);

        for (var round = 0; round < 3; round++)
        {
            for (var i = 1; i <= 4; i++)
                Assert.Equal(HttpStatusCode.Unauthorized, await ApiSignInAsync(client, Email, $"typo-{round}-{i}"));
            Assert.Equal(HttpStatusCode.OK, await ApiSignInAsync(client, Email, CloudHost.TestPassword));
        }

        // 12 failures from this address so far; 8 more at other accounts lock it, the account's own count being clear.
        for (var i = 1; i <= 8; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await ApiSignInAsync(client, $"other-{i}@example.com", "guess-guess"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await ApiSignInAsync(client, Email, CloudHost.TestPassword));
    }

    [Theory, BothEngines]
    public async Task X_forwarded_for_names_the_client_only_when_the_connection_comes_from_a_configured_proxy(StorageProvider engine)
    {
        await using var host = new CloudHost(
            settings: new Dictionary<string, string?> { ["ReverseProxy:KnownProxies:0"] = "127.0.0.100" },
            time: new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55)), engine: engine);
        var server = host.ServeOverTcp();
        await CreateAsync(host, Email);
        var proxy = LoopbackClients.From("127.0.0.100", server);
        var stranger = LoopbackClients.From("127.0.0.101", server);

        // Through the trusted proxy, one real client guesses at 20 accounts: that client is locked, not the proxy.
        for (var i = 1; i <= 20; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await ApiSignInAsync(proxy, $"victim-{i}@example.com", "guess-guess", forwardedFor: "198.51.100.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await ApiSignInAsync(proxy, Email, CloudHost.TestPassword, forwardedFor: "198.51.100.7"));
        Assert.Equal(HttpStatusCode.OK, await ApiSignInAsync(proxy, Email, CloudHost.TestPassword, forwardedFor: "198.51.100.8"));

        // From anywhere else the header is just text: a new one on every guess does not make a new client.
        for (var i = 1; i <= 20; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await ApiSignInAsync(stranger, $"victim-{i}@example.com", "guess-guess", forwardedFor: $"203.0.113.{i}"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await ApiSignInAsync(stranger, Email, CloudHost.TestPassword, forwardedFor: "203.0.113.99"));
    }

    [Fact]
    public void An_ipv6_client_is_counted_by_its_64_prefix_and_a_mapped_ipv4_by_its_address()
    {
        Assert.Equal(SignInThrottle.AddressKey(IPAddress.Parse("2001:db8:1:2:aaaa::1")), SignInThrottle.AddressKey(IPAddress.Parse("2001:db8:1:2:bbbb::9")));
        Assert.NotEqual(SignInThrottle.AddressKey(IPAddress.Parse("2001:db8:1:2::1")), SignInThrottle.AddressKey(IPAddress.Parse("2001:db8:1:3::1")));
        Assert.Equal(SignInThrottle.AddressKey(IPAddress.Parse("192.0.2.1")), SignInThrottle.AddressKey(IPAddress.Parse("::ffff:192.0.2.1")));
    }

    [Theory, BothEngines]
    public async Task Stored_failures_are_deleted_once_forgotten_when_guesses_come_at_ever_new_accounts_and_addresses(StorageProvider engine)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55));
        await using var host = new CloudHost(time: time, engine: engine);
        var throttle = host.Services.GetRequiredService<SignInThrottle>();
        var counters = host.Services.GetRequiredService<AttemptCounters>();

        for (var i = 0; i < 50; i++)
            Assert.Null(await throttle.TryBeginAsync($"spray-{i}@example.com", new IPAddress(0x0A000000 + i), Ct));
        Assert.Equal(100, await counters.CountKeysAsync(throttle.Policy, Ct));

        // An hour without a failure (SignInThrottle:ForgetAfter): the next attempt's instance deletes the forgotten rows.
        time.Advance(TimeSpan.FromHours(1));
        Assert.Null(await throttle.TryBeginAsync("late@example.com", IPAddress.Parse("10.9.9.9"), Ct));
        Assert.Equal(2, await counters.CountKeysAsync(throttle.Policy, Ct));
    }

    private static async Task CreateAsync(CloudHost host, string email)
    {
        var (_, error) = await host.Services.GetRequiredService<AccountService>().CreateAsync(email, "Pat", AccountRole.Agent, CloudHost.TestPassword, Ct);
        Assert.Equal(AccountCreationError.None, error);
    }

    private static async Task<HttpStatusCode> ApiSignInAsync(HttpClient client, string email, string password, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { email, password }) };
        if (forwardedFor is not null)
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }
}
