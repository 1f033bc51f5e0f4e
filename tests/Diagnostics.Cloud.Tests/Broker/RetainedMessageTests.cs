using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Messaging;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace Diagnostics.Cloud.Tests.Broker;

/// <summary>
/// What can be left retained: nothing a device sends, whatever its retain flag (MQTTnet's retained store stays empty,
/// so nothing a device sends outlives its publish in the broker's memory), and from the cloud only the downlinks the
/// protocol retains (<see cref="RetainedDownlinks"/>), each no larger than the agent reads.
/// </summary>
public sealed class RetainedMessageTests
{
    [Fact]
    public async Task Oversized_retained_presence_is_refused_with_quota_exceeded_and_not_retained()
    {
        await using var host = new CloudHost();
        await using var device = await host.ConnectDeviceAsync("retain-big");

        var result = await device.PublishAsync(Topics.Presence("retain-big"), new byte[PresenceTracker.MaxPresenceBytes * 60], retain: true);

        Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, result.ReasonCode);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.TooLarge));
        Assert.Empty(await RetainedAsync(host));
    }

    [Fact]
    public async Task Malformed_retained_presence_is_refused_with_payload_format_invalid_and_not_retained()
    {
        await using var host = new CloudHost();
        await using var device = await host.ConnectDeviceAsync("retain-junk");

        // A protobuf field header (a varint) whose continuation bit never ends.
        var result = await device.PublishAsync(Topics.Presence("retain-junk"), [0xFF, 0xFF, 0xFF, 0xFF], retain: true);

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, result.ReasonCode);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.Malformed));
        Assert.Empty(await RetainedAsync(host));
    }

    [Fact]
    public async Task Retained_uplink_and_valid_retained_presence_are_consumed_and_not_retained()
    {
        await using var host = new CloudHost();
        await using var device = await host.ConnectDeviceAsync("retain-uplink");
        var status = device.NewEnvelope(status: new DeviceStatus { State = DeviceState.Idle });

        Assert.True((await device.PublishAsync(Topics.Uplink("retain-uplink", UplinkKind.Status), WireCodec.Encode(status), retain: true)).IsSuccess);
        Assert.True((await device.PublishAsync(Topics.Presence("retain-uplink"), WireCodec.Encode(new Presence { Online = true }), retain: true)).IsSuccess);

        await device.WaitForAckAsync(status.Sequence);
        Assert.Empty(await RetainedAsync(host));
    }

    [Theory]
    [InlineData("own presence topic, not a Presence", null)]
    [InlineData("another device's presence", "retain-will-victim")]
    public async Task Retained_last_will_that_the_cloud_refuses_is_not_retained(string what, string? victim)
    {
        await using var host = new CloudHost();
        var token = await host.RegisterAsync("retain-will");
        var options = DeviceClient.Options(host.BrokerPort, "retain-will", "retain-will", token);
        options.WillTopic = Topics.Presence(victim ?? "retain-will");
        options.WillPayload = victim is null ? [0xFF, 0xFF, 0xFF, 0xFF] : WireCodec.Encode(new Presence { Online = false });
        options.WillRetain = true;
        options.WillQualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce;
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(options, TestContext.Current.CancellationToken);

        // The connection drops without a DISCONNECT, so the broker publishes the will. (MQTTnet 5.2 takes any DISCONNECT,
        // even one with reason 0x04 "with will message", as clean and publishes no will.)
        client.Dispose();

        var reason = victim is null ? RejectReason.Malformed : RejectReason.AclDenied;
        await Eventually.TrueAsync(() => host.Metrics.RejectedTotal(reason) == 1, $"the will ({what}) refused as {reason}");
        Assert.Empty(await RetainedAsync(host));
    }

    [Fact]
    public async Task Retained_downlink_larger_than_the_agent_reads_is_refused_and_the_last_one_stays()
    {
        await using var host = new CloudHost();
        var downlink = host.Services.GetRequiredService<IDownlinkPublisher>();
        var token = await host.RegisterAsync("retain-offer");
        var topic = Topics.Downlink("retain-offer", Topics.UpdateKind);
        await downlink.PublishAsync(topic, WireCodec.Encode(new UpdateOffer { OfferId = "offer-kept" }), TestContext.Current.CancellationToken, retain: true);
        var huge = new UpdateOffer { OfferId = "offer-huge", PayloadUrl = new string('u', RetainedDownlinks.MaxUpdateOfferBytes) };

        await Assert.ThrowsAsync<ArgumentException>(() =>
            downlink.PublishAsync(topic, WireCodec.Encode(huge), TestContext.Current.CancellationToken, retain: true));

        await using var device = await DeviceClient.ConnectAsync(host.BrokerPort, "retain-offer", token);
        await Eventually.TrueAsync(() => !device.UpdateOffers.IsEmpty, "the offer the broker kept");
        Assert.Equal("offer-kept", Assert.Single(device.UpdateOffers).OfferId);
    }

    [Fact]
    public async Task Downlink_kind_the_protocol_does_not_retain_cannot_be_retained()
    {
        await using var host = new CloudHost();
        var downlink = host.Services.GetRequiredService<IDownlinkPublisher>();
        var command = WireCodec.Encode(new Command { CommandId = "cmd-1", Name = DeviceCommands.ClearPaperPath });

        // A retained command would run again at every reconnect.
        var refused = await Assert.ThrowsAsync<ArgumentException>(() =>
            downlink.PublishAsync(Topics.Downlink("retain-command", Topics.CommandKind), command, TestContext.Current.CancellationToken, retain: true));

        Assert.Contains("never retained", refused.Message, StringComparison.Ordinal);
    }

    private static Task<IList<MqttApplicationMessage>> RetainedAsync(CloudHost host) =>
        host.Services.GetRequiredService<EmbeddedBroker>().RetainedMessagesAsync();
}
