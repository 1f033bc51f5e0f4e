using Diagnostics.Cloud.Broker;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using MQTTnet;

namespace Diagnostics.Cloud.Tests.Devices;

/// <summary>Devices enrolling a client certificate by signing request, and the broker taking it instead of a token.</summary>
public sealed class CertificateEnrollmentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task Request_with_the_enrollment_key_gets_a_certificate_naming_the_device_that_connects_and_delivers_without_a_token(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: DeviceTls.Enrollable(), engine: engine);
        var (key, csr) = DeviceTls.NewRequest("someone-else");
        using var _key = key;

        using var response = await DeviceTls.PostRequestAsync(host.CreateClient(), "cert-1", csr, DeviceTls.WithEnrollmentKey);
        var (certificate, token, body) = await DeviceTls.IssuedAsync(response, key);
        using var _certificate = certificate;

        // The CA decides the subject: the device id, whatever the request asked for.
        Assert.Equal("CN=cert-1", certificate.Subject);
        using var ca = X509Certificate2.CreateFromPem(body.GetProperty("caCertificate").GetString()!);
        Assert.Equal(ca.Subject, certificate.Issuer);
        Assert.False(string.IsNullOrEmpty(token), "a device the request registered gets its token (for HTTP), once");
        await using var device = await DeviceClient.ConnectAsync(host.BrokerTlsPort, "cert-1", token: null, tls: DeviceTls.Options(host.DevelopmentCaPath, certificate));
        var envelope = device.NewEnvelope(status: new DeviceStatus { State = DeviceState.Idle });
        await device.SendAsync(envelope);
        await device.WaitForAckAsync(envelope.Sequence);
        Assert.Equal([envelope.Sequence], await host.StoredSequencesAsync("cert-1"));
        Assert.Contains(await DeviceCredentialsTests.AuditAsync(host, "cert-1"), r => r.Action == CredentialAuditActions.CertificateIssued);
    }

    [Theory, BothEngines]
    public async Task Request_without_key_or_token_waits_for_an_admin_and_the_device_collects_its_certificate_once_approved(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (key, csr) = DeviceTls.NewRequest("held-1");
        using var _key = key;
        var device = host.CreateClient();

        using var held = await DeviceTls.PostRequestAsync(device, "held-1", csr);
        Assert.Equal(HttpStatusCode.Accepted, held.StatusCode);
        var location = held.Headers.Location!;
        using (var stillPending = await device.GetAsync(location, Ct))
            Assert.Equal(HttpStatusCode.Accepted, stillPending.StatusCode);
        using var admin = await host.SignedInClientAsync(AccountRole.Admin);
        using var pending = JsonDocument.Parse(await admin.GetStringAsync("/api/devices/certificate-requests", Ct));
        var request = Assert.Single(pending.RootElement.EnumerateArray());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(key.ExportSubjectPublicKeyInfo())), request.GetProperty("keyFingerprint").GetString());
        var requestId = request.GetProperty("requestId").GetString();

        using (var approved = await admin.PostAsync($"/api/devices/held-1/certificate/requests/{requestId}/approve", null, Ct))
            Assert.Equal(HttpStatusCode.NoContent, approved.StatusCode);
        using var collected = await device.GetAsync(location, Ct);
        var (certificate, token, _) = await DeviceTls.IssuedAsync(collected, key);
        using var _certificate = certificate;

        Assert.False(string.IsNullOrEmpty(token));
        await using (var connected = await DeviceClient.ConnectAsync(host.BrokerTlsPort, "held-1", null, tls: DeviceTls.Options(host.DevelopmentCaPath, certificate)))
            Assert.True(connected.IsConnected);
        // Collected again (an answer lost on the way): the same certificate, and the token is not shown twice.
        using var again = await device.GetAsync(location, Ct);
        var (same, noToken, _) = await DeviceTls.IssuedAsync(again, key);
        using var _same = same;
        Assert.Equal(certificate.Thumbprint, same.Thumbprint);
        Assert.Null(noToken);
    }

    [Theory, BothEngines]
    public async Task A_declined_request_is_refused_and_a_second_request_cannot_replace_a_waiting_one(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (key, csr) = DeviceTls.NewRequest("held-2");
        var (otherKey, otherCsr) = DeviceTls.NewRequest("held-2");
        using var _keys = key;
        using var _otherKeys = otherKey;
        var device = host.CreateClient();
        using var held = await DeviceTls.PostRequestAsync(device, "held-2", csr);

        using var swap = await DeviceTls.PostRequestAsync(device, "held-2", otherCsr);
        Assert.Equal(HttpStatusCode.Conflict, swap.StatusCode);

        using var admin = await host.SignedInClientAsync(AccountRole.Admin);
        var requestId = held.Headers.Location!.ToString().Split('/')[^1];
        (await admin.PostAsync($"/api/devices/held-2/certificate/requests/{requestId}/decline", null, Ct)).Dispose();
        using var collected = await device.GetAsync(held.Headers.Location, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, collected.StatusCode);
        using var unknown = await device.GetAsync("/api/devices/held-2/certificate/requests/0123456789abcdef0123456789abcdef", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory, BothEngines]
    public async Task A_request_not_signed_by_its_own_key_is_refused(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: DeviceTls.Enrollable(), engine: engine);
        var (key, csr) = DeviceTls.NewRequest("forged-1");
        using var _key = key;
        // Flip one bit of the signature (the last bytes of the DER): the request no longer proves the key is held.
        var der = PemEncoding.Find(csr) is var fields ? Convert.FromBase64String(csr[fields.Base64Data]) : [];
        der[^1] ^= 0x01;
        var forged = PemEncoding.WriteString("CERTIFICATE REQUEST", der);

        using var response = await DeviceTls.PostRequestAsync(host.CreateClient(), "forged-1", forged, DeviceTls.WithEnrollmentKey);
        using var garbage = await DeviceTls.PostRequestAsync(host.CreateClient(), "forged-1", "not a request", DeviceTls.WithEnrollmentKey);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Empty(await DeviceCredentialsTests.AuditAsync(host, "forged-1"));
    }

    [Theory, BothEngines]
    public async Task Enrollment_key_does_not_take_over_a_registered_device_but_its_own_token_gets_it_a_certificate(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: DeviceTls.Enrollable(), engine: engine);
        var token = await host.RegisterAsync("taken-1");
        var (key, csr) = DeviceTls.NewRequest("taken-1");
        using var _key = key;

        using var takeover = await DeviceTls.PostRequestAsync(host.CreateClient(), "taken-1", csr, DeviceTls.WithEnrollmentKey);
        using var wrongToken = await DeviceTls.PostRequestAsync(host.CreateClient(), "taken-1", csr, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token"));
        using var own = await DeviceTls.PostRequestAsync(host.CreateClient(), "taken-1", csr, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token));

        Assert.Equal(HttpStatusCode.Conflict, takeover.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        var (certificate, newToken, _) = await DeviceTls.IssuedAsync(own, key);
        using var _certificate = certificate;
        Assert.Null(newToken);
        // With a certificate, the token alone no longer opens the broker, nor mints another certificate: the same request
        // sent again (its answer lost) gets the same certificate, a request for another key is refused.
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await DeviceCredentialsTests.ConnectRefusedAsync(host.BrokerPort, "taken-1", token));
        using var again = await DeviceTls.PostRequestAsync(host.CreateClient(), "taken-1", csr, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token));
        var (sameCertificate, _, _) = await DeviceTls.IssuedAsync(again, key);
        using var _sameCertificate = sameCertificate;
        Assert.Equal(certificate.SerialNumber, sameCertificate.SerialNumber);
        var (otherKey, otherCsr) = DeviceTls.NewRequest("taken-1");
        using var _otherKey = otherKey;
        using var second = await DeviceTls.PostRequestAsync(host.CreateClient(), "taken-1", otherCsr, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Single(await DeviceCredentialsTests.AuditAsync(host, "taken-1"), r => r.Action == CredentialAuditActions.CertificateIssued);
    }

    [Theory, BothEngines]
    public async Task Broker_refuses_a_certificate_another_CA_signed_for_the_device_and_one_presented_for_another_client_id(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: DeviceTls.Enrollable(), engine: engine);
        var (genuine, _) = await DeviceTls.EnrollAsync(host, "mtls-1");
        using var _genuine = genuine;
        using var rogueCa = TestPki.Authority("Rogue CA");
        using var forged = TestPki.Client(rogueCa, "mtls-1");

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized,
            await DeviceCredentialsTests.ConnectRefusedAsync(host.BrokerTlsPort, "mtls-1", null, DeviceTls.Options(host.DevelopmentCaPath, forged)));
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid,
            await DeviceCredentialsTests.ConnectRefusedAsync(host.BrokerTlsPort, "mtls-2", null, DeviceTls.Options(host.DevelopmentCaPath, genuine)));
        Assert.True(host.Logged(BrokerEventIds.AuthRefused, "does not chain to the device CA")
            || host.Logged(BrokerEventIds.AuthRefused, "not valid under the device CA"), "the refusal says why");
    }
}
