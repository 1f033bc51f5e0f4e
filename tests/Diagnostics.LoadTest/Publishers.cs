using System.Buffers;
using Diagnostics.Protocol;
using MQTTnet;
using MQTTnet.Protocol;

namespace Diagnostics.LoadTest;

/// <summary>
/// Lightweight device stand-ins: each publishes pre-encoded event envelopes with its own contiguous sequences,
/// QoS 1, as fast as the broker acknowledges them. They carry no outbox so the load is bound by the server side.
/// </summary>
/// <remarks>Events of severity Warning or Error also go to the fix loop (inbox, proposals, notifications); Report ones do not.</remarks>
internal sealed class Publishers(string host, int port, IReadOnlyList<(string DeviceId, string Token)> devices, int messagesPerDevice, Severity severity = Severity.Error)
{
    private const ulong FirstSequence = 1_000_000;
    private readonly List<IMqttClient> _clients = [];
    private readonly HashSet<string> _fullyStored = [];
    private readonly Lock _ackLock = new();
    private readonly TaskCompletionSource _allStored = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _acksReceived;
    private long _acksAtMostOnce;

    private ulong LastSequence => FirstSequence + (ulong)messagesPerDevice;

    public long TotalMessages => (long)devices.Count * messagesPerDevice;

    /// <summary>Downlink messages (acks) the devices received, and how many of them came at QoS 0 (no PUBACK back).</summary>
    public (long Received, long AtMostOnce) Acks => (Interlocked.Read(ref _acksReceived), Interlocked.Read(ref _acksAtMostOnce));

    public async Task ConnectAsync(bool listenForAcks, CancellationToken cancellationToken)
    {
        var factory = new MqttClientFactory();
        foreach (var (deviceId, token) in devices)
        {
            var client = factory.CreateMqttClient();
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer(host, port)
                .WithClientId(deviceId)
                .WithCredentials(deviceId, token)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .WithTimeout(TimeSpan.FromSeconds(30))
                .Build();
            if (listenForAcks)
            {
                client.ApplicationMessageReceivedAsync += args =>
                {
                    Interlocked.Increment(ref _acksReceived);
                    if (args.ApplicationMessage.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce)
                        Interlocked.Increment(ref _acksAtMostOnce);
                    var ack = WireCodec.Decode<Ack>(args.ApplicationMessage.Payload.ToArray());
                    if (ack.IsSuccess && ack.Value!.HighestContiguousSequence >= LastSequence)
                    {
                        lock (_ackLock)
                        {
                            if (_fullyStored.Add(deviceId) && _fullyStored.Count == devices.Count)
                                _allStored.TrySetResult();
                        }
                    }
                    return Task.CompletedTask;
                };
            }
            var result = await client.ConnectAsync(options, cancellationToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
                throw new InvalidOperationException($"{deviceId} could not connect: {result.ResultCode} {result.ReasonString}");
            if (listenForAcks)
                await client.SubscribeAsync(Topics.DownlinkFilter(deviceId), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
            _clients.Add(client);
        }
    }

    /// <summary>Publishes every message; returns when the broker has acknowledged all of them (PUBACK).</summary>
    public Task PublishAllAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_clients.Select((client, index) => Task.Run(() => PublishFromAsync(client, devices[index].DeviceId, cancellationToken), cancellationToken)));

    private async Task PublishFromAsync(IMqttClient client, string deviceId, CancellationToken cancellationToken)
    {
        for (var i = 1; i <= messagesPerDevice; i++)
        {
            var kind = i % 2 == 1 ? EventKind.Raised : EventKind.Cleared;
            await client.PublishAsync(PaperJamEvent(deviceId, FirstSequence + (ulong)i, FirstSequence + 1, kind, severity), cancellationToken);
        }
    }

    /// <summary>A paper jam raised or cleared, as an uplink envelope on the device's event topic (QoS 1).</summary>
    public static MqttApplicationMessage PaperJamEvent(string deviceId, ulong sequence, ulong lowestRetained, EventKind kind, Severity severity = Severity.Error)
    {
        var payload = WireCodec.Encode(new Envelope
        {
            DeviceId = deviceId,
            Sequence = sequence,
            LowestRetainedSequence = lowestRetained,
            DeviceTimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            AgentVersion = "load",
            SchemaVersion = Envelope.CurrentSchemaVersion,
            Event = new DeviceEvent
            {
                Kind = kind,
                Code = "ipp:media-jam",
                Condition = Conditions.PaperJam,
                Severity = severity,
                Message = "Paper jam in tray 1",
            },
        });
        return new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Uplink(deviceId, UplinkKind.Event))
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
    }

    /// <summary>Completes when the cloud has acknowledged, as stored, the last sequence of every device.</summary>
    public Task WaitForAllStoredAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _allStored.Task.WaitAsync(timeout, cancellationToken);

    public async Task DisconnectAsync()
    {
        foreach (var client in _clients)
        {
            if (client.IsConnected)
                await client.DisconnectAsync();
            client.Dispose();
        }
        _clients.Clear();
    }
}
