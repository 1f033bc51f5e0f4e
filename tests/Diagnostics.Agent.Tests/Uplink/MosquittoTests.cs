using System.Buffers;
using System.Diagnostics;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace Diagnostics.Agent.Tests.Uplink;

/// <summary>The uplink against a real Mosquitto, with a plain MQTT client playing the cloud.</summary>
/// <remarks>
/// set_tcp_nodelay matters: with Mosquitto's default (Nagle on), one device's publish/ack loop crawls at about
/// 100 messages/s on loopback; with it, about 4,000/s.
/// </remarks>
public sealed class MosquittoTests : IAsyncDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly int _port = FreePort.Next();
    private readonly int _tlsPort = FreePort.Next();
    private readonly Lock _lock = new();
    private readonly List<Envelope> _received = [];
    private readonly Dictionary<string, Presence> _presence = [];
    private Process? _mosquitto;
    private IMqttClient? _cloud;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        if (_cloud is not null)
        {
            await _cloud.DisconnectAsync(cancellationToken: CancellationToken.None);
            _cloud.Dispose();
        }
        if (_mosquitto is { HasExited: false })
        {
            _mosquitto.Kill();
            await _mosquitto.WaitForExitAsync(CancellationToken.None);
        }
        _mosquitto?.Dispose();
        _directory.Dispose();
    }

    /// <param name="tls">A second listener on <see cref="_tlsPort"/> for MQTT over TLS with this certificate (and <c>ca.pem</c> beside it).</param>
    private async Task StartMosquittoAndCloudAsync(System.Security.Cryptography.X509Certificates.X509Certificate2? tls = null)
    {
        var mosquitto = ExternalTools.Require("mosquitto", "apt-get install mosquitto");
        var config = Path.Combine(_directory.Path, "mosquitto.conf");
        // per_listener_settings false: allow_anonymous and the rest hold for both listeners.
        var text = $"listener {_port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n";
        if (tls is not null)
        {
            TestPki.WritePem(tls, Path.Combine(_directory.Path, "server.pem"), Path.Combine(_directory.Path, "server.key"));
            text += $"listener {_tlsPort} 127.0.0.1\ncertfile {Path.Combine(_directory.Path, "server.pem")}\nkeyfile {Path.Combine(_directory.Path, "server.key")}\n";
        }
        await File.WriteAllTextAsync(config, text, Ct);
        var start = new ProcessStartInfo(mosquitto) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(config);
        _mosquitto = Process.Start(start)!;

        _cloud = new MqttClientFactory().CreateMqttClient();
        _cloud.ApplicationMessageReceivedAsync += OnCloudMessageAsync;
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithClientId("cloud").WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build();
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await _cloud.ConnectAsync(options, Ct);
                return true;
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
                return false;
            }
        }, "mosquitto accepts connections");
        await _cloud.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.AllUplink, MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("dx/+/presence", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), Ct);
    }

    private async Task OnCloudMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = Topics.Parse(e.ApplicationMessage.Topic);
        var payload = e.ApplicationMessage.Payload.ToArray();
        if (topic.Direction == TopicDirection.Presence)
        {
            lock (_lock)
                _presence[topic.DeviceId] = WireCodec.Decode<Presence>(payload).Value!;
            return;
        }
        var envelope = WireCodec.DecodeUplink(payload).Value!;
        lock (_lock)
            _received.Add(envelope);
        var ack = new Ack { DeviceId = envelope.DeviceId, HighestContiguousSequence = envelope.Sequence };
        await _cloud!.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Downlink(envelope.DeviceId, Topics.AckKind))
            .WithPayload(WireCodec.Encode(ack))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), CancellationToken.None);
    }

    private Presence? PresenceOf(string deviceId)
    {
        lock (_lock)
            return _presence.GetValueOrDefault(deviceId);
    }

    [Fact]
    public async Task Delivers_in_order_through_mosquitto_and_empties_the_outbox_on_cloud_acks()
    {
        await StartMosquittoAndCloudAsync();
        using var outbox = Outbox.Open(Path.Combine(_directory.Path, "agent"), new OutboxOptions { Durability = OutboxDurability.ProcessCrash }, TimeProvider.System);
        var envelopes = Enumerable.Range(0, 500).Select(i => new Envelope
        {
            DeviceId = "mosq-1",
            SchemaVersion = Envelope.CurrentSchemaVersion,
            Event = new DeviceEvent { Kind = EventKind.Raised, Code = "test:" + i },
        }).ToList();
        await outbox.EnqueueAsync(envelopes, Ct);
        var uplink = new UplinkConnection(new DeviceCredentials("mosq-1", "token"), new BrokerOptions { Host = "127.0.0.1", Port = _port, MaxInFlight = 50 },
            outbox, TimeProvider.System, new Random(3), NullLogger<UplinkConnection>.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = uplink.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => outbox.Depth == 0, "the outbox is drained");
        await Eventually.TrueAsync(() => PresenceOf("mosq-1")?.Online == true, "presence says online");
        await stop.CancelAsync();
        await running;

        List<ulong> received;
        lock (_lock)
            received = _received.Select(e => e.Sequence).ToList();
        Assert.Equal(envelopes.Select(e => e.Sequence), received);
        await Eventually.TrueAsync(() => PresenceOf("mosq-1")?.Online == false, "presence says offline after a clean stop");
    }

    [Fact]
    public async Task A_killed_agent_is_reported_offline_by_its_last_will()
    {
        await StartMosquittoAndCloudAsync();
        var agentDll = Path.Combine(AppContext.BaseDirectory, "Diagnostics.Agent.dll");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            agentDll, "run", "--Agent:DeviceId=will-1", "--Agent:Token=t", "--Broker:Host=127.0.0.1", $"--Broker:Port={_port}",
            $"--Agent:DataDirectory={Path.Combine(_directory.Path, "will-1")}", "--Outbox:Durability=ProcessCrash",
        })
        {
            start.ArgumentList.Add(argument);
        }
        using var agent = Process.Start(start)!;
        try
        {
            await Eventually.TrueAsync(() => PresenceOf("will-1")?.Online == true, "the agent says it is online", TimeSpan.FromSeconds(20));
            await Eventually.TrueAsync(() =>
            {
                lock (_lock)
                    return _received.Exists(e => e.DeviceId == "will-1" && e.Heartbeat is not null);
            }, "the agent's first heartbeat arrived");
        }
        finally
        {
            agent.Kill();
            await agent.WaitForExitAsync(Ct);
        }

        await Eventually.TrueAsync(() => PresenceOf("will-1")?.Online == false, "the broker published the will");
    }

    [Fact]
    public async Task Delivers_through_mosquitto_over_TLS_checking_its_certificate_against_a_pinned_CA_and_refuses_a_broker_another_CA_signed()
    {
        using var ca = TestPki.Authority("Mosquitto test CA");
        using var server = TestPki.Server(ca);
        await StartMosquittoAndCloudAsync(tls: server);
        var caPath = Path.Combine(_directory.Path, "ca.pem");
        TestPki.WritePem(ca, caPath);
        using var otherCa = TestPki.Authority("Not Mosquitto's CA");
        var otherCaPath = Path.Combine(_directory.Path, "other-ca.pem");
        TestPki.WritePem(otherCa, otherCaPath);

        using (var refusedOutbox = Outbox.Open(Path.Combine(_directory.Path, "refused"), new OutboxOptions { Durability = OutboxDurability.ProcessCrash }, TimeProvider.System))
        {
            var logs = new RecordingLoggerProvider();
            using var loggers = LoggerFactory.Create(l => l.AddProvider(logs));
            var refused = new UplinkConnection(new DeviceCredentials("mosq-tls-2", "token"),
                new BrokerOptions { Host = "127.0.0.1", Port = _tlsPort, UseTls = true, CaCertificatePath = otherCaPath, ReconnectMinDelay = TimeSpan.FromMilliseconds(50), ReconnectMaxDelay = TimeSpan.FromMilliseconds(100) },
                refusedOutbox, TimeProvider.System, new Random(5), loggers.CreateLogger<UplinkConnection>());
            using var stopRefused = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var refusedRun = refused.RunAsync(stopRefused.Token);
            await Eventually.TrueAsync(() => logs.Count("refuses the broker") >= 2, "the agent refused Mosquitto's certificate, twice");
            await stopRefused.CancelAsync();
            await refusedRun;
            Assert.Equal(0, refused.Connects);
        }

        using var outbox = Outbox.Open(Path.Combine(_directory.Path, "agent-tls"), new OutboxOptions { Durability = OutboxDurability.ProcessCrash }, TimeProvider.System);
        var envelopes = Enumerable.Range(0, 50).Select(i => new Envelope
        {
            DeviceId = "mosq-tls-1",
            SchemaVersion = Envelope.CurrentSchemaVersion,
            Event = new DeviceEvent { Kind = EventKind.Raised, Code = "tls:" + i },
        }).ToList();
        await outbox.EnqueueAsync(envelopes, Ct);
        var uplink = new UplinkConnection(new DeviceCredentials("mosq-tls-1", "token"),
            new BrokerOptions { Host = "127.0.0.1", Port = _tlsPort, UseTls = true, CaCertificatePath = caPath },
            outbox, TimeProvider.System, new Random(3), NullLogger<UplinkConnection>.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = uplink.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => outbox.Depth == 0, "the outbox is drained over TLS");
        await stop.CancelAsync();
        await running;

        List<ulong> received;
        lock (_lock)
            received = _received.Where(e => e.DeviceId == "mosq-tls-1").Select(e => e.Sequence).ToList();
        Assert.Equal(envelopes.Select(e => e.Sequence), received);
    }
}
