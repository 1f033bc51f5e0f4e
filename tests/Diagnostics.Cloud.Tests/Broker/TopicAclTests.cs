using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using MQTTnet;

namespace Diagnostics.Cloud.Tests.Broker;

public sealed class TopicAclTests
{
    [Theory]
    [InlineData("dx/a/up/status", true)]
    [InlineData("dx/a/up/bogus", true)]
    [InlineData("dx/a/presence", true)]
    [InlineData("dx/b/up/status", false)]
    [InlineData("dx/b/presence", false)]
    [InlineData("dx/a/down/ack", false)]
    [InlineData("dx/a/up", false)]
    [InlineData("other/a/up/status", false)]
    public void Device_publishes_only_its_own_uplink_and_presence(string topic, bool allowed) =>
        Assert.Equal(allowed, TopicAcl.MayPublish("a", topic));

    [Theory]
    [InlineData("dx/a/down/#", true)]
    [InlineData("dx/a/down/ack", true)]
    [InlineData("dx/a/down/+", true)]
    [InlineData("dx/b/down/#", false)]
    [InlineData("dx/+/down/#", false)]
    [InlineData("dx/a/#", false)]
    [InlineData("#", false)]
    [InlineData("dx/a/up/status", false)]
    [InlineData("dx/a/down/#/x", false)]
    [InlineData("$share/g/dx/a/down/#", false)]
    public void Device_subscribes_only_below_its_own_downlink(string filter, bool allowed) =>
        Assert.Equal(allowed, TopicAcl.MaySubscribe("a", filter));

    [Theory, BothEngines]
    public async Task Publishing_to_another_devices_topic_is_refused_counted_and_not_stored(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await host.RegisterAsync("acl-victim");
        await using var intruder = await host.ConnectDeviceAsync("acl-intruder");

        var forged = intruder.NewEnvelope(status: new DeviceStatus());
        forged.DeviceId = "acl-victim";
        var result = await intruder.PublishAsync(Topics.Uplink("acl-victim", UplinkKind.Status), WireCodec.Encode(forged));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.AclDenied));
        Assert.True(host.Logged(BrokerEventIds.PublishDenied, "dx/acl-victim/up/status"));
        Assert.Equal(0, await host.TotalTelemetryRowsAsync());
        Assert.True(intruder.IsConnected);
    }

    [Theory, BothEngines]
    public async Task Subscribing_to_another_devices_downlink_is_refused_and_counted(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        await host.RegisterAsync("acl-other");
        await using var device = await host.ConnectDeviceAsync("acl-snoop");

        var result = await device.SubscribeAsync(Topics.DownlinkFilter("acl-other"));

        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, result.Items.Single().ResultCode);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.SubscribeDenied));
        Assert.True(host.Logged(BrokerEventIds.SubscribeDenied, "dx/acl-other/down/#"));
    }
}
