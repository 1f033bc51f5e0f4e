using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Web;
using Diagnostics.Testing;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Diagnostics.Cloud.Tests.Accounts;

/// <summary>"Forgot password" against a real SMTP server: Python's aiosmtpd, storing what it receives in a Maildir.</summary>
public sealed partial class PasswordResetTests
{
    private const string PublicUrl = "https://diagnostics.example.net";
    private const string NewPassword = "violet kettle harbour 42";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task A_mailed_link_sets_a_new_password_once_and_points_at_the_configured_address_not_the_request_host(StorageProvider engine)
    {
        await using var smtp = await SmtpSink.StartAsync();
        await using var host = new CloudHost(settings: smtp.Settings(), engine: engine);
        await host.Services.GetRequiredService<AccountService>().CreateAsync("pat@example.com", "Pat", AccountRole.Customer, CloudHost.TestPassword, Ct);
        var http = host.CreateClient();

        using var asked = new HttpRequestMessage(HttpMethod.Post, "/api/auth/password-reset") { Content = JsonContent.Create(new { email = "PAT@example.com" }) };
        asked.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(asked, Ct)).StatusCode);

        var mail = Assert.Single(await smtp.WaitForMailsAsync(1));
        Assert.Equal("pat@example.com", Assert.Single(mail.To.Mailboxes).Address);
        Assert.Equal("no-reply@example.net", Assert.Single(mail.From.Mailboxes).Address);
        var link = new Uri(LinkPattern().Match(mail.TextBody ?? "").Value);
        Assert.Equal(new Uri(PublicUrl).Host, link.Host);
        var token = System.Web.HttpUtility.ParseQueryString(link.Query)["token"];
        Assert.False(string.IsNullOrEmpty(token));

        var page = await RenderedPage.GetPageAsync(http, link.PathAndQuery);
        Assert.Equal(1, RenderedPage.CountTestId(page, "reset-new-password"));

        // A weak password is refused and the link stays usable.
        using var weak = await http.PostAsJsonAsync("/api/auth/password-reset/confirm", new { token, newPassword = "password" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        using var reset = await http.PostAsJsonAsync("/api/auth/password-reset/confirm", new { token, newPassword = NewPassword }, Ct);
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/auth/login", new { email = "pat@example.com", password = NewPassword }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.CreateClient().PostAsJsonAsync("/api/auth/login", new { email = "pat@example.com", password = CloudHost.TestPassword }, Ct)).StatusCode);

        // Used once: the same link again sets nothing, and its page says so.
        using var again = await http.PostAsJsonAsync("/api/auth/password-reset/confirm", new { token, newPassword = "another fine long phrase" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal(1, RenderedPage.CountTestId(await RenderedPage.GetPageAsync(http, link.PathAndQuery), "reset-invalid"));
    }

    [Theory, BothEngines]
    public async Task Unknown_addresses_get_the_same_answer_and_no_mail_and_a_second_ask_within_a_minute_sends_nothing(StorageProvider engine)
    {
        await using var smtp = await SmtpSink.StartAsync();
        await using var host = new CloudHost(settings: smtp.Settings(), engine: engine);
        var accounts = host.Services.GetRequiredService<AccountService>();
        await accounts.CreateAsync("pat@example.com", "Pat", AccountRole.Customer, CloudHost.TestPassword, Ct);
        await accounts.CreateAsync("kim@example.com", "Kim", AccountRole.Agent, CloudHost.TestPassword, Ct);
        var http = host.CreateClient();

        foreach (var email in new[] { "nobody@example.com", "pat@example.com", "pat@example.com", "not an address", "kim@example.com" })
            Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsJsonAsync("/api/auth/password-reset", new { email }, Ct)).StatusCode);

        // Mails go out in the order asked: once Kim's (the last) is in, any mail for the others would be too.
        var mails = await smtp.WaitForMailsAsync(2);
        Assert.Equal(["kim@example.com", "pat@example.com"], mails.Select(m => m.To.Mailboxes.Single().Address).Order(StringComparer.Ordinal).ToArray());
    }

    [Theory, BothEngines]
    public async Task Without_a_mail_server_the_sign_in_page_offers_no_reset_and_the_api_says_it_is_off(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = host.CreateClient();

        var login = await RenderedPage.GetPageAsync(http, "/account/login");
        Assert.Equal(1, RenderedPage.CountTestId(login, "product-header"));
        Assert.Equal(0, RenderedPage.CountTestId(login, "forgot-password"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("/api/auth/password-reset", new { email = "pat@example.com" }, Ct)).StatusCode);
        Assert.Equal(1, RenderedPage.CountTestId(await RenderedPage.GetPageAsync(http, "/account/forgot-password"), "reset-off"));
    }

    [Theory, BothEngines]
    public async Task With_a_mail_server_the_sign_in_page_links_to_the_reset_form(StorageProvider engine)
    {
        await using var smtp = await SmtpSink.StartAsync();
        await using var host = new CloudHost(settings: smtp.Settings(), engine: engine);
        var http = host.CreateClient();

        var login = await RenderedPage.GetPageAsync(http, "/account/login");
        Assert.Equal(1, RenderedPage.CountTestId(login, "forgot-password"));
        Assert.Equal(1, RenderedPage.CountTestId(await RenderedPage.GetPageAsync(http, "/account/forgot-password"), "reset-email"));
        Assert.Equal(1, RenderedPage.CountTestId(await RenderedPage.GetPageAsync(http, "/account/reset?token=not-a-token"), "reset-invalid"));
    }

    [GeneratedRegex(@"https://\S+")]
    private static partial Regex LinkPattern();

    /// <summary>aiosmtpd on a free loopback port, keeping each message it receives as a file in a Maildir.</summary>
    private sealed class SmtpSink : IAsyncDisposable
    {
        private readonly ChildProcess _process;
        private readonly string _maildir;

        private SmtpSink(ChildProcess process, string maildir, int port) => (_process, _maildir, Port) = (process, maildir, port);

        public int Port { get; }

        public static async Task<SmtpSink> StartAsync()
        {
            var aiosmtpd = ExternalTools.Require("aiosmtpd", "apt-get install python3-aiosmtpd");
            var maildir = Path.Combine(Path.GetTempPath(), $"dx-mail-{Guid.NewGuid():N}");
            var port = FreePort.Next();
            var process = ChildProcess.StartExecutable("aiosmtpd", aiosmtpd, ["-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", maildir]);
            var sink = new SmtpSink(process, maildir, port);
            await Eventually.TrueAsync(async () => !process.HasExited && await AcceptsAsync(port), $"aiosmtpd listening on {port}");
            return sink;
        }

        public Dictionary<string, string?> Settings() => new()
        {
            ["Mail:SmtpHost"] = "127.0.0.1",
            ["Mail:SmtpPort"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mail:Security"] = "None",
            ["Mail:From"] = "Diagnostics <no-reply@example.net>",
            ["Mail:PublicUrl"] = PublicUrl,
        };

        public async Task<IReadOnlyList<MimeMessage>> WaitForMailsAsync(int count)
        {
            var folder = Path.Combine(_maildir, "new");
            await Eventually.TrueAsync(() => Directory.Exists(folder) && Directory.GetFiles(folder).Length >= count, $"{count} mail(s) in {folder}");
            return [.. Directory.GetFiles(folder).OrderBy(File.GetLastWriteTimeUtc).Select(file => MimeMessage.Load(file))];
        }

        private static async Task<bool> AcceptsAsync(int port)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port, Ct);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _process.StopAsync(TimeSpan.FromSeconds(5));
            await _process.DisposeAsync();
            if (Directory.Exists(_maildir))
                Directory.Delete(_maildir, recursive: true);
        }
    }
}
