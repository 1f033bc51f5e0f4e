using System.Text.Json;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
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
        // The first and the new one; a request asked again on a machine slower than the agent's retry (see above) may have
        // been answered with one more, never used.
        Assert.InRange(certificates.Count, 2, 3);
        Assert.Equal(JsonValueKind.Null, certificates[0].GetProperty("revokedAt").ValueKind);
        // Every earlier one retired as superseded when the device came back with the new one (or, on a machine slow enough, simply expired).
        Assert.All(certificates.Skip(1), earlier => Assert.True(earlier.GetProperty("revocationReason").GetString() == "superseded"
            || earlier.GetProperty("notAfter").GetDateTimeOffset() <= DateTimeOffset.UtcNow, earlier.ToString()));
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
