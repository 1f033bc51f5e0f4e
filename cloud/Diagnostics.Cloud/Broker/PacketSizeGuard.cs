using System.Runtime.CompilerServices;
using Diagnostics.Cloud.Observability;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Server;

namespace Diagnostics.Cloud.Broker;

/// <summary>
/// Puts a maximum packet size under MQTTnet's server, which has none: its channel adapter reads a packet's remaining
/// length and then allocates and fills a buffer of that size (up to 256 MiB) before any hook runs. This wraps the
/// TCP server adapter (so its endpoints, TLS included, stay MQTTnet's) and puts a channel
/// (<see cref="SizeLimitedChannel"/>) between every accepted connection's adapter and its TCP channel, which reads the
/// fixed header first and refuses a packet that is too large before its body is read: <see cref="ClientLimitsOptions.MaxPacketBytesBeforeAuthentication"/> for the first
/// packet (the CONNECT), <see cref="ClientLimitsOptions.MaxPacketBytes"/> after it.
/// </summary>
internal sealed partial class PacketSizeGuard(
    IMqttServerAdapter inner,
    ConditionalWeakTable<IMqttChannelAdapter, SizeLimitedChannel> connections,
    ClientLimitsOptions options,
    TimeProvider time,
    CloudMetrics metrics,
    ILogger logger) : IMqttServerAdapter
{
    private IMqttNetLogger _mqttLogger = MqttNetNullLogger.Instance;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    internal ClientLimitsOptions Options => options;

    internal TimeProvider Time => time;

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _mqttLogger = logger ?? MqttNetNullLogger.Instance;
        // Fails at start, not on the first connection, if a new MQTTnet no longer keeps its channel where we swap it.
        const string moved = "MQTTnet's channel adapter no longer keeps its channel in '_channel'; the packet size guard cannot work.";
        using (var probe = new MqttChannelAdapter(new SizeLimitedChannel.Closed(), new MqttPacketFormatterAdapter(new MqttBufferWriter(16, 16)), _mqttLogger))
        {
            try
            {
                var swapped = new SizeLimitedChannel.Closed();
                ChannelOf(probe) = swapped;
                if (!ReferenceEquals(ChannelOf(probe), swapped))
                    throw new InvalidOperationException(moved);
            }
            catch (MissingFieldException ex)
            {
                throw new InvalidOperationException(moved, ex);
            }
        }
        ConnectionTrim.CheckFields();
        inner.ClientHandler = OnClientAcceptedAsync;
        return inner.StartAsync(options, logger);
    }

    public Task StopAsync() => inner.StopAsync();

    public void Dispose() => inner.Dispose();

    // Not async: the connection's whole life is awaited by the listener, and a state machine here would be kept as long.
    private Task OnClientAcceptedAsync(IMqttChannelAdapter accepted)
    {
        if (ClientHandler is not { } handler)
            return Task.CompletedTask;
        if (accepted is MqttChannelAdapter tcp)
        {
            // The listener's own adapter reads through the guard: its channel is swapped before it has read a byte. A
            // second adapter around the guard cost every connection another writer buffer, packet formatter and send lock
            // (about 2.5 KB, issue 22). The listener disposes its adapter, and with it the guard and the TCP channel, when
            // the handler's task ends.
            var channel = new SizeLimitedChannel(ChannelOf(tcp), this) { Adapter = tcp };
            ChannelOf(tcp) = channel;
            connections.Add(tcp, channel);
            ConnectionTrim.Accepted(tcp);
        }
        return handler(accepted);
    }

    internal void Refused(SizeLimitedChannel channel, long packetBytes, int limit, bool beforeAuthentication, long bytesRead)
    {
        metrics.Rejected(RejectReason.PacketTooLarge);
        LogRefused(packetBytes, beforeAuthentication ? "before authentication" : "after authentication", channel.DeviceId ?? "",
            channel.RemoteEndPoint?.ToString() ?? "", limit, bytesRead);
    }

    // MQTTnet 5.2's MqttChannelAdapter has no public way to its channel, and the TCP listener builds both itself. The
    // field is readonly in C#; written here once, before the adapter's first read or write, from the accepting thread.
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_channel")]
    private static extern ref IMqttChannel ChannelOf(MqttChannelAdapter adapter);

    [LoggerMessage(EventId = BrokerEventIds.PacketTooLarge, Level = LogLevel.Warning,
        Message = "Packet of {PacketBytes} bytes refused {Stage} (device {DeviceId}, {RemoteEndPoint}): the limit is {Limit} bytes; {BytesRead} bytes of it were read")]
    private partial void LogRefused(long packetBytes, string stage, string deviceId, string remoteEndPoint, int limit, long bytesRead);
}
