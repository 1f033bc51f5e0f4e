using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace Diagnostics.Cloud.Tests.Broker;

/// <summary>
/// What a device can leave retained in the broker: its last valid presence (device/README.md, Protocol), nothing
/// else. What the broker keeps retained on a topic is what a new subscriber to it receives first.
/// </summary>
public sealed class RetainedMessageTests
{
    [Fact]
    public async Task Oversized_presence_is_refused_and_the_last_valid_one_stays_retained()
    {
        await using var host = new CloudHost();
        await using var device = await host.ConnectDeviceAsync("retain-big");
        var topic = Topics.Presence("retain-big");
        var valid = WireCodec.Encode(new Presence { Online = true, AgentVersion = "1.0" });
        Assert.True((await device.PublishAsync(topic, valid, retain: true)).IsSuccess);

        var result = await device.PublishAsync(topic, new byte[PresenceTracker.MaxPresenceBytes * 4], retain: true);

        Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, result.ReasonCode);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.TooLarge));
        var retained = await RetainedAsync(host, topic);
        Assert.NotNull(retained);
        Assert.Equal(valid, System.Buffers.BuffersExtensions.ToArray(retained.Payload));
    }

    [Fact]
    public async Task Malformed_presence_is_refused_and_not_retained()
    {
        await using var host = new CloudHost();
        await using var device = await host.ConnectDeviceAsync("retain-junk");
        var topic = Topics.Presence("retain-junk");

        // A protobuf field header (a varint) whose continuation bit never ends.
        var result = await device.PublishAsync(topic, [0xFF, 0xFF, 0xFF, 0xFF], retain: true);

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, result.ReasonCode);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.Malformed));
        Assert.Null(await RetainedAsync(host, topic));
    }

    [Fact]
    public async Task Retained_uplink_is_ingested_and_not_retained()
    {
        await using var host = new CloudHost();
        await using var device = await host.ConnectDeviceAsync("retain-uplink");
        var status = device.NewEnvelope(status: new DeviceStatus { State = DeviceState.Idle });
        var topic = Topics.Uplink("retain-uplink", UplinkKind.Status);

        Assert.True((await device.PublishAsync(topic, WireCodec.Encode(status), retain: true)).IsSuccess);

        await device.WaitForAckAsync(status.Sequence);
        Assert.Null(await RetainedAsync(host, topic));
    }

    private static Task<MqttApplicationMessage?> RetainedAsync(CloudHost host, string topic) =>
        host.Services.GetRequiredService<EmbeddedBroker>().RetainedMessageAsync(topic);
}
