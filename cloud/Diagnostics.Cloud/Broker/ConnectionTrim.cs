using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Formatter.V5;
using MQTTnet.Internal;
using MQTTnet.Packets;
using MQTTnet.Server;

namespace Diagnostics.Cloud.Broker;

/// <summary>
/// Gives back what MQTTnet 5.2 sizes for a busy connection and then keeps for every connection's life (issue 22: the
/// broker's bytes per connected device, measured with a heap dump of the cloud holding 5,000 devices):
/// <list type="bullet">
/// <item>the channel adapter's send lock starts with room for 64 waiters (a 536-byte array): trimmed to none when the
/// connection is accepted; sends are serialised by it, and one that has to wait grows the queue again (4, 8, …);</item>
/// <item>the MQTT 5 encoder's properties writer is created with a 1,024-byte buffer that its reset never shrinks below
/// 4,096: replaced once the CONNECT is validated (nothing has been encoded yet) by one of
/// <see cref="PropertiesBufferBytes"/> that grows for a packet with larger properties and shrinks back after it;</item>
/// <item>the session's items (MQTTnet's per-session dictionary, where <see cref="DeviceSessionDelivery"/> keeps its
/// downlink filters) are made as a concurrent dictionary sized for 31 entries and one lock per core: replaced, before the
/// session is made from the validation's arguments, by one sized for the one entry a device's session holds;</item>
/// <item>after a successful validation the CONNECT's body stays referenced by the formatter's protocol-detection reader,
/// and the token by the CONNECT packet the client keeps: both are let go (the token is never read again).</item>
/// </list>
/// None of these is reachable through MQTTnet's API; <see cref="CheckFields"/> fails the broker's start, not a
/// connection, when a new MQTTnet moved them.
/// </summary>
internal static class ConnectionTrim
{
    /// <summary>CONNACKs, SUBACKs and PUBACKs with a reason string fit; the cloud's downlinks carry no properties.</summary>
    internal const int PropertiesBufferBytes = 64;

    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;

    // The waiter queue's element type is private to AsyncLock, so its TrimExcess is reached by reflection (once).
    private static readonly FieldInfo? WaitersField = typeof(AsyncLock).GetField("_waiters", Instance);
    private static readonly MethodInfo? TrimWaiters = WaitersField?.FieldType.GetMethod("TrimExcess", Type.EmptyTypes);

    /// <summary>At accept, before the adapter has sent anything.</summary>
    public static void Accepted(MqttChannelAdapter adapter)
    {
        var sendLock = SendLockOf(adapter);
        lock (SyncRootOf(sendLock))
            TrimWaiters!.Invoke(WaitersField!.GetValue(sendLock), null);
    }

    /// <summary>After the CONNECT was validated and before the CONNACK is encoded.</summary>
    public static void Validated(ValidatingConnectionEventArgs connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ConnectPacketOf(connection).Password = null;
        // Empty until a hook writes to it, and the validation hook is the first; MQTTnet builds the session with this one.
        SessionItemsOf(connection) = new ConcurrentDictionary<object, object>(concurrencyLevel: 1, capacity: 1);
        var formatter = connection.ChannelAdapter.PacketFormatterAdapter;
        ProtocolReaderOf(formatter).SetBuffer(EmptyBuffer.Array, 0, 0);
        if (FormatterOf(formatter) is MqttV5PacketFormatter v5)
            PropertiesWriterOf(EncoderOf(v5)) = new MqttV5PropertiesWriter(new MqttBufferWriter(PropertiesBufferBytes, PropertiesBufferBytes));
    }

    /// <summary>Throws when one of the fields trimmed here is gone or of another type (a new MQTTnet).</summary>
    public static void CheckFields()
    {
        try
        {
            if (WaitersField is null || TrimWaiters is null)
                throw new MissingFieldException(nameof(AsyncLock), "_waiters");
            var formatter = new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(16, 16));
            using var adapter = new MqttChannelAdapter(new SizeLimitedChannel.Closed(), formatter, MqttNetNullLogger.Instance);
            Accepted(adapter);
            var connect = new MqttConnectPacket { ClientId = "probe", Password = [1] };
            var connection = new ValidatingConnectionEventArgs(connect, adapter, new Dictionary<object, object>(), CancellationToken.None);
            Validated(connection);
            if (connect.Password is not null || connection.SessionItems is not ConcurrentDictionary<object, object> || FormatterOf(formatter) is not MqttV5PacketFormatter v5 || PropertiesWriterOf(EncoderOf(v5)) is null)
                throw new MissingFieldException(nameof(ValidatingConnectionEventArgs), "_connectPacket or _propertiesWriter");
        }
        catch (MissingFieldException ex)
        {
            throw new InvalidOperationException(
                $"MQTTnet's connection internals moved ({ex.Message}); the broker cannot trim its per-connection buffers. Check ConnectionTrim against this MQTTnet.", ex);
        }
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_syncRoot")]
    private static extern ref AsyncLock SendLockOf(MqttChannelAdapter adapter);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_syncRoot")]
    private static extern ref object SyncRootOf(AsyncLock sendLock);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_connectPacket")]
    private static extern ref MqttConnectPacket ConnectPacketOf(ValidatingConnectionEventArgs connection);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "<SessionItems>k__BackingField")]
    private static extern ref IDictionary SessionItemsOf(ValidatingConnectionEventArgs connection);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_bufferReader")]
    private static extern ref MqttBufferReader ProtocolReaderOf(MqttPacketFormatterAdapter formatter);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_formatter")]
    private static extern ref IMqttPacketFormatter FormatterOf(MqttPacketFormatterAdapter formatter);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_encoder")]
    private static extern ref MqttV5PacketEncoder EncoderOf(MqttV5PacketFormatter formatter);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_propertiesWriter")]
    private static extern ref MqttV5PropertiesWriter PropertiesWriterOf(MqttV5PacketEncoder encoder);
}
