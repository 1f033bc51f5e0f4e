using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Diagnostics.Cloud.Tests.Web;

/// <summary>The cloud process serving HTTPS from its <c>Urls</c> with the development certificate of its first start.</summary>
public sealed class HttpsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Https_answers_with_HSTS_and_a_Secure_sign_in_cookie_while_plain_HTTP_gets_neither_and_is_announced_as_plain()
    {
        var httpPort = FreePort.Next();
        var httpsPort = FreePort.Next();
        await using var cloud = await CloudProcess.StartAsync(Ct, httpPort: httpPort,
            extraArguments: ["--urls", $"http://127.0.0.1:{httpPort};https://127.0.0.1:{httpsPort}"]);
        using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(cloud.DataDirectory, "certificates", "dev-ca.crt"));
        var presented = new List<X509Certificate2>();
        using var https = new HttpClient(new SocketsHttpHandler
        {
            UseCookies = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors, ca, presented) },
        })
        { BaseAddress = new Uri($"https://127.0.0.1:{httpsPort}/") };
        using var plain = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };

        using var overTls = await SignInAsync(https);
        using var overPlain = await SignInAsync(plain);

        Assert.Equal(HttpStatusCode.OK, overTls.StatusCode);
        Assert.NotEmpty(presented);
        // RFC 6797: max-age in seconds; a year.
        Assert.Equal("max-age=31536000", Assert.Single(overTls.Headers.GetValues("Strict-Transport-Security")));
        var cookie = Assert.Single(overTls.Headers.GetValues("Set-Cookie"), c => c.StartsWith("dx.auth=", StringComparison.Ordinal));
        Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; httponly", cookie, StringComparison.OrdinalIgnoreCase);

        Assert.Equal(HttpStatusCode.OK, overPlain.StatusCode);
        Assert.False(overPlain.Headers.Contains("Strict-Transport-Security"), "HSTS is only ever sent over HTTPS (RFC 6797 7.2)");
        var plainCookie = Assert.Single(overPlain.Headers.GetValues("Set-Cookie"), c => c.StartsWith("dx.auth=", StringComparison.Ordinal));
        Assert.DoesNotContain("; secure", plainCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(cloud.Process.Output, line => line.Contains("PLAIN, UNENCRYPTED HTTP", StringComparison.Ordinal) && line.Contains($"http://127.0.0.1:{httpPort}", StringComparison.Ordinal));
    }

    /// <summary>The demo admin signs in; sent for a host name that is not loopback, which HSTS leaves out on purpose.</summary>
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/auth/login")
        {
            Content = JsonContent.Create(new { email = CloudProcess.AdminEmail, password = CloudProcess.DemoPassword }),
        };
        request.Headers.Host = "diagnostics.example";
        return await client.SendAsync(request, Ct);
    }

    /// <summary>Chains to the development CA; the name differs only because the request names another host on purpose.</summary>
    private static bool Trusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 ca, List<X509Certificate2> presented)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            return false;
        var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        presented.Add(server);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server) && server.MatchesHostname("127.0.0.1");
    }
}
