using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using MQTTnet;

namespace Diagnostics.Cloud.Tests.Ingestion;

/// <summary>Each bad uplink: refused at the broker, logged, counted by reason, nothing stored, nothing crashes.</summary>
public sealed class UplinkRejectionTests
{
    [Fact]
    public async Task Malformed_protobuf_is_rejected()
    {
        await AssertRejectedAsync(RejectReason.Malformed, d => (Topics.Uplink(d.DeviceId, UplinkKind.Status), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]));
    }

    [Fact]
    public async Task Unknown_kind_topic_is_rejected()
    {
        await AssertRejectedAsync(RejectReason.UnknownKind, d => ($"dx/{d.DeviceId}/up/bogus", WireCodec.Encode(d.NewEnvelope(status: new DeviceStatus()))));
    }

    [Fact]
    public async Task Envelope_device_id_different_from_the_topic_is_rejected()
    {
        await AssertRejectedAsync(RejectReason.TopicMismatch, d =>
        {
            var envelope = d.NewEnvelope(status: new DeviceStatus());
            envelope.DeviceId = "somebody-else";
            return (Topics.Uplink(d.DeviceId, UplinkKind.Status), WireCodec.Encode(envelope));
        });
    }

    [Fact]
    public async Task Payload_over_the_limit_is_rejected()
    {
        await AssertRejectedAsync(RejectReason.TooLarge, d =>
        {
            var envelope = d.NewEnvelope(status: new DeviceStatus { StateMessage = new string('x', 2_000) });
            return (Topics.Uplink(d.DeviceId, UplinkKind.Status), WireCodec.Encode(envelope));
        }, new Dictionary<string, string?> { ["Ingestion:MaxPayloadBytes"] = "1024" });
    }

    [Fact]
    public async Task Payload_over_the_wire_limit_is_rejected_with_default_settings()
    {
        await AssertRejectedAsync(RejectReason.TooLarge, d => (Topics.Uplink(d.DeviceId, UplinkKind.Status), new byte[WireCodec.MaxUplinkBytes + 1]));
    }

    [Fact]
    public async Task Unsupported_schema_version_is_rejected()
    {
        await AssertRejectedAsync(RejectReason.UnsupportedSchema, d =>
        {
            var envelope = d.NewEnvelope(status: new DeviceStatus());
            envelope.SchemaVersion = Envelope.CurrentSchemaVersion + 1;
            return (Topics.Uplink(d.DeviceId, UplinkKind.Status), WireCodec.Encode(envelope));
        });
    }

    [Fact]
    public async Task Envelope_without_exactly_one_payload_is_rejected_as_invalid()
    {
        await AssertRejectedAsync(RejectReason.Invalid, d =>
            (Topics.Uplink(d.DeviceId, UplinkKind.Status), WireCodec.Encode(d.NewEnvelope(status: new DeviceStatus(), heartbeat: new Heartbeat()))));
    }

    [Fact]
    public async Task Payload_kind_different_from_the_topic_kind_is_rejected()
    {
        await AssertRejectedAsync(RejectReason.KindMismatch, d =>
            (Topics.Uplink(d.DeviceId, UplinkKind.Event), WireCodec.Encode(d.NewEnvelope(status: new DeviceStatus()))));
    }

    private static async Task AssertRejectedAsync(
        string reason,
        Func<DeviceClient, (string Topic, byte[] Payload)> bad,
        Dictionary<string, string?>? settings = null)
    {
        await using var host = new CloudHost(settings: settings);
        await using var device = await host.ConnectDeviceAsync("reject-me");
        var (topic, payload) = bad(device);

        var result = await device.PublishAsync(topic, payload);

        Assert.NotEqual(MqttClientPublishReasonCode.Success, result.ReasonCode);
        Assert.Equal(1, host.Metrics.RejectedTotal(reason));
        Assert.True(host.Logged(IngestionEventIds.UplinkRejected, reason), $"expected a log line with reason {reason}");
        Assert.True(device.IsConnected);

        // Nothing stored, and the pipeline still works: a good message afterwards is stored and acked.
        var good = device.NewEnvelope(heartbeat: new Heartbeat { IntervalSeconds = 30 });
        Assert.Equal(MqttClientPublishReasonCode.Success, (await device.SendAsync(good)).ReasonCode);
        await device.WaitForAckAsync(good.Sequence);
        Assert.Equal([good.Sequence], await host.StoredSequencesAsync("reject-me"));
        Assert.Equal(0, host.Metrics.ErrorsTotal("broker.publish"));
    }
}
