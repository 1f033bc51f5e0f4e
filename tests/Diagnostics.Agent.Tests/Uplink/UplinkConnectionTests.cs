using Diagnostics.Agent.Provisioning;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Uplink;

public sealed class UplinkConnectionTests : IAsyncDisposable
{
    private const string DeviceId = "printer-7";

    private readonly TestDirectory _directory = new();
    private readonly FakeCloud _cloud = new();
    private readonly Outbox _outbox;
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private Task? _running;

    public UplinkConnectionTests()
    {
        _outbox = Outbox.Open(_directory.Path, new OutboxOptions { Durability = OutboxDurability.ProcessCrash }, TimeProvider.System);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
            await _running;
        _stop.Dispose();
        _outbox.Dispose();
        await _cloud.DisposeAsync();
        _directory.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private BrokerOptions Broker(int maxInFlight = 100, double ackTimeoutSeconds = 15) => new()
    {
        Host = "127.0.0.1",
        Port = _cloud.Port,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        MaxInFlight = maxInFlight,
        AckTimeout = TimeSpan.FromSeconds(ackTimeoutSeconds),
    };

    private UplinkConnection Start(BrokerOptions broker, IDownlinkHandler? downlink = null)
    {
        var uplink = new UplinkConnection(new DeviceCredentials(DeviceId, "secret-token"), broker, _outbox, TimeProvider.System, new Random(1), NullLogger<UplinkConnection>.Instance, downlink);
        _running = uplink.RunAsync(_stop.Token);
        return uplink;
    }

    private async Task<List<ulong>> EnqueueEventsAsync(int count)
    {
        var envelopes = Enumerable.Range(0, count).Select(i => new Envelope
        {
            DeviceId = DeviceId,
            SchemaVersion = Envelope.CurrentSchemaVersion,
            Event = new DeviceEvent { Kind = EventKind.Raised, Code = "test:" + i },
        }).ToList();
        await _outbox.EnqueueAsync(envelopes, Ct);
        return envelopes.ConvertAll(e => e.Sequence);
    }

    [Fact]
    public async Task Delivers_every_enqueued_message_in_order_and_empties_the_outbox_on_acks()
    {
        await _cloud.StartAsync();
        var uplink = Start(Broker(maxInFlight: 10));
        var first = await EnqueueEventsAsync(300);
        var second = await EnqueueEventsAsync(200);

        await Eventually.TrueAsync(() => _outbox.Depth == 0, "the outbox is empty");

        Assert.Equal(first.Concat(second), _cloud.Received.Select(e => e.Sequence));
        Assert.Equal(second[^1], uplink.AcknowledgedUpTo);
        Assert.All(_cloud.Received, e => Assert.Equal(DeviceId, e.DeviceId));
    }

    [Fact]
    public async Task Connects_as_the_device_with_its_token()
    {
        await _cloud.StartAsync();
        var uplink = Start(Broker());

        await Eventually.TrueAsync(() => uplink.IsConnected, "connected");

        Assert.Contains((DeviceId, DeviceId, "secret-token"), _cloud.Connections);
    }

    [Fact]
    public async Task Keeps_messages_until_the_cloud_acks_them()
    {
        await _cloud.StartAsync();
        _cloud.Acks = false;
        Start(Broker());
        var sequences = await EnqueueEventsAsync(20);

        await Eventually.TrueAsync(() => _cloud.Stored.Count == 20, "the cloud has all 20");
        Assert.Equal(20, _outbox.Depth);

        _cloud.Acks = true;
        await _cloud.AckNowAsync(DeviceId);
        await Eventually.TrueAsync(() => _outbox.Depth == 0, "the acked messages left the outbox");
        Assert.Equal(sequences, _cloud.Stored);
    }

    [Fact]
    public async Task A_cumulative_ack_at_qos_0_releases_exactly_the_messages_up_to_its_mark()
    {
        // The cloud sends acks at QoS 0 (no PUBACK); the agent subscribed at QoS 1 gets them all the same (MQTT 5 §3.8.4).
        await _cloud.StartAsync();
        _cloud.Acks = false;
        _cloud.AckQuality = MQTTnet.Protocol.MqttQualityOfServiceLevel.AtMostOnce;
        var uplink = Start(Broker());
        var sequences = await EnqueueEventsAsync(20);
        await Eventually.TrueAsync(() => _cloud.Stored.Count == 20, "the cloud has all 20");

        // One ack covering the first ten, as the cloud sends one per device per stored batch.
        await _cloud.AckUpToAsync(DeviceId, sequences[9]);
        await Eventually.TrueAsync(() => uplink.AcknowledgedUpTo == sequences[9], "the agent took the mark");
        await Eventually.TrueAsync(() => _outbox.Depth == 10, "the ten acked messages left the outbox");
        var kept = await _outbox.ReadFromAsync(0, 100, Ct);
        Assert.Equal(sequences.Skip(10), kept.Select(r => r.Sequence));

        // An older mark arriving late changes nothing; the next one releases the rest.
        await _cloud.AckUpToAsync(DeviceId, sequences[4]);
        await _cloud.AckUpToAsync(DeviceId, sequences[^1]);
        await Eventually.TrueAsync(() => _outbox.Depth == 0, "the rest left the outbox");
        Assert.Equal(sequences[^1], uplink.AcknowledgedUpTo);
        Assert.Equal(sequences, _cloud.Stored);
    }

    [Fact]
    public async Task Never_has_more_than_max_in_flight_messages_unacknowledged()
    {
        await _cloud.StartAsync();
        Start(Broker(maxInFlight: 7));
        await EnqueueEventsAsync(300);

        await Eventually.TrueAsync(() => _outbox.Depth == 0, "everything is delivered");

        Assert.InRange(_cloud.MaxOutstanding, 1UL, 7UL);
    }

    [Fact]
    public async Task Never_deletes_a_message_it_has_not_published_whatever_the_ack_claims()
    {
        await _cloud.StartAsync();
        _cloud.Acks = false;
        var uplink = Start(Broker(maxInFlight: 3));
        await Eventually.TrueAsync(() => uplink.IsConnected, "connected");
        var sequences = await EnqueueEventsAsync(10);
        await Eventually.TrueAsync(() => _cloud.Received.Count >= 3, "the first window is sent");

        var bogus = new Ack { DeviceId = DeviceId, HighestContiguousSequence = sequences[^1] + 1000 };
        await _cloud.Server.InjectApplicationMessage(new MQTTnet.Server.InjectedMqttApplicationMessage(
            new MQTTnet.MqttApplicationMessageBuilder().WithTopic(Topics.Downlink(DeviceId, Topics.AckKind)).WithPayload(WireCodec.Encode(bogus))
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build()), Ct);

        await Eventually.TrueAsync(() => _outbox.Depth == 0, "the outbox drained");
        Assert.Equal(sequences, _cloud.Stored);
    }

    [Fact]
    public async Task Resends_from_the_lowest_unacknowledged_after_the_ack_timeout()
    {
        await _cloud.StartAsync();
        _cloud.Acks = false;
        var uplink = Start(Broker(ackTimeoutSeconds: 0.5));
        var sequences = await EnqueueEventsAsync(5);

        await Eventually.TrueAsync(() => _cloud.Received.Count >= 10, "the five are sent twice");

        Assert.True(uplink.AckTimeouts >= 1);
        Assert.Equal(sequences.Concat(sequences), _cloud.Received.Take(10).Select(e => e.Sequence));
        Assert.Equal(5, _outbox.Depth);
    }

    [Fact]
    public async Task Tells_of_its_first_connection_once_the_broker_comes_up()
    {
        var uplink = Start(Broker());
        Assert.False(uplink.FirstConnected.IsCompleted, "no broker listens yet");

        await _cloud.StartAsync();

        await uplink.FirstConnected.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.True(uplink.IsConnected);
    }

    [Fact]
    public async Task Reconnects_after_the_broker_restarts_and_drains_the_rest()
    {
        await _cloud.StartAsync();
        var uplink = Start(Broker());
        var before = await EnqueueEventsAsync(50);
        await Eventually.TrueAsync(() => _outbox.Depth == 0, "the first batch is delivered");

        await _cloud.StopAsync();
        await Eventually.TrueAsync(() => !uplink.IsConnected, "the agent noticed the broker is gone");
        var during = await EnqueueEventsAsync(100);
        Assert.Equal(100, _outbox.Depth);
        await _cloud.StartAsync();

        await Eventually.TrueAsync(() => _outbox.Depth == 0, "the outage backlog is delivered");
        Assert.Equal(before.Concat(during), _cloud.Stored);
        Assert.True(uplink.Connects >= 2);
    }

    [Fact]
    public async Task After_overflow_discards_the_cloud_skips_the_gap_by_the_lowest_retained_sequence_and_the_outbox_drains()
    {
        using var smallOutbox = Outbox.Open(Path.Combine(_directory.Path, "small"), new OutboxOptions { MaxMessages = 10, Durability = OutboxDurability.ProcessCrash }, TimeProvider.System);
        var envelopes = Enumerable.Range(0, 25).Select(i => new Envelope
        {
            DeviceId = DeviceId,
            SchemaVersion = Envelope.CurrentSchemaVersion,
            Event = new DeviceEvent { Kind = EventKind.Raised, Code = "test:" + i },
        }).ToList();
        await smallOutbox.EnqueueAsync(envelopes, Ct); // the cloud is unreachable: 15 oldest events are discarded
        Assert.Equal(15, smallOutbox.DiscardedOf(UplinkKind.Event));
        await _cloud.StartAsync();

        var uplink = new UplinkConnection(new DeviceCredentials(DeviceId, "t"), Broker(), smallOutbox, TimeProvider.System, new Random(1), NullLogger<UplinkConnection>.Instance);
        _running = uplink.RunAsync(_stop.Token);

        await Eventually.TrueAsync(() => smallOutbox.Depth == 0, "the retained ten are delivered and acked");
        Assert.Equal(envelopes.Skip(15).Select(e => e.Sequence), _cloud.Stored);
        Assert.All(_cloud.Received, e => Assert.Equal(envelopes[15].Sequence, e.LowestRetainedSequence));
    }

    [Fact]
    public async Task Keeps_retrying_while_the_broker_refuses_its_credentials()
    {
        await _cloud.StartAsync();
        _cloud.RefuseConnections = 3;
        var uplink = Start(Broker());
        await EnqueueEventsAsync(5);

        await Eventually.TrueAsync(() => _outbox.Depth == 0, "delivered once the broker accepts");

        Assert.Equal(1, uplink.Connects);
        Assert.True(_cloud.Connections.Count >= 4);
    }

    [Fact]
    public async Task Publishes_retained_presence_online_on_connect()
    {
        await _cloud.StartAsync();
        var uplink = Start(Broker());

        await Eventually.TrueAsync(async () => (await _cloud.RetainedPresenceAsync(DeviceId))?.Online == true, "presence is retained online");
    }

    [Fact]
    public async Task Says_offline_when_stopped()
    {
        await _cloud.StartAsync();
        var uplink = Start(Broker());
        await Eventually.TrueAsync(async () => (await _cloud.RetainedPresenceAsync(DeviceId))?.Online == true, "online");

        await _stop.CancelAsync();
        await _running!;

        // Stopping either publishes "offline" itself or, when the broker does not take it in time, disconnects so that the
        // broker publishes the retained last will: on that path the broker retains it after the disconnect, not before.
        await Eventually.TrueAsync(async () => (await _cloud.RetainedPresenceAsync(DeviceId))?.Online == false, "offline retained after the stop");
    }

    [Fact]
    public async Task Ignores_unknown_downlink_kinds_and_keeps_working()
    {
        await _cloud.StartAsync();
        var uplink = Start(Broker());
        await Eventually.TrueAsync(() => uplink.IsConnected, "connected");
        await _cloud.Server.InjectApplicationMessage(new MQTTnet.Server.InjectedMqttApplicationMessage(
            new MQTTnet.MqttApplicationMessageBuilder().WithTopic(Topics.Downlink(DeviceId, "teleport")).WithPayload([1, 2, 3]).Build()), Ct);

        await EnqueueEventsAsync(3);

        await Eventually.TrueAsync(() => _outbox.Depth == 0, "delivered after the unknown message");
    }

    private static Command SampleCommand(string commandId) => new()
    {
        CommandId = commandId,
        Name = DeviceCommands.ClearPaperPath,
        ExpiresUnixMs = 1_900_000_000_000,
        Consent = new ConsentGrant { ConsentId = "policy-1", Action = ConsentAction.Maintenance, ExpiresUnixMs = 1_900_000_000_000 },
    };

    [Fact]
    public async Task Hands_commands_and_the_retained_consent_set_to_the_downlink_handler()
    {
        await _cloud.StartAsync();
        var handler = new RecordingDownlink();
        var consents = new ConsentSet { IssuedUnixMs = 1_700_000_000_000, Grants = [new ConsentGrant { ConsentId = "policy-1", Action = ConsentAction.Maintenance }] };
        await _cloud.SendConsentsAsync(DeviceId, consents); // retained before the device connects, as the cloud leaves it
        var uplink = Start(Broker(), handler);
        await Eventually.TrueAsync(() => uplink.IsConnected, "connected");

        await _cloud.SendCommandAsync(DeviceId, SampleCommand("cmd-1"));

        await Eventually.TrueAsync(() => handler.Commands.Count == 1 && handler.ConsentSets.Count == 1, "the command and the consent set reached the handler");
        Assert.Equal(("cmd-1", DeviceCommands.ClearPaperPath, "policy-1"), (handler.Commands[0].CommandId, handler.Commands[0].Name, handler.Commands[0].Consent!.ConsentId));
        Assert.Equal(WireCodec.Encode(consents), WireCodec.Encode(handler.ConsentSets[0]));
        Assert.Equal(0, uplink.MalformedDownlinks);
    }

    [Fact]
    public async Task A_command_that_cannot_be_decoded_is_answered_by_its_id_when_readable_and_the_session_goes_on()
    {
        await _cloud.StartAsync();
        var handler = new RecordingDownlink();
        var uplink = Start(Broker(), handler);
        await Eventually.TrueAsync(() => uplink.IsConnected, "connected");
        var whole = WireCodec.Encode(SampleCommand("cmd-cut"));

        await _cloud.SendDownlinkAsync(DeviceId, Topics.CommandKind, whole[..^3]);                 // truncated inside the consent
        await _cloud.SendDownlinkAsync(DeviceId, Topics.CommandKind, [0xFF, 0xFF, 0xFF, 0xFF]);    // nothing readable
        await _cloud.SendDownlinkAsync(DeviceId, Topics.CommandKind, WireCodec.Encode(new Command { Name = DeviceCommands.Identify })); // no id
        await _cloud.SendDownlinkAsync(DeviceId, Topics.CommandKind, new byte[DownlinkPayloads.MaxCommandBytes + 1]);
        await _cloud.SendDownlinkAsync(DeviceId, Topics.ConsentKind, [0x08, 0xFF]);              // a consent set cut short
        await Eventually.TrueAsync(() => uplink.MalformedDownlinks == 5, "five malformed downlinks counted");

        var unreadable = Assert.Single(handler.Unreadable);
        Assert.Equal("cmd-cut", unreadable.CommandId);
        Assert.StartsWith("Malformed", unreadable.Reason, StringComparison.Ordinal);
        Assert.Empty(handler.Commands);
        Assert.Empty(handler.ConsentSets);
        await EnqueueEventsAsync(3);
        await Eventually.TrueAsync(() => _outbox.Depth == 0, "delivered after the malformed downlinks");
        Assert.Equal(1, uplink.Connects);
    }

    [Fact]
    public async Task A_handler_that_throws_does_not_take_the_session_down()
    {
        await _cloud.StartAsync();
        var handler = new RecordingDownlink { Failure = new InvalidOperationException("handler bug") };
        var uplink = Start(Broker(), handler);
        await Eventually.TrueAsync(() => uplink.IsConnected, "connected");

        await _cloud.SendCommandAsync(DeviceId, SampleCommand("cmd-1"));
        await Eventually.TrueAsync(() => uplink.MalformedDownlinks == 1, "the failure is counted");

        handler.Failure = null;
        await _cloud.SendCommandAsync(DeviceId, SampleCommand("cmd-2"));
        await Eventually.TrueAsync(() => handler.Commands.Any(c => c.CommandId == "cmd-2"), "the next command arrives");
        Assert.Equal(1, uplink.Connects);
    }

    [Fact]
    public async Task Without_a_handler_commands_are_ignored_like_unknown_kinds()
    {
        await _cloud.StartAsync();
        var uplink = Start(Broker());
        await Eventually.TrueAsync(() => uplink.IsConnected, "connected");

        await _cloud.SendCommandAsync(DeviceId, SampleCommand("cmd-1"));
        await EnqueueEventsAsync(2);

        await Eventually.TrueAsync(() => _outbox.Depth == 0, "delivered");
        Assert.Equal(0, uplink.MalformedDownlinks);
    }

    [Fact]
    public async Task A_requested_reconnect_closes_and_reopens_the_session_at_once_keeping_presence_online_and_every_message()
    {
        await _cloud.StartAsync();
        var handler = new RecordingDownlink();
        var broker = Broker();
        broker.ReconnectMinDelay = broker.ReconnectMaxDelay = TimeSpan.FromMinutes(1);
        var uplink = Start(broker, handler);
        await Eventually.TrueAsync(() => uplink.IsConnected, "connected");
        var before = await EnqueueEventsAsync(5);
        await Eventually.TrueAsync(() => _outbox.Depth == 0, "the first messages are delivered");

        uplink.RequestReconnect();

        // A backoff of a minute would fail this: a requested reconnect does not wait.
        await Eventually.TrueAsync(() => uplink.Connects == 2 && uplink.IsConnected, "connected a second time");
        Assert.True((await _cloud.RetainedPresenceAsync(DeviceId))!.Online, "presence stayed online");
        var after = await EnqueueEventsAsync(5);
        await _cloud.SendCommandAsync(DeviceId, SampleCommand("cmd-after"));
        await Eventually.TrueAsync(() => _outbox.Depth == 0 && handler.Commands.Count == 1, "delivered and subscribed again after the reconnect");
        Assert.Equal(before.Concat(after), _cloud.Stored);
    }

    /// <summary>Records what the connection hands over; throws <see cref="Failure"/> when set.</summary>
    private sealed class RecordingDownlink : IDownlinkHandler
    {
        private readonly Lock _lock = new();
        private readonly List<Command> _commands = [];
        private readonly List<(string CommandId, string Reason)> _unreadable = [];
        private readonly List<ConsentSet> _consentSets = [];

        public Exception? Failure { get; set; }

        public IReadOnlyList<Command> Commands => Snapshot(_commands);

        public IReadOnlyList<(string CommandId, string Reason)> Unreadable => Snapshot(_unreadable);

        public IReadOnlyList<ConsentSet> ConsentSets => Snapshot(_consentSets);

        public ValueTask OnCommandAsync(Command command, CancellationToken cancellationToken) => Record(_commands, command);

        public ValueTask OnUnreadableCommandAsync(string commandId, string reason, CancellationToken cancellationToken) => Record(_unreadable, (commandId, reason));

        public ValueTask OnConsentSetAsync(ConsentSet consents, CancellationToken cancellationToken) => Record(_consentSets, consents);

        private ValueTask Record<T>(List<T> list, T item)
        {
            if (Failure is { } failure)
                return ValueTask.FromException(failure);
            lock (_lock)
                list.Add(item);
            return ValueTask.CompletedTask;
        }

        private IReadOnlyList<T> Snapshot<T>(List<T> list)
        {
            lock (_lock)
                return [.. list];
        }
    }

    [Fact]
    public void Backoff_grows_exponentially_with_full_jitter_between_min_and_max()
    {
        var uplink = new UplinkConnection(new DeviceCredentials(DeviceId, "t"),
            new BrokerOptions { ReconnectMinDelay = TimeSpan.FromSeconds(1), ReconnectMaxDelay = TimeSpan.FromSeconds(60) },
            _outbox, new FakeTimeProvider(), new Random(42), NullLogger<UplinkConnection>.Instance);

        var delays = Enumerable.Range(0, 12).Select(uplink.NextDelay).ToList();

        Assert.All(delays.Take(1), d => Assert.Equal(TimeSpan.FromSeconds(1), d));
        Assert.All(delays, d => Assert.InRange(d.TotalSeconds, 1, 60));
        Assert.All(delays.Select((d, i) => (d, i)), x => Assert.True(x.d.TotalSeconds <= Math.Pow(2, x.i)));
        Assert.True(delays.Skip(7).Max().TotalSeconds > 8, "later delays reach far beyond the early ones");
        Assert.True(delays.Distinct().Count() > 6, "jitter varies the delays");
    }
}
