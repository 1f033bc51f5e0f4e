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
/// TCP server adapter (so its endpoints, TLS included, stay MQTTnet's) and gives every accepted connection an adapter
/// whose channel (<see cref="SizeLimitedChannel"/>) reads the fixed header first and refuses a packet that is too
/// large before its body is read: <see cref="ClientLimitsOptions.MaxPacketBytesBeforeAuthentication"/> for the first
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
    private MqttServerOptions? _serverOptions;
    private IMqttNetLogger _mqttLogger = MqttNetNullLogger.Instance;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    internal ClientLimitsOptions Options => options;

    internal TimeProvider Time => time;

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _serverOptions = options;
        _mqttLogger = logger ?? MqttNetNullLogger.Instance;
        // Fails at start, not on the first connection, if a new MQTTnet no longer keeps its channel where we read it.
        const string moved = "MQTTnet's channel adapter no longer keeps its channel in '_channel'; the packet size guard cannot work.";
        using (var probe = new MqttChannelAdapter(new SizeLimitedChannel.Closed(), new MqttPacketFormatterAdapter(new MqttBufferWriter(16, 16)), _mqttLogger))
        {
            try
            {
                if (ChannelOf(probe) is not SizeLimitedChannel.Closed)
                    throw new InvalidOperationException(moved);
            }
            catch (MissingFieldException ex)
            {
                throw new InvalidOperationException(moved, ex);
            }
        }
        inner.ClientHandler = OnClientAcceptedAsync;
        return inner.StartAsync(options, logger);
    }

    public Task StopAsync() => inner.StopAsync();

    public void Dispose() => inner.Dispose();

    private async Task OnClientAcceptedAsync(IMqttChannelAdapter accepted)
    {
        if (ClientHandler is not { } handler)
            return;
        if (accepted is not MqttChannelAdapter tcp || _serverOptions is not { } serverOptions)
        {
            await handler(accepted);
            return;
        }
        // The listener disposes the adapter it made (and with it the TCP channel) when this returns.
        var channel = new SizeLimitedChannel(ChannelOf(tcp), this);
        using var adapter = new MqttChannelAdapter(
            channel,
            new MqttPacketFormatterAdapter(new MqttBufferWriter(serverOptions.WriterBufferSize, serverOptions.WriterBufferSizeMax)),
            _mqttLogger)
        {
            AllowPacketFragmentation = tcp.AllowPacketFragmentation,
        };
        channel.Adapter = adapter;
        connections.Add(adapter, channel);
        await handler(adapter);
    }

    internal void Refused(SizeLimitedChannel channel, long packetBytes, int limit, bool beforeAuthentication, long bytesRead)
    {
        metrics.Rejected(RejectReason.PacketTooLarge);
        LogRefused(packetBytes, beforeAuthentication ? "before authentication" : "after authentication", channel.DeviceId ?? "",
            channel.RemoteEndPoint?.ToString() ?? "", limit, bytesRead);
    }

    // MQTTnet 5.2's MqttChannelAdapter has no public way to its channel, and the TCP listener builds both itself.
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_channel")]
    private static extern ref readonly IMqttChannel ChannelOf(MqttChannelAdapter adapter);

    [LoggerMessage(EventId = BrokerEventIds.PacketTooLarge, Level = LogLevel.Warning,
        Message = "Packet of {PacketBytes} bytes refused {Stage} (device {DeviceId}, {RemoteEndPoint}): the limit is {Limit} bytes; {BytesRead} bytes of it were read")]
    private partial void LogRefused(long packetBytes, string stage, string deviceId, string remoteEndPoint, int limit, long bytesRead);
}
