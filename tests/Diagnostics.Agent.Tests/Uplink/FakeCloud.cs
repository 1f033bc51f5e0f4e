using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Diagnostics.Protocol;
using MQTTnet;
using MQTTnet.Server;

namespace Diagnostics.Agent.Tests.Uplink;

/// <summary>
/// A real in-process MQTTnet broker on a free port, plus the cloud's side of the contract: it collects uplink
/// envelopes from the publish hook and acks the highest contiguous sequence it has "stored", as the cloud does.
/// </summary>
internal sealed class FakeCloud : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Envelope> _received = [];
    private readonly Dictionary<string, SortedSet<ulong>> _stored = [];
    private readonly Dictionary<string, ulong> _contiguous = [];
    private MqttServer? _server;

    public FakeCloud()
    {
        Port = FreePort.Next();
    }

    public int Port { get; }

    /// <summary>When false, the cloud stores but never acks (as if it were down or slow).</summary>
    public bool Acks { get; set; } = true;

    /// <summary>The QoS acks go out at: 1 as the cloud sent them before, 0 as it sends them now (<c>Ingestion:AckDelivery</c>).</summary>
    public MQTTnet.Protocol.MqttQualityOfServiceLevel AckQuality { get; set; } = MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce;

    public MqttServer Server => _server ?? throw new InvalidOperationException("The broker is not running.");

    /// <summary>Every uplink envelope in arrival order, duplicates included.</summary>
    public IReadOnlyList<Envelope> Received
    {
        get
        {
            lock (_lock)
                return [.. _received];
        }
    }

    /// <summary>Distinct sequences stored, ascending, of every device (tests with one device read it).</summary>
    public IReadOnlyList<ulong> Stored
    {
        get
        {
            lock (_lock)
                return [.. _stored.Values.SelectMany(s => s).Order()];
        }
    }

    /// <summary>The most messages seen above the last ack sent: what the agent had in flight, at least.</summary>
    public ulong MaxOutstanding { get; private set; }

    /// <summary>Connection attempts to refuse as "bad user name or password" before accepting.</summary>
    public int RefuseConnections { get; set; }

    public List<(string ClientId, string UserName, string Password)> Connections { get; } = [];

    public async Task StartAsync()
    {
        var options = new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointPort(Port).WithDefaultEndpointReuseAddress().Build();
        var server = new MqttServerFactory().CreateMqttServer(options);
        server.ValidatingConnectionAsync += e =>
        {
            lock (_lock)
            {
                Connections.Add((e.ClientId, e.UserName, e.Password));
                if (RefuseConnections > 0)
                {
                    RefuseConnections--;
                    e.ReasonCode = MQTTnet.Protocol.MqttConnectReasonCode.BadUserNameOrPassword;
                }
            }
            return Task.CompletedTask;
        };
        server.InterceptingPublishAsync += OnPublishAsync;
        await server.StartAsync();
        _server = server;
    }

    public async Task StopAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.StopAsync();
            server.Dispose();
        }
    }

    /// <summary>Acks what is stored now (used after turning <see cref="Acks"/> back on).</summary>
    public Task AckNowAsync(string deviceId)
    {
        ulong contiguous;
        bool known;
        lock (_lock)
            known = _contiguous.TryGetValue(deviceId, out contiguous);
        return known ? SendAckAsync(deviceId, contiguous) : Task.CompletedTask;
    }

    /// <summary>Sends an ack with the given mark, whatever the cloud has stored (at <see cref="AckQuality"/>).</summary>
    public Task AckUpToAsync(string deviceId, ulong sequence) => SendAckAsync(deviceId, sequence);

    /// <summary>Publishes to a device's downlink as the cloud does (QoS 1); a consent set goes retained.</summary>
    public Task SendDownlinkAsync(string deviceId, string kind, byte[] payload, bool retain = false) =>
        Server.InjectApplicationMessage(new InjectedMqttApplicationMessage(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Downlink(deviceId, kind))
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build()) { SenderClientId = "cloud" });

    public Task SendCommandAsync(string deviceId, Command command) => SendDownlinkAsync(deviceId, Topics.CommandKind, WireCodec.Encode(command));

    public Task SendConsentsAsync(string deviceId, ConsentSet consents) => SendDownlinkAsync(deviceId, Topics.ConsentKind, WireCodec.Encode(consents), retain: true);

    /// <summary>Every command result received, in arrival order, duplicates included.</summary>
    public IReadOnlyList<CommandResult> Results(string deviceId) =>
        Received.Where(e => e.DeviceId == deviceId && e.CommandResult is not null).Select(e => e.CommandResult!).ToList();

    public async Task<Presence?> RetainedPresenceAsync(string deviceId)
    {
        var retained = await Server.GetRetainedMessageAsync(Topics.Presence(deviceId));
        return retained is null ? null : WireCodec.Decode<Presence>(retained.Payload.ToArray()).Value;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task OnPublishAsync(InterceptingPublishEventArgs e)
    {
        var topic = Topics.Parse(e.ApplicationMessage.Topic);
        if (!topic.IsValid || topic.Direction != TopicDirection.Up)
            return;
        var decoded = WireCodec.DecodeUplink(e.ApplicationMessage.Payload.ToArray());
        if (!decoded.IsSuccess)
            throw new InvalidOperationException($"Agent sent an invalid envelope on {e.ApplicationMessage.Topic}: {decoded.Detail}");
        var envelope = decoded.Value!;
        if (Topics.ParseKind(topic.Kind) != envelope.Kind)
            throw new InvalidOperationException($"Envelope of kind {envelope.Kind} published on {e.ApplicationMessage.Topic}.");
        ulong ack;
        lock (_lock)
        {
            _received.Add(envelope);
            if (!_stored.TryGetValue(envelope.DeviceId, out var stored))
                _stored[envelope.DeviceId] = stored = [];
            stored.Add(envelope.Sequence);
            // The cloud moves its contiguous mark past anything the device says it no longer holds.
            var contiguous = Math.Max(_contiguous.GetValueOrDefault(envelope.DeviceId), envelope.LowestRetainedSequence - 1);
            MaxOutstanding = Math.Max(MaxOutstanding, envelope.Sequence - contiguous);
            while (stored.Contains(contiguous + 1))
                contiguous++;
            _contiguous[envelope.DeviceId] = contiguous;
            ack = contiguous;
        }
        if (Acks)
            await SendAckAsync(topic.DeviceId, ack);
    }

    private Task SendAckAsync(string deviceId, ulong sequence)
    {
        var ack = new Ack { DeviceId = deviceId, HighestContiguousSequence = sequence, CloudTimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Downlink(deviceId, Topics.AckKind))
            .WithPayload(WireCodec.Encode(ack))
            .WithQualityOfServiceLevel(AckQuality)
            .Build();
        return Server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = "cloud" });
    }
}
