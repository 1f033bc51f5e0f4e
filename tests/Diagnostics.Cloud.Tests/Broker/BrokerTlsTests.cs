using Diagnostics.Cloud.Certificates;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Diagnostics.Agent.Provisioning;
using AgentBroker = Diagnostics.Agent.Uplink.BrokerOptions;
using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace Diagnostics.Cloud.Tests.Broker;

/// <summary>MQTT over TLS between the real agent and the embedded broker, with the development certificates of a first start.</summary>
public sealed class BrokerTlsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Agent_delivers_over_TLS_checking_the_broker_against_the_development_CA()
    {
        await using var host = new CloudHost();
        var token = await host.RegisterAsync("tls-ok");
        await using var agent = TestAgent.Start(new DeviceCredentials("tls-ok", token),
            new AgentBroker { Port = host.BrokerTlsPort, UseTls = true, CaCertificatePath = host.DevelopmentCaPath });

        var sent = await agent.EnqueueEventsAsync(20);

        await Eventually.TrueAsync(() => agent.Outbox.Depth == 0, "the cloud acknowledged everything sent over TLS");
        Assert.Equal(sent, await host.StoredSequencesAsync("tls-ok"));
    }

    [Fact]
    public async Task Agent_refuses_a_broker_whose_certificate_another_CA_signed_and_never_connects()
    {
        await using var host = new CloudHost();
        var token = await host.RegisterAsync("tls-wrong-ca");
        using var otherCa = TestPki.Authority("Some other CA");
        var otherCaPath = Path.Combine(Path.GetDirectoryName(host.DatabasePath)!, "other-ca.crt");
        TestPki.WritePem(otherCa, otherCaPath);
        await using var agent = TestAgent.Start(new DeviceCredentials("tls-wrong-ca", token),
            new AgentBroker { Port = host.BrokerTlsPort, UseTls = true, CaCertificatePath = otherCaPath });

        await Eventually.TrueAsync(() => agent.LogCount("refuses the broker") >= 2, "the agent refused the broker's certificate, twice");

        Assert.Equal(0, agent.Uplink.Connects);
        Assert.Equal(0, await host.Services.GetRequiredService<EmbeddedBroker>().ConnectedClientCountAsync());
        Assert.False(host.Logged(BrokerEventIds.AuthRefused, "tls-wrong-ca"), "no CONNECT reached the broker: the token never left the device");
    }

    [Fact]
    public async Task Agent_pinning_the_broker_certificate_fingerprint_connects_to_it_and_refuses_another()
    {
        await using var host = new CloudHost();
        var token = await host.RegisterAsync("tls-pin");
        var actual = host.Services.GetRequiredService<Diagnostics.Cloud.Certificates.ServerCertificate>().Current;
        using var other = TestPki.Server(TestPki.Authority("Pinned elsewhere"));

        await using (var wrong = TestAgent.Start(new DeviceCredentials("tls-pin", token),
            new AgentBroker { Port = host.BrokerTlsPort, UseTls = true, CertificateFingerprint = TestPki.Sha256(other) }))
        {
            await Eventually.TrueAsync(() => wrong.LogCount("is not the pinned") >= 2, "the agent refused a broker whose certificate is not the pinned one");
            Assert.Equal(0, wrong.Uplink.Connects);
        }
        // Colons between the bytes, as fingerprints are often written.
        var pin = string.Join(':', TestPki.Sha256(actual).Chunk(2).Select(pair => new string(pair)));
        await using var right = TestAgent.Start(new DeviceCredentials("tls-pin", token),
            new AgentBroker { Port = host.BrokerTlsPort, UseTls = true, CertificateFingerprint = pin });
        var sent = await right.EnqueueEventsAsync(3);
        await Eventually.TrueAsync(() => right.Outbox.Depth == 0, "delivered to the pinned broker");
        Assert.Equal(sent, await host.StoredSequencesAsync("tls-pin"));
    }

    [Fact]
    public async Task Agent_with_UseTls_never_falls_back_to_plain_MQTT()
    {
        await using var host = new CloudHost();
        var token = await host.RegisterAsync("tls-no-fallback");
        // Pointed at the plain listener: a plain client would get in with this token.
        await using var agent = TestAgent.Start(new DeviceCredentials("tls-no-fallback", token),
            new AgentBroker { Port = host.BrokerPort, UseTls = true, CaCertificatePath = host.DevelopmentCaPath });

        await Eventually.TrueAsync(() => agent.LogCount("could not connect") >= 3, "the agent tried three times");

        Assert.Equal(0, agent.Uplink.Connects);
        Assert.Equal(0, await host.Services.GetRequiredService<EmbeddedBroker>().ConnectedClientCountAsync());
        Assert.Equal(0, host.Metrics.RejectedTotal(RejectReason.AuthFailed));
    }

    [Fact]
    public async Task Broker_serves_a_replaced_certificate_file_at_the_next_handshake_without_a_restart()
    {
        var directory = Path.GetDirectoryName(CloudHost.TempDatabasePath())!;
        Directory.CreateDirectory(directory);
        using var ca = TestPki.Authority("Operator CA");
        var (certificatePath, keyPath, caPath) = (Path.Combine(directory, "server.pem"), Path.Combine(directory, "server.key"), Path.Combine(directory, "ca.pem"));
        TestPki.WritePem(ca, caPath);
        using var first = TestPki.Server(ca, "first");
        TestPki.WritePem(first, certificatePath, keyPath);
        await using var host = new CloudHost(Path.Combine(directory, "diagnostics.db"), new Dictionary<string, string?>
        {
            ["Certificates:ServerCertificatePath"] = certificatePath,
            ["Certificates:ServerKeyPath"] = keyPath,
        });
        var token = await host.RegisterAsync("tls-reload");

        Assert.Equal(first.Thumbprint, await PresentedThumbprintAsync(host.BrokerTlsPort, caPath, token));
        using var second = TestPki.Server(ca, "second");
        TestPki.WritePem(second, certificatePath, keyPath);

        Assert.Equal(second.Thumbprint, await PresentedThumbprintAsync(host.BrokerTlsPort, caPath, token));
        Assert.True(host.Logged(CertificatesEventIds.ServerCertificateReloaded, "CN=second"));
        Assert.Null(host.Services.GetRequiredService<Diagnostics.Cloud.Certificates.ServerCertificate>().DevelopmentCaPath);
    }

    [Fact]
    public async Task Plain_listener_is_announced_as_plain_and_can_be_turned_off()
    {
        await using (var both = new CloudHost())
        {
            _ = both.BrokerTlsPort;
            Assert.Contains(both.Logs, l => l.EventId == BrokerEventIds.PlainListener && l.Level == Microsoft.Extensions.Logging.LogLevel.Warning && l.Message.Contains("UNENCRYPTED MQTT", StringComparison.Ordinal));
        }
        await using var tlsOnly = new CloudHost(settings: new Dictionary<string, string?> { ["Broker:PlainEnabled"] = "false" });
        var token = await tlsOnly.RegisterAsync("tls-only");

        using var plain = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(async () => await plain.ConnectAsync("127.0.0.1", tlsOnly.BrokerPort, Ct));
        Assert.DoesNotContain(tlsOnly.Logs, l => l.EventId == BrokerEventIds.PlainListener && l.Message.Contains("MQTT", StringComparison.Ordinal));
        await using var device = await DeviceClient.ConnectAsync(tlsOnly.BrokerTlsPort, "tls-only", token, tls: DeviceTls.Options(tlsOnly.DevelopmentCaPath));
        Assert.True(device.IsConnected);
    }

    /// <summary>Connects as a device and returns the thumbprint of the certificate the broker presented.</summary>
    private static async Task<string> PresentedThumbprintAsync(int port, string caPath, string token)
    {
        string? presented = null;
        var tls = new MqttClientTlsOptionsBuilder()
            .UseTls()
            .WithTargetHost("localhost")
            .WithTrustChain(new X509Certificate2Collection(X509CertificateLoader.LoadCertificateFromFile(caPath)))
            .WithRevocationMode(X509RevocationMode.NoCheck)
            .WithCertificateValidationHandler(e =>
            {
                presented = e.Certificate?.GetCertHashString();
                return e.SslPolicyErrors == System.Net.Security.SslPolicyErrors.None;
            })
            .Build();
        await using var device = await DeviceClient.ConnectAsync(port, "tls-reload", token, subscribeToDownlink: false, tls: tls);
        return presented!;
    }
}
