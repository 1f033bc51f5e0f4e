using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Certificates;
using CredentialAuditActions = Diagnostics.Cloud.Devices.CredentialAuditActions;
using DevicesEventIds = Diagnostics.Cloud.Devices.DevicesEventIds;
using IDeviceCredentialStore = Diagnostics.Cloud.Devices.IDeviceCredentialStore;
using Diagnostics.Protocol;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using AgentBroker = Diagnostics.Agent.Uplink.BrokerOptions;

namespace Diagnostics.Cloud.Tests.Devices;

/// <summary>The agent enrolling over HTTP and renewing its certificate over MQTT by itself, against the real cloud.</summary>
public sealed class CertificateRenewalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task Agent_renews_its_certificate_at_two_thirds_of_its_lifetime_and_reconnects_with_it_without_losing_a_message(StorageProvider engine)
    {
        // Six-second certificates: the renewal comes about four seconds in.
        await using var host = new CloudHost(settings: DeviceTls.Enrollable(("Certificates:DeviceCertificateLifetime", "00:00:06")), engine: engine);
        var directory = TestAgent.NewDirectory();
        var http = host.CreateClient();
        var enrollment = new HttpCertificateEnrollment(http, http.BaseAddress!, DeviceTls.EnrollmentKey, "", TimeProvider.System, NullLogger.Instance);
        var (certificate, token) = await enrollment.LoadOrEnrollAsync(directory, "renew-1", "TLS model", Ct);
        var first = certificate.Current;
        var renewAt = certificate.RenewAt;
        Assert.Equal(new DateTimeOffset(first.NotBefore.ToUniversalTime()) + (first.NotAfter - first.NotBefore) * 2 / 3, renewAt);
        await using var agent = TestAgent.Start(new DeviceCredentials("renew-1", token!) { Certificate = certificate },
            new AgentBroker { Port = host.BrokerTlsPort, UseTls = true, CaCertificatePath = host.DevelopmentCaPath }, directory);

        // Messages keep coming before, during and after the renewal; each batch is acknowledged before the next.
        var sent = new List<ulong>();
        while (agent.Uplink.CertificateRenewals == 0 || agent.Uplink.Connects < 2)
        {
            Assert.True(DateTimeOffset.UtcNow < first.NotAfter.ToUniversalTime() + TimeSpan.FromSeconds(10), "the renewal came in time");
            sent.AddRange(await agent.EnqueueEventsAsync(5));
            await Eventually.TrueAsync(() => agent.Outbox.Depth == 0, "the batch is acknowledged", TimeSpan.FromSeconds(20));
        }
        sent.AddRange(await agent.EnqueueEventsAsync(5));
        await Eventually.TrueAsync(() => agent.Outbox.Depth == 0, "the last batch is acknowledged over the new certificate");

        Assert.Equal(sent, await host.StoredSequencesAsync("renew-1"));
        // The first request comes in the window; on a busy machine an answer slower than the agent's retry interval (a
        // second, with this short lifetime) makes it ask again, which the renewal is built to do.
        var asked = agent.Logs.First(l => l.Message.Contains("asks for its next certificate", StringComparison.Ordinal));
        Assert.InRange(asked.At, renewAt, first.NotAfter.ToUniversalTime());
        Assert.NotEqual(first.SerialNumber, certificate.Current.SerialNumber);
        using var onDisk = DeviceCertificate.TryLoad(directory)!.Current;
        Assert.Equal(certificate.Current.Thumbprint, onDisk.Thumbprint);
        // The cloud took the device's new certificate; the one before it no longer counts.
        using var admin = await host.SignedInClientAsync(AccountRole.Admin);
        using var view = JsonDocument.Parse(await admin.GetStringAsync("/api/devices/renew-1/credentials", Ct));
        var certificates = view.RootElement.GetProperty("certificates").EnumerateArray().ToList();
        // One key, one certificate: a request the agent sent again (an answer slower than its retry, see above) got the
        // certificate already issued for its key. The first and the renewed one; a third only when the renewed one came
        // due in turn on a slow machine (a new key).
        var keys = certificates.Select(c => c.GetProperty("keyFingerprint").GetString()).ToList();
        Assert.Equal(certificates.Count, keys.Distinct().Count());
        Assert.InRange(certificates.Count, 2, 3);
        Assert.Contains(SigningRequests.FingerprintOf(certificate.Current.PublicKey), keys);
        Assert.Equal(JsonValueKind.Null, certificates[0].GetProperty("revokedAt").ValueKind);
        // Every earlier one retired as superseded when the device came back with the new one (or, on a machine slow enough, simply expired).
        Assert.All(certificates.Skip(1), earlier => Assert.True(earlier.GetProperty("revocationReason").GetString() == "superseded"
            || earlier.GetProperty("notAfter").GetDateTimeOffset() <= DateTimeOffset.UtcNow, earlier.ToString()));
    }

    [Theory, BothEngines]
    public async Task A_renewal_request_sent_again_gets_the_certificate_already_issued_for_its_key(StorageProvider engine)
    {
        await using var host = new CloudHost(settings: DeviceTls.Enrollable(), engine: engine);
        var (current, _) = await DeviceTls.EnrollAsync(host, "renew-again");
        using var _current = current;
        await using var device = await DeviceClient.ConnectAsync(host.BrokerTlsPort, "renew-again", null, tls: DeviceTls.Options(host.DevelopmentCaPath, current));
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=renew-again", next, HashAlgorithmName.SHA256).CreateSigningRequest();

        // The agent sends the same request again when the answer is slow or lost.
        Assert.True((await device.PublishAsync(Topics.CertificateRequest("renew-again"), csr)).IsSuccess);
        await Eventually.TrueAsync(() => device.Certificates.Count == 1, "the first request is answered");
        Assert.True((await device.PublishAsync(Topics.CertificateRequest("renew-again"), csr)).IsSuccess);
        await Eventually.TrueAsync(() => device.Certificates.Count == 2, "the request sent again is answered");

        var answers = device.Certificates.ToArray();
        Assert.Equal(answers[0], answers[1]);
        using var renewed = X509CertificateLoader.LoadCertificate(answers[0]);
        Assert.Equal(SigningRequests.FingerprintOf(renewed.PublicKey), SigningRequests.FingerprintOf(new PublicKey(next)));
        var issued = await CertificatesAsync(host, "renew-again");
        Assert.Equal(2, issued.Count);
        Assert.Equal(renewed.SerialNumber, issued[0].GetProperty("serial").GetString());
        Assert.Equal(2, (await DeviceCredentialsTests.AuditAsync(host, "renew-again")).Count(r => r.Action == CredentialAuditActions.CertificateIssued));
        Assert.True(host.Logged(DevicesEventIds.DeviceCertificateSentAgain, renewed.SerialNumber));
    }

    [Theory, BothEngines]
    public async Task Identical_requests_at_once_get_one_certificate(StorageProvider engine)
    {
        // Over HTTP with the device's token, where requests run side by side (MQTT takes one session's publishes in turn).
        await using var host = new CloudHost(settings: DeviceTls.Enrollable(), engine: engine);
        var token = await host.RegisterAsync("at-once");
        var (key, csr) = DeviceTls.NewRequest("at-once");
        using var _key = key;

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => DeviceTls.PostRequestAsync(host.CreateClient(), "at-once", csr,
            r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token))));

        var serials = new List<string>();
        foreach (var response in responses)
        {
            using (response)
            {
                var (certificate, _, _) = await DeviceTls.IssuedAsync(response, key);
                using (certificate)
                    serials.Add(certificate.SerialNumber);
            }
        }
        var serial = Assert.Single(serials.Distinct());
        var stored = Assert.Single(await CertificatesAsync(host, "at-once"));
        Assert.Equal(serial, stored.GetProperty("serial").GetString());
        Assert.Single(await DeviceCredentialsTests.AuditAsync(host, "at-once"), r => r.Action == CredentialAuditActions.CertificateIssued);
    }

    [Theory, BothEngines]
    public async Task The_store_supersedes_a_renewed_certificate_once_its_successor_was_issued_by_the_time_given_and_nothing_else(StorageProvider engine)
    {
        // What Mosquitto's certificate mode does after Broker:External:RenewedCertificateGrace, on each engine's SQL.
        await using var host = new CloudHost(settings: DeviceTls.Enrollable(), engine: engine);
        var (older, _) = await DeviceTls.EnrollAsync(host, "sweep-renewed");
        var (alone, _) = await DeviceTls.EnrollAsync(host, "sweep-alone");
        using var _older = older;
        using var _alone = alone;
        await using (var device = await DeviceClient.ConnectAsync(host.BrokerTlsPort, "sweep-renewed", null, tls: DeviceTls.Options(host.DevelopmentCaPath, older)))
        {
            using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var csr = new CertificateRequest("CN=sweep-renewed", next, HashAlgorithmName.SHA256).CreateSigningRequest();
            Assert.True((await device.PublishAsync(Topics.CertificateRequest("sweep-renewed"), csr)).IsSuccess);
            await Eventually.TrueAsync(() => device.Certificates.Count == 1, "the renewal is answered");
        }
        var store = host.Services.GetRequiredService<IDeviceCredentialStore>();
        var newer = (await store.ListCertificatesAsync("sweep-renewed", Ct))[0];
        Assert.NotEqual(older.SerialNumber, newer.Serial);
        var at = DateTimeOffset.UtcNow;

        Assert.Equal(0, await store.SupersedeRenewedAsync(newer.IssuedAt - TimeSpan.FromMilliseconds(1), at, Ct));
        Assert.Equal(1, await store.SupersedeRenewedAsync(newer.IssuedAt, at, Ct));
        Assert.Equal(0, await store.SupersedeRenewedAsync(newer.IssuedAt, at, Ct));

        var renewed = await store.ListCertificatesAsync("sweep-renewed", Ct);
        var retired = renewed.Single(c => c.Serial == older.SerialNumber);
        Assert.Equal("superseded", retired.RevocationReason);
        Assert.Equal(at.ToUnixTimeMilliseconds(), retired.RevokedAt?.ToUnixTimeMilliseconds());
        Assert.Null(renewed.Single(c => c.Serial == newer.Serial).RevokedAt);
        Assert.All(await store.ListCertificatesAsync("sweep-alone", Ct), c => Assert.Null(c.RevokedAt));
    }

    /// <summary>The device's certificates as an admin sees them, newest first.</summary>
    private static async Task<List<JsonElement>> CertificatesAsync(CloudHost host, string deviceId)
    {
        using var admin = await host.SignedInClientAsync(AccountRole.Admin);
        using var view = JsonDocument.Parse(await admin.GetStringAsync($"/api/devices/{deviceId}/credentials", Ct));
        return [.. view.RootElement.GetProperty("certificates").EnumerateArray().Select(c => c.Clone())];
    }

    [Theory, BothEngines]
    public async Task Agent_without_key_or_token_waits_for_approval_and_after_a_restart_carries_on_with_the_same_request(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var directory = TestAgent.NewDirectory();
        var http = host.CreateClient();
        var enrollment = new HttpCertificateEnrollment(http, http.BaseAddress!, "", "", TimeProvider.System, NullLogger.Instance);
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            var waiting = enrollment.LoadOrEnrollAsync(directory, "agent-held", "TLS model", stop.Token);
            await Eventually.TrueAsync(() => File.Exists(Path.Combine(directory, HttpCertificateEnrollment.PendingFile)), "the agent waits for an admin");
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        }

        // The agent starts again while the same request still waits: no second request, no conflict.
        var resumed = enrollment.LoadOrEnrollAsync(directory, "agent-held", "TLS model", Ct);
        using var admin = await host.SignedInClientAsync(AccountRole.Admin);
        using var pending = JsonDocument.Parse(await admin.GetStringAsync("/api/devices/certificate-requests", Ct));
        var requestId = Assert.Single(pending.RootElement.EnumerateArray()).GetProperty("requestId").GetString();
        (await admin.PostAsync($"/api/devices/agent-held/certificate/requests/{requestId}/approve", null, Ct)).Dispose();
        var (certificate, token) = await resumed;

        Assert.Equal("CN=agent-held", certificate.Current.Subject);
        Assert.False(string.IsNullOrEmpty(token));
        Assert.False(File.Exists(Path.Combine(directory, HttpCertificateEnrollment.PendingFile)));
        await using var agent = TestAgent.Start(new DeviceCredentials("agent-held", token!) { Certificate = certificate },
            new AgentBroker { Port = host.BrokerTlsPort, UseTls = true, CaCertificatePath = host.DevelopmentCaPath }, directory);
        var sent = await agent.EnqueueEventsAsync(3);
        await Eventually.TrueAsync(() => agent.Outbox.Depth == 0, "delivered with the approved certificate");
        Assert.Equal(sent, await host.StoredSequencesAsync("agent-held"));
    }
}
