using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Diagnostics.Agent.Uplink;
using MQTTnet;

namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>A device's side of TLS and certificate enrollment, done the way the agent does it.</summary>
public static class DeviceTls
{
    public const string EnrollmentKey = "test-enrollment-key";

    /// <summary>Settings for a host whose devices may enroll with <see cref="EnrollmentKey"/>.</summary>
    public static Dictionary<string, string?> Enrollable(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Devices:EnrollmentKey"] = EnrollmentKey };
        foreach (var (key, value) in more)
            settings[key] = value;
        return settings;
    }

    /// <summary>TLS as the agent speaks it: the broker checked against <paramref name="caPath"/>, optionally a client certificate.</summary>
    public static MqttClientTlsOptions Options(string caPath, X509Certificate2? clientCertificate = null) =>
        BrokerTls.Build(new BrokerOptions { Host = "127.0.0.1", UseTls = true, CaCertificatePath = caPath }, clientCertificate);

    /// <summary>A new P-256 key and its signing request (PEM) with subject <c>CN={commonName}</c>.</summary>
    public static (ECDsa Key, string Csr) NewRequest(string commonName)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (key, new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256).CreateSigningRequestPem());
    }

    /// <summary>Posts a signing request; <paramref name="authenticate"/> adds the enrollment key or a token.</summary>
    public static async Task<HttpResponseMessage> PostRequestAsync(HttpClient http, string deviceId, string csr, Action<HttpRequestMessage>? authenticate = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/devices/{deviceId}/certificate")
        {
            Content = JsonContent.Create(new { csr, model = "TLS model" }),
        };
        authenticate?.Invoke(request);
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static void WithEnrollmentKey(HttpRequestMessage request) => request.Headers.Add("X-Enrollment-Key", EnrollmentKey);

    /// <summary>The certificate in a <c>201</c> answer, joined with the key it was asked for; and the token when one came with it.</summary>
    public static async Task<(X509Certificate2 Certificate, string? Token, JsonElement Body)> IssuedAsync(HttpResponseMessage response, ECDsa key)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement.Clone();
        using var certificate = X509Certificate2.CreateFromPem(body.GetProperty("certificate").GetString()!);
        using var withKey = certificate.CopyWithPrivateKey(key);
        var usable = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        var token = body.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        return (usable, token, body);
    }

    /// <summary>Enrolls a new device with the enrollment key: its certificate (with key) and the token issued with it.</summary>
    public static async Task<(X509Certificate2 Certificate, string Token)> EnrollAsync(CloudHost host, string deviceId)
    {
        ArgumentNullException.ThrowIfNull(host);
        var (key, csr) = NewRequest(deviceId);
        using (key)
        {
            using var response = await PostRequestAsync(host.CreateClient(), deviceId, csr, WithEnrollmentKey);
            var (certificate, token, _) = await IssuedAsync(response, key);
            return (certificate, token!);
        }
    }
}
