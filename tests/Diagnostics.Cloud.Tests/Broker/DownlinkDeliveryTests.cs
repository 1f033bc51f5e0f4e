using Diagnostics.Cloud.Messaging;
using System.Collections.Concurrent;
using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace Diagnostics.Cloud.Tests.Broker;

/// <summary>
/// Downlinks go straight into the addressed device's session: with many sessions connected, a device gets its own acks
/// and commands, no other session gets them, a session not subscribed to the topic gets nothing, and a retained
/// downlink still reaches the device's next subscription. Every "nothing arrived" is proven by a later message on the
/// same connection arriving first (MQTT delivers one session's messages in order), never by waiting.
/// </summary>
public sealed class DownlinkDeliveryTests
{
    private const int Devices = 40;

    [Theory, BothEngines]
    public async Task Each_device_gets_only_its_own_acks_with_many_sessions_connected(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var recorders = new List<Recorder>();
        try
        {
            for (var i = 0; i < Devices; i++)
                recorders.Add(await Recorder.ConnectAsync(host, $"many-{i:D2}", subscribe: $"dx/many-{i:D2}/down/#"));

            // All publish at once, so batches hold several devices and their acks go out together.
            await Task.WhenAll(recorders.Select(r => r.SendEventAsync()));
            await Task.WhenAll(recorders.Select(r => r.WaitForAckAsync(r.LastSequence)));
            // A second message each: anything stray sent to a session before would have arrived before this ack.
            await Task.WhenAll(recorders.Select(r => r.SendEventAsync()));
            await Task.WhenAll(recorders.Select(r => r.WaitForAckAsync(r.LastSequence)));

            foreach (var recorder in recorders)
            {
                // Besides acks, a device gets its consent set when it subscribes (the fix loop sends it): its own, too.
                Assert.All(recorder.Received, m => Assert.StartsWith($"dx/{recorder.DeviceId}/down/", m.Topic, StringComparison.Ordinal));
                Assert.All(recorder.Acks, ack => Assert.Equal(recorder.DeviceId, ack.DeviceId));
                Assert.Equal(recorder.LastSequence, recorder.Acks.Max(a => a.HighestContiguousSequence));
            }
        }
        finally
        {
            foreach (var recorder in recorders)
                await recorder.DisposeAsync();
        }
    }

    [Theory, BothEngines]
    public async Task Command_reaches_its_device_alone_and_a_session_without_a_matching_subscription_gets_nothing(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var downlink = host.Services.GetRequiredService<IDownlinkPublisher>();
        var ct = TestContext.Current.CancellationToken;
        var recorders = new List<Recorder>();
        try
        {
            for (var i = 0; i < Devices; i++)
                recorders.Add(await Recorder.ConnectAsync(host, $"cmd-{i:D2}", subscribe: $"dx/cmd-{i:D2}/down/#"));
            // Subscribed to commands only: an ack must not reach it. Not subscribed at all: nothing may reach it.
            var commandsOnly = await Recorder.ConnectAsync(host, "cmd-only", subscribe: "dx/cmd-only/down/command");
            var unsubscribed = await Recorder.ConnectAsync(host, "cmd-none", subscribe: null);
            recorders.Add(commandsOnly);
            recorders.Add(unsubscribed);

            var target = recorders[17];
            var command = new Command { CommandId = "cmd-direct-1", Name = DeviceCommands.Identify };
            await downlink.PublishAsync(Topics.Downlink(target.DeviceId, Topics.CommandKind), WireCodec.Encode(command), ct);
            await Eventually.TrueAsync(() => target.Received.Any(m => m.Topic == Topics.Downlink(target.DeviceId, Topics.CommandKind)), "the command at its device");
            var delivered = target.Received.Single(m => m.Topic == Topics.Downlink(target.DeviceId, Topics.CommandKind));
            Assert.Equal("cmd-direct-1", WireCodec.Decode<Command>(delivered.Payload).Value!.CommandId);
            Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, delivered.Qos);

            // The two partly or not subscribed devices publish: their acks are attempted and must not arrive.
            await commandsOnly.SendEventAsync();
            await unsubscribed.SendEventAsync();
            await Eventually.TrueAsync(async () => (await host.StoredSequencesAsync("cmd-only")).Count == 1 && (await host.StoredSequencesAsync("cmd-none")).Count == 1, "both stored");
            // A command for each proves their sessions work; had an ack been enqueued, it would have come first.
            await downlink.PublishAsync(Topics.Downlink("cmd-only", Topics.CommandKind), WireCodec.Encode(new Command { CommandId = "cmd-only-1" }), ct);
            await Eventually.TrueAsync(() => !commandsOnly.Received.IsEmpty, "the command-only device's command");
            Assert.Equal([Topics.Downlink("cmd-only", Topics.CommandKind)], commandsOnly.Received.Select(m => m.Topic));
            await unsubscribed.SubscribeAsync("dx/cmd-none/down/#");
            await downlink.PublishAsync(Topics.Downlink("cmd-none", Topics.CommandKind), WireCodec.Encode(new Command { CommandId = "cmd-none-1" }), ct);
            await Eventually.TrueAsync(() => unsubscribed.Received.Any(m => m.Topic == Topics.Downlink("cmd-none", Topics.CommandKind)), "the late subscriber's command");
            // Its consent set may come before or after the command (the fix loop sends it on the subscription); an ack never.
            Assert.DoesNotContain(unsubscribed.Received, m => m.Topic.EndsWith("/down/ack", StringComparison.Ordinal));

            // Everyone else: one message of their own each, and that is all they ever got.
            foreach (var other in recorders.Take(Devices).Where(r => r != target))
                await other.SendEventAsync();
            await Task.WhenAll(recorders.Take(Devices).Where(r => r != target).Select(r => r.WaitForAckAsync(r.LastSequence)));
            foreach (var other in recorders.Take(Devices).Where(r => r != target))
            {
                Assert.All(other.Received, m => Assert.StartsWith($"dx/{other.DeviceId}/down/", m.Topic, StringComparison.Ordinal));
                Assert.DoesNotContain(other.Received, m => m.Topic.EndsWith("/down/command", StringComparison.Ordinal));
            }
        }
        finally
        {
            foreach (var recorder in recorders)
                await recorder.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(null, MqttQualityOfServiceLevel.AtMostOnce)]
    [InlineData("AtMostOnce", MqttQualityOfServiceLevel.AtMostOnce)]
    [InlineData("AtLeastOnce", MqttQualityOfServiceLevel.AtLeastOnce)]
    public async Task Acks_go_at_qos_0_unless_configured_while_commands_stay_at_qos_1(string? ackDelivery, MqttQualityOfServiceLevel expected)
    {
        await using var host = new CloudHost(settings: ackDelivery is null ? null : new Dictionary<string, string?> { ["Ingestion:AckDelivery"] = ackDelivery });
        var downlink = host.Services.GetRequiredService<IDownlinkPublisher>();
        await using var device = await Recorder.ConnectAsync(host, "ack-qos", subscribe: "dx/ack-qos/down/#");

        await device.SendEventAsync();
        await device.WaitForAckAsync(device.LastSequence);
        await downlink.PublishAsync(Topics.Downlink("ack-qos", Topics.CommandKind), WireCodec.Encode(new Command { CommandId = "ack-qos-1" }), TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => device.Received.Any(m => m.Topic.EndsWith("/down/command", StringComparison.Ordinal)), "the command");

        Assert.All(device.Received.Where(m => m.Topic == Topics.Downlink("ack-qos", Topics.AckKind)), m => Assert.Equal(expected, m.Qos));
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, device.Received.Single(m => m.Topic.EndsWith("/down/command", StringComparison.Ordinal)).Qos);
    }

    [Fact]
    public async Task A_command_many_times_the_writer_buffer_arrives_whole_and_the_acks_after_it_still_do()
    {
        // Each connection keeps a 256-byte buffer for what it sends (Broker:WriterBufferBytes); a bigger packet must
        // still go out whole, and the small packets after it on the same connection too.
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Broker:WriterBufferBytes"] = "256" });
        var downlink = host.Services.GetRequiredService<IDownlinkPublisher>();
        await using var device = await Recorder.ConnectAsync(host, "big-command", subscribe: "dx/big-command/down/#");
        var commandId = string.Concat(Enumerable.Range(0, 2_000).Select(i => i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)));

        await downlink.PublishAsync(Topics.Downlink("big-command", Topics.CommandKind), WireCodec.Encode(new Command { CommandId = commandId }), TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => device.Received.Any(m => m.Topic.EndsWith("/down/command", StringComparison.Ordinal)), "the 10 KB command");
        await device.SendEventAsync();
        await device.WaitForAckAsync(device.LastSequence);

        Assert.Equal(commandId, WireCodec.Decode<Command>(device.Received.Single(m => m.Topic.EndsWith("/down/command", StringComparison.Ordinal)).Payload).Value!.CommandId);
    }

    [Fact]
    public async Task A_resend_after_a_lost_ack_is_stored_once_and_acked_again()
    {
        // An ack at QoS 0 is lost with its connection: the device resends what it holds, and the cloud must neither store
        // it twice nor leave it unacked.
        await using var host = new CloudHost();
        var token = await host.RegisterAsync("lost-ack");
        var device = await Recorder.ConnectAsync(host, "lost-ack", subscribe: null, token);
        await device.SendEventAsync();
        await device.SendEventAsync();
        var sent = new[] { device.LastSequence - 1, device.LastSequence };
        await Eventually.TrueAsync(async () => (await host.StoredSequencesAsync("lost-ack")).Count == 2, "both stored (their acks went nowhere)");
        await device.DisposeAsync();

        await using var again = await Recorder.ConnectAsync(host, "lost-ack", subscribe: "dx/lost-ack/down/#", token);
        await again.SendEventAsync(sent[0]);
        await again.SendEventAsync(sent[1]);
        await again.WaitForAckAsync(sent[1]);

        // Stored once: whether the sequence tracker or the store's unique (device, sequence) refused a resend is the
        // pipeline's business (the duplicates counter sees only the tracker's), so the rows are what is asserted.
        Assert.Equal(sent, (await host.StoredSequencesAsync("lost-ack")).Order());
        Assert.Equal(sent[1], again.Acks.Max(a => a.HighestContiguousSequence));
    }

    [Theory, BothEngines]
    public async Task Retained_downlink_reaches_the_device_when_it_next_subscribes(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var downlink = host.Services.GetRequiredService<IDownlinkPublisher>();
        var consents = new ConsentSet { IssuedUnixMs = 1_700_000_000_000 };
        var token = await host.RegisterAsync("retained-1");

        // Not connected yet: nobody to deliver to, but the broker keeps it.
        await downlink.PublishAsync(Topics.Downlink("retained-1", Topics.ConsentKind), WireCodec.Encode(consents), TestContext.Current.CancellationToken, retain: true);
        await using var device = await Recorder.ConnectAsync(host, "retained-1", subscribe: "dx/retained-1/down/#", token);

        // The fix loop also sends a fresh set on the subscription; the retained one is the one flagged retained.
        await Eventually.TrueAsync(() => device.Received.Any(m => m.Retain), "the retained consent set");
        var received = device.Received.First(m => m.Retain);
        Assert.Equal(Topics.Downlink("retained-1", Topics.ConsentKind), received.Topic);
        Assert.True(received.Retain);
        Assert.Equal(1_700_000_000_000, WireCodec.Decode<ConsentSet>(received.Payload).Value!.IssuedUnixMs);
    }

    [Fact]
    public async Task Subscribe_and_unsubscribe_answers_match_what_the_session_is_sent()
    {
        // MQTTnet keeps no subscription of a device's (the session's downlink filters are the only ones, issue 22): the
        // SUBACK and UNSUBACK must still tell the device what it will get — at most QoS 1 (the most a downlink goes out
        // at), never another device's downlink, "success" only for a filter the session had, and nothing after it is gone.
        await using var host = new CloudHost();
        var downlink = host.Services.GetRequiredService<IDownlinkPublisher>();
        var ct = TestContext.Current.CancellationToken;
        await using var device = await Recorder.ConnectAsync(host, "sub-answers", subscribe: null);
        var commands = Topics.Downlink("sub-answers", Topics.CommandKind);

        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await device.SubscribeAtAsync(commands, MqttQualityOfServiceLevel.ExactlyOnce));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, await device.SubscribeAtAsync(Topics.Downlink("sub-answers", Topics.AckKind), MqttQualityOfServiceLevel.AtMostOnce));
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await device.SubscribeAtAsync("dx/someone-else/down/#", MqttQualityOfServiceLevel.AtLeastOnce));

        await downlink.PublishAsync(commands, WireCodec.Encode(new Command { CommandId = "before-unsubscribe" }), ct);
        await Eventually.TrueAsync(() => device.Received.Any(m => m.Topic == commands), "the first command");
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, device.Received.Single(m => m.Topic == commands).Qos);

        Assert.Equal(MqttClientUnsubscribeResultCode.Success, await device.UnsubscribeAsync(commands));
        Assert.Equal(MqttClientUnsubscribeResultCode.NoSubscriptionExisted, await device.UnsubscribeAsync(commands));
        Assert.Equal(MqttClientUnsubscribeResultCode.NoSubscriptionExisted, await device.UnsubscribeAsync("dx/someone-else/down/#"));

        // A command after the unsubscribe is not delivered: the ack that follows it on the same session comes alone.
        await downlink.PublishAsync(commands, WireCodec.Encode(new Command { CommandId = "after-unsubscribe" }), ct);
        await device.SendEventAsync();
        await device.WaitForAckAsync(device.LastSequence);
        Assert.Equal(MqttQualityOfServiceLevel.AtMostOnce, device.Received.First(m => m.Topic.EndsWith("/down/ack", StringComparison.Ordinal)).Qos);
        Assert.Equal(["before-unsubscribe"], device.Received.Where(m => m.Topic == commands).Select(m => WireCodec.Decode<Command>(m.Payload).Value!.CommandId));
    }

    private sealed record Delivered(string Topic, byte[] Payload, MqttQualityOfServiceLevel Qos, bool Retain);

    /// <summary>A device's MQTT client that records every message it receives, whatever the topic.</summary>
    private sealed class Recorder : IAsyncDisposable
    {
        private readonly IMqttClient _client;
        private ulong _sequence = 1_700_000_000_000UL;

        private Recorder(IMqttClient client, string deviceId)
        {
            _client = client;
            DeviceId = deviceId;
            client.ApplicationMessageReceivedAsync += e =>
            {
                var message = e.ApplicationMessage;
                var payload = System.Buffers.BuffersExtensions.ToArray(message.Payload);
                Received.Enqueue(new Delivered(message.Topic, payload, message.QualityOfServiceLevel, message.Retain));
                if (message.Topic.EndsWith("/down/ack", StringComparison.Ordinal))
                    Acks.Enqueue(WireCodec.Decode<Ack>(payload).Value!);
                return Task.CompletedTask;
            };
        }

        public string DeviceId { get; }

        public ConcurrentQueue<Delivered> Received { get; } = new();

        public ConcurrentQueue<Ack> Acks { get; } = new();

        public ulong LastSequence => _sequence - 1;

        public static async Task<Recorder> ConnectAsync(CloudHost host, string deviceId, string? subscribe, string? registeredToken = null)
        {
            var token = registeredToken ?? await host.RegisterAsync(deviceId);
            var client = new MqttClientFactory().CreateMqttClient();
            var recorder = new Recorder(client, deviceId);
            await client.ConnectAsync(DeviceClient.Options(host.BrokerPort, deviceId, deviceId, token), TestContext.Current.CancellationToken);
            if (subscribe is not null)
                await recorder.SubscribeAsync(subscribe);
            return recorder;
        }

        public async Task SubscribeAsync(string filter)
        {
            var result = await _client.SubscribeAsync(
                new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), TestContext.Current.CancellationToken);
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, result.Items.Single().ResultCode);
        }

        public async Task<MqttClientSubscribeResultCode> SubscribeAtAsync(string filter, MqttQualityOfServiceLevel qos) =>
            (await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, qos).Build(), TestContext.Current.CancellationToken))
            .Items.Single().ResultCode;

        public async Task<MqttClientUnsubscribeResultCode> UnsubscribeAsync(string filter) =>
            (await _client.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(filter).Build(), TestContext.Current.CancellationToken))
            .Items.Single().ResultCode;

        /// <summary>Publishes the next event, or again the one with <paramref name="resend"/>'s sequence.</summary>
        public async Task SendEventAsync(ulong? resend = null)
        {
            var envelope = new Envelope
            {
                DeviceId = DeviceId,
                Sequence = resend ?? _sequence++,
                DeviceTimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                AgentVersion = "test",
                SchemaVersion = Envelope.CurrentSchemaVersion,
                Event = new DeviceEvent { Kind = EventKind.Raised, Code = "test:info", Condition = "test", Severity = Severity.Report, Message = "hello" },
            };
            var result = await _client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(Topics.Uplink(DeviceId, UplinkKind.Event))
                .WithPayload(WireCodec.Encode(envelope))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(), TestContext.Current.CancellationToken);
            Assert.True(result.IsSuccess, $"{DeviceId}: {result.ReasonCode}");
        }

        public Task WaitForAckAsync(ulong sequence) =>
            Eventually.TrueAsync(() => !Acks.IsEmpty && Acks.Max(a => a.HighestContiguousSequence) >= sequence, $"ack >= {sequence} for {DeviceId}");

        public async ValueTask DisposeAsync()
        {
            if (_client.IsConnected)
                await _client.DisconnectAsync();
            _client.Dispose();
        }
    }
}
