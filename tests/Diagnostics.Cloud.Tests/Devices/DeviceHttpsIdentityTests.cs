using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Cloud.Devices;
using Microsoft.Extensions.DependencyInjection;
using AgentCredentials = Diagnostics.Agent.Provisioning.DeviceCredentials;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using AgentBroker = Diagnostics.Agent.Uplink.BrokerOptions;

namespace Diagnostics.Cloud.Tests.Devices;

/// <summary>
/// A device proving itself on the cloud's HTTPS by its client certificate (mutual TLS), with no token: the routes made
/// for devices take it as the broker does, and refuse another device's, a foreign CA's and a revoked one.
/// </summary>
public sealed class DeviceHttpsIdentityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A route that answers 404 "No such offer" to its device and 401 to anyone else: who is asking is all it shows.
    private static string PayloadOf(string deviceId) => $"api/devices/{deviceId}/updates/packages/no-such-package/payload";

    [Theory, BothEngines]
    public async Task A_device_fetches_its_own_payload_route_by_its_certificate_alone_and_nothing_else_gets_through(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: DeviceTls.Enrollable(), engine: engine);
        var cloud = ServeOverHttps(host);
        var (device, token) = await EnrollAsync(cloud, host.DevelopmentCaPath, "mtls-1");
        var (other, _) = await EnrollAsync(cloud, host.DevelopmentCaPath, "mtls-2");
        var trust = new AgentBroker { Host = "127.0.0.1", UseTls = true, CaCertificatePath = host.DevelopmentCaPath };
        using var agentHttp = CloudHttp.WithClientCertificate(device, trust, TimeSpan.FromSeconds(30));
        agentHttp.BaseAddress = cloud;

        // The agent sends no token to an HTTPS cloud once it holds a certificate; over plain HTTP it must.
        var credentials = new AgentCredentials("mtls-1", token) { Certificate = device };
        Assert.Null(credentials.BearerTokenFor(cloud));
        Assert.Equal(token, credentials.BearerTokenFor(new Uri($"http://127.0.0.1:{cloud.Port}/")));

        // Its own route: through (404 is the route's answer for a package not offered), with no token sent.
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(agentHttp, PayloadOf("mtls-1")));
        // A certificate names one device: another device's route stays shut.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(agentHttp, PayloadOf("mtls-2")));
        // A certificate that is presented and fails is not rescued by a token sent beside it.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(agentHttp, PayloadOf("mtls-2"), bearer: token));

        // Without a certificate: nothing gets nowhere, the token still works (plain development HTTP needs it).
        using var noCertificate = Client(cloud, host.DevelopmentCaPath, certificate: null);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(noCertificate, PayloadOf("mtls-1")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(noCertificate, PayloadOf("mtls-1"), bearer: token));

        // A certificate naming the device but made by another CA.
        using var forged = ForgedCertificate("mtls-1");
        using var forgedHttp = Client(cloud, host.DevelopmentCaPath, forged);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(forgedHttp, PayloadOf("mtls-1")));

        // Certificate enrollment knows the device by its certificate too: it is told it renews over MQTT (409), where a
        // caller the cloud does not recognise is refused (401).
        using var otherHttp = CloudHttp.WithClientCertificate(other, trust, TimeSpan.FromSeconds(30));
        otherHttp.BaseAddress = cloud;
        var (key, csr) = DeviceTls.NewRequest("mtls-2");
        using (key)
        {
            using var known = await DeviceTls.PostRequestAsync(otherHttp, "mtls-2", csr);
            Assert.Equal(HttpStatusCode.Conflict, known.StatusCode);
            Assert.Contains("renews over MQTT", await known.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            using var stranger = await DeviceTls.PostRequestAsync(agentHttp, "mtls-2", csr);
            Assert.Equal(HttpStatusCode.Unauthorized, stranger.StatusCode);
        }

        // Revoked: the same, still unexpired certificate is refused from the next request on, on the same connection.
        Assert.True(await host.Services.GetRequiredService<DeviceRegistry>().RevokeAsync("mtls-1", "test", Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(agentHttp, PayloadOf("mtls-1")));
    }

    private static Uri ServeOverHttps(CloudHost host)
    {
        var port = FreePort.Next();
        host.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps()));
        host.StartServer();
        return new Uri($"https://127.0.0.1:{port}/");
    }

    /// <summary>Enrolls as the agent does (its files in a data folder of its own) and returns its certificate and token.</summary>
    private static async Task<(DeviceCertificate Certificate, string Token)> EnrollAsync(Uri cloud, string caPath, string deviceId)
    {
        using var http = Client(cloud, caPath, certificate: null);
        var enrollment = new HttpCertificateEnrollment(http, cloud, DeviceTls.EnrollmentKey, "", TimeProvider.System, NullLogger.Instance);
        var (certificate, token) = await enrollment.LoadOrEnrollAsync(TestAgent.NewDirectory(), deviceId, "TLS model", Ct);
        return (certificate, token!);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string path, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await http.SendAsync(request, Ct);
        return response.StatusCode;
    }

    /// <summary>A client that trusts the development CA and shows <paramref name="certificate"/>, if any.</summary>
    private static HttpClient Client(Uri cloud, string caPath, X509Certificate2? certificate)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(caPath);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return presented is not null && chain.Build(X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
        };
        if (certificate is not null)
            handler.SslOptions.ClientCertificates = [certificate];
        return new HttpClient(handler) { BaseAddress = cloud };
    }

    /// <summary>A client certificate for <paramref name="deviceId"/> (client-auth usage, valid now) from a CA of our own making.</summary>
    private static X509Certificate2 ForgedCertificate(string deviceId)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Not the device CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={deviceId}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issued = request.Create(ca, now.AddHours(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(12));
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
