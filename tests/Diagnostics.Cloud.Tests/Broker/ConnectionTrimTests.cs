using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Diagnostics.Cloud.Tests.Broker;

/// <summary>
/// What the broker trims from a connection (issue 22) changes no packet: properties larger than the trimmed buffer
/// still encode whole (MQTT 5 section 3.4.2.2: a PUBACK's reason string and user properties), and the one after them
/// too; the token is not kept once the CONNECT is validated.
/// </summary>
public sealed class ConnectionTrimTests
{
    [Fact]
    public void Packets_with_properties_larger_than_the_trimmed_buffer_encode_whole_and_so_does_the_next()
    {
        ConnectionTrim.CheckFields();
        var formatter = new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(256, 256));
        using var adapter = new MqttChannelAdapter(new SizeLimitedChannel.Closed(), formatter, MqttNetNullLogger.Instance);
        ConnectionTrim.Accepted(adapter);
        var connect = new MqttConnectPacket { ClientId = "trimmed", Username = "trimmed", Password = "the-token"u8.ToArray() };
        ConnectionTrim.Validated(new ValidatingConnectionEventArgs(connect, adapter, new Dictionary<object, object>(), TestContext.Current.CancellationToken));

        Assert.Null(connect.Password);
        Assert.Equal("trimmed", connect.ClientId);

        var reason = new string('r', 10 * ConnectionTrim.PropertiesBufferBytes);
        var large = new MqttPubAckPacket
        {
            PacketIdentifier = 7,
            ReasonCode = MqttPubAckReasonCode.QuotaExceeded,
            ReasonString = reason,
            UserProperties = [new MqttUserProperty("why", new ReadOnlyMemory<byte>(new byte[3 * ConnectionTrim.PropertiesBufferBytes]))],
        };
        var decodedLarge = Assert.IsType<MqttPubAckPacket>(RoundTrip(formatter, large));
        Assert.Equal(reason, decodedLarge.ReasonString);
        Assert.Equal(3 * ConnectionTrim.PropertiesBufferBytes, Assert.Single(decodedLarge.UserProperties).ValueBuffer.Length);

        var small = new MqttPubAckPacket { PacketIdentifier = 8, ReasonCode = MqttPubAckReasonCode.NotAuthorized, ReasonString = "no" };
        var decodedSmall = Assert.IsType<MqttPubAckPacket>(RoundTrip(formatter, small));
        Assert.Equal((ushort)8, decodedSmall.PacketIdentifier);
        Assert.Equal("no", decodedSmall.ReasonString);
        Assert.Null(decodedSmall.UserProperties);
    }

    [Fact]
    public async Task A_trimmed_connection_gets_its_acks_and_a_large_downlink_in_order()
    {
        await using var host = new CloudHost();
        await using var device = await host.ConnectDeviceAsync("trimmed-device");

        // Several uplinks at once: their acks and the downlink share the trimmed send lock.
        var envelopes = Enumerable.Range(0, 20).Select(_ => device.NewEnvelope(status: new DeviceStatus { State = DeviceState.Idle })).ToList();
        var results = await Task.WhenAll(envelopes.Select(e => device.SendAsync(e)));
        Assert.All(results, r => Assert.True(r.IsSuccess));
        foreach (var envelope in envelopes)
            await device.WaitForAckAsync(envelope.Sequence);
    }

    /// <summary>Encodes with the trimmed formatter and decodes with a fresh one (MQTT 5 section 2.1: fixed header, remaining length, body).</summary>
    private static MqttPacket RoundTrip(MqttPacketFormatterAdapter formatter, MqttPacket packet)
    {
        var bytes = formatter.Encode(packet).ToArray();
        formatter.Cleanup();
        var (length, offset, shift) = (0, 1, 0);
        byte next;
        do
        {
            next = bytes[offset++];
            length |= (next & 0x7F) << shift;
            shift += 7;
        }
        while ((next & 0x80) != 0);
        Assert.Equal(bytes.Length - offset, length);
        var reader = new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(256, 256));
        return reader.Decode(new ReceivedMqttPacket(bytes[0], new ArraySegment<byte>(bytes, offset, length), bytes.Length));
    }
}
