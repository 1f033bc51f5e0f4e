using System.Buffers;
using System.Collections.Concurrent;
using Diagnostics.Protocol;
using MQTTnet;
using MQTTnet.Protocol;

namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>A real MQTTnet client acting as a device: publishes envelopes, collects acks.</summary>
public sealed class DeviceClient : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly TaskCompletionSource<MqttClientDisconnectedEventArgs> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ulong _nextSequence;

    private DeviceClient(IMqttClient client, string deviceId, string token)
    {
        _client = client;
        DeviceId = deviceId;
        Token = token;
        // Like the agent: sequences seeded from the clock, so they start high.
        _nextSequence = 1_700_000_000_000UL;
        client.DisconnectedAsync += e =>
        {
            _disconnected.TrySetResult(e);
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += async e =>
        {
            if (e.ApplicationMessage.Topic == Topics.Downlink(DeviceId, Topics.AckKind))
            {
                var ack = WireCodec.Decode<Ack>(e.ApplicationMessage.Payload.ToArray());
                if (OnAck is { } onAck)
                    await onAck(ack.Value!);
                Acks.Enqueue(ack.Value!);
            }
            else if (e.ApplicationMessage.Topic == Topics.Downlink(DeviceId, Topics.CommandKind))
            {
                Commands.Enqueue(WireCodec.Decode<Command>(e.ApplicationMessage.Payload.ToArray()).Value!);
            }
            else if (e.ApplicationMessage.Topic == Topics.Downlink(DeviceId, Topics.ConsentKind))
            {
                ConsentSets.Enqueue(WireCodec.Decode<ConsentSet>(e.ApplicationMessage.Payload.ToArray()).Value!);
            }
            else if (e.ApplicationMessage.Topic == Topics.Downlink(DeviceId, Topics.CertificateKind))
            {
                Certificates.Enqueue(e.ApplicationMessage.Payload.ToArray());
            }
            else if (e.ApplicationMessage.Topic == Topics.Downlink(DeviceId, Topics.UpdateKind))
            {
                var offer = WireCodec.Decode<Protocol.Updates.UpdateOffer>(e.ApplicationMessage.Payload.ToArray()).Value!;
                UpdateOffers.Enqueue(offer);
                if (OnUpdateOffer is { } onOffer)
                    await onOffer(offer);
            }
        };
    }

    public string DeviceId { get; }

    /// <summary>The device's credential, for what it sends over HTTP (diagnostics reports).</summary>
    public string Token { get; }

    public ConcurrentQueue<Ack> Acks { get; } = new();

    /// <summary>Commands the cloud sent this device, in arrival order.</summary>
    public ConcurrentQueue<Command> Commands { get; } = new();

    /// <summary>Standing-consent sets the cloud sent this device, in arrival order.</summary>
    public ConcurrentQueue<ConsentSet> ConsentSets { get; } = new();

    /// <summary>Certificates (DER) the cloud sent on <c>down/certificate</c> in answer to renewals, in arrival order.</summary>
    public ConcurrentQueue<byte[]> Certificates { get; } = new();

    /// <summary>Runs on the client's receive loop when an ack arrives.</summary>
    public Func<Ack, Task>? OnAck { get; set; }

    /// <summary>Every <c>down/update</c> received, withdrawals included, in order.</summary>
    public ConcurrentQueue<Protocol.Updates.UpdateOffer> UpdateOffers { get; } = new();

    /// <summary>Plays the device's side of an update; runs on the MQTT client's thread, so it must not wait for acks.</summary>
    public Func<Protocol.Updates.UpdateOffer, Task>? OnUpdateOffer { get; set; }

    public ulong? HighestAck => Acks.IsEmpty ? null : Acks.Max(a => a.HighestContiguousSequence);

    public bool IsConnected => _client.IsConnected;

    /// <summary>Completes when the connection ends, with the server's DISCONNECT reason when it sent one.</summary>
    public Task<MqttClientDisconnectedEventArgs> Disconnected => _disconnected.Task;

    /// <param name="tls">MQTT over TLS (see <see cref="DeviceTls"/>); with a client certificate in it, <paramref name="token"/> may be null.</param>
    public static async Task<DeviceClient> ConnectAsync(int port, string deviceId, string? token, bool subscribeToDownlink = true, MqttClientTlsOptions? tls = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var device = new DeviceClient(client, deviceId, token ?? "");
        await client.ConnectAsync(Options(port, deviceId, deviceId, token, tls: tls), TestContext.Current.CancellationToken);
        if (subscribeToDownlink)
        {
            var subscribed = await client.SubscribeAsync(
                new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Topics.DownlinkFilter(deviceId), MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                TestContext.Current.CancellationToken);
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, subscribed.Items.Single().ResultCode);
        }
        return device;
    }

    public static MqttClientOptions Options(int port, string clientId, string? userName, string? password, bool withWill = false, MqttClientTlsOptions? tls = null)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (userName is not null)
            builder = password is null ? builder.WithCredentials(userName, (byte[]?)null) : builder.WithCredentials(userName, password);
        if (tls is not null)
            builder = builder.WithTlsOptions(tls);
        if (withWill)
        {
            builder = builder
                .WithWillTopic(Topics.Presence(clientId))
                .WithWillPayload(WireCodec.Encode(new Presence { Online = false }))
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }
        return builder.Build();
    }

    /// <summary>Connects and expects a refusal: the CONNACK's reason code (or <c>Success</c> when it was not refused).</summary>
    public static async Task<MqttClientConnectResultCode> ConnectRefusedAsync(int port, string clientId, string? userName, string? password, MqttClientTlsOptions? tls = null)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var result = await client.ConnectAsync(Options(port, clientId, userName, password, tls: tls), TestContext.Current.CancellationToken);
            return result.ResultCode;
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException ex)
        {
            // MQTTnet 5 reports the CONNACK reason only in the message text.
            return Enum.GetValues<MqttClientConnectResultCode>()
                .Where(code => ex.Message.Contains(code.ToString(), StringComparison.Ordinal))
                .OrderByDescending(code => code.ToString().Length)
                .First();
        }
    }

    public Envelope NewEnvelope(DeviceStatus? status = null, DeviceEvent? @event = null, Heartbeat? heartbeat = null, ulong? sequence = null, ulong lowestRetained = 0,
        CommandResult? result = null, Protocol.Updates.UpdateReport? update = null) => new()
    {
        DeviceId = DeviceId,
        Sequence = sequence ?? _nextSequence++,
        DeviceTimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        AgentVersion = "test",
        SchemaVersion = Envelope.CurrentSchemaVersion,
        LowestRetainedSequence = lowestRetained,
        Status = status,
        Event = @event,
        Heartbeat = heartbeat,
        CommandResult = result,
        UpdateReport = update,
    };

    /// <summary>What a device answers after running <paramref name="command"/>, timed now.</summary>
    public static CommandResult ResultOf(Command command, CommandOutcome outcome, string detail)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new()
        {
            CommandId = command.CommandId,
            Name = command.Name,
            Outcome = outcome,
            Detail = detail,
            StartedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            FinishedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
    }

    public Task<MqttClientPublishResult> SendAsync(Envelope envelope) =>
        PublishAsync(Topics.Uplink(DeviceId, envelope.Kind!.Value), WireCodec.Encode(envelope));

    public Task<MqttClientPublishResult> PublishAsync(string topic, byte[] payload, bool retain = false) =>
        _client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(payload)
                .WithRetainFlag(retain)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            TestContext.Current.CancellationToken);

    public Task<MqttClientSubscribeResult> SubscribeAsync(string filter) =>
        _client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Current.CancellationToken);

    /// <summary>Waits until an ack covers <paramref name="sequence"/>.</summary>
    public Task WaitForAckAsync(ulong sequence) =>
        Eventually.TrueAsync(() => HighestAck >= sequence, $"ack >= {sequence} for {DeviceId} (highest so far {HighestAck})");

    public Task DisconnectAsync() => _client.DisconnectAsync(cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync();
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
                // The host may be gone already.
            }
        }
        _client.Dispose();
    }
}
