using System.Net;
using System.Net.Sockets;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using MQTTnet.Server.Internal.Adapter;

namespace Diagnostics.Cloud.Broker;

/// <summary>
/// The in-process MQTTnet broker. Authenticates devices, enforces the topic ACL, tracks presence, and hands uplinks
/// straight from its publish hook to ingestion (no loop-back subscription). Also the cloud's downlink publisher.
/// </summary>
public sealed partial class EmbeddedBroker(
    IOptions<BrokerOptions> options,
    DeviceRegistry registry,
    UplinkIntake intake,
    PresenceTracker presence,
    ClientLimits limits,
    CloudMetrics metrics,
    ILogger<EmbeddedBroker> logger) : IHostedService, IDownlinkPublisher, IAsyncDisposable
{
    /// <summary>The sender id of messages the cloud injects; never a valid device id, so no device can claim it.</summary>
    internal const string CloudSenderId = "$cloud";

    private MqttServer? _server;
    // Connect, disconnect and last-will events arrive on MQTTnet's threads; stopping waits for the presence writes
    // they started, and ignores those the stop itself causes (the store may already be going away).
    private readonly PresenceWrites _presenceWrites = new();
    private readonly Lock _stopLock = new();
    private Task? _stopping;

    /// <summary>The TCP port the broker listens on, once started.</summary>
    public int Port { get; private set; }

    public bool IsRunning => _server?.IsStarted ?? false;

    public async Task<int> ConnectedClientCountAsync()
    {
        var server = _server;
        return server is { IsStarted: true } ? (await server.GetClientsAsync()).Count : 0;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var address = IPAddress.Parse(settings.BindAddress);
        Port = settings.Port == 0 ? FreePort(address) : settings.Port;
        // One address, one listener: MQTTnet would otherwise also listen on [::] for an IPv4 bind address.
        var ipv6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(ipv6 ? IPAddress.None : address)
            .WithDefaultEndpointBoundIPV6Address(ipv6 ? address : IPAddress.None)
            .WithDefaultEndpointPort(Port)
            .Build();
        var server = new MqttServerFactory().CreateMqttServer(serverOptions, [limits.GuardPacketSizes(new MqttTcpServerAdapter())]);
        server.ValidatingConnectionAsync += ValidateConnectionAsync;
        server.InterceptingPublishAsync += InterceptPublishAsync;
        server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        server.ClientSubscribedTopicAsync += e =>
        {
            if (e.TopicFilter.Topic == Topics.DownlinkFilter(e.ClientId))
                presence.SubscribedToDownlink(e.ClientId);
            return Task.CompletedTask;
        };
        server.ClientConnectedAsync += e => _presenceWrites.Run(() => presence.ConnectedAsync(e.ClientId, CancellationToken.None));
        server.ClientDisconnectedAsync += e => e.DisconnectType == MqttClientDisconnectType.Takeover
            ? Task.CompletedTask
            : _presenceWrites.Run(() => presence.DisconnectedAsync(e.ClientId, CancellationToken.None));
        await server.StartAsync();
        _server = server;
        LogStarted(settings.BindAddress, Port);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // The host can stop twice at once (WebApplication.RunAsync ending while its owner stops it too), and
        // MQTTnet's listener cleanup is not thread-safe: one stop runs, and every caller waits for it — a second caller
        // returning early let the host dispose the store while the first still drained presence writes.
        Task stopping;
        lock (_stopLock)
            stopping = _stopping ??= StopOnceAsync();
        return stopping.WaitAsync(cancellationToken);
    }

    private async Task StopOnceAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await _presenceWrites.CloseAsync();
            await server.StopAsync();
            server.Dispose();
            LogStopped();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    /// <summary>The message the broker keeps retained on <paramref name="topic"/> (what a new subscriber would get), if any.</summary>
    internal async Task<MqttApplicationMessage?> RetainedMessageAsync(string topic)
    {
        var server = _server ?? throw new InvalidOperationException("The broker is not started.");
        return await server.GetRetainedMessageAsync(topic);
    }

    public async Task PublishAsync(string topic, byte[] payload, CancellationToken cancellationToken, bool retain = false)
    {
        var server = _server ?? throw new InvalidOperationException("The broker is not started.");
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = CloudSenderId }, cancellationToken);
    }

    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        try
        {
            if (e.ClientId != e.UserName)
            {
                Refuse(e, MqttConnectReasonCode.ClientIdentifierNotValid, "client id differs from user name");
                return;
            }
            if (!await registry.VerifyAsync(e.ClientId, e.Password, CancellationToken.None))
            {
                Refuse(e, MqttConnectReasonCode.BadUserNameOrPassword, "unknown device or wrong token");
                return;
            }
            if (!limits.AdmitConnection(e))
            {
                e.ReasonCode = MqttConnectReasonCode.ConnectionRateExceeded;
                return;
            }
            e.ReasonCode = MqttConnectReasonCode.Success;
        }
        catch (Exception ex)
        {
            metrics.Error("broker.auth");
            LogAuthError(ex, e.ClientId);
            Refuse(e, MqttConnectReasonCode.ServerUnavailable, "authentication error");
        }
    }

    private void Refuse(ValidatingConnectionEventArgs e, MqttConnectReasonCode code, string why)
    {
        e.ReasonCode = code;
        metrics.Rejected(RejectReason.AuthFailed);
        LogAuthRefused(e.ClientId, e.UserName, why, e.RemoteEndPoint?.ToString() ?? "");
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        if (e.ClientId == CloudSenderId)
            return;
        var topic = e.ApplicationMessage.Topic;
        try
        {
            if (!await limits.AdmitPublishAsync(e.ClientId, e.CancellationToken))
            {
                Deny(e, MqttPubAckReasonCode.QuotaExceeded, "message rate too high");
                return;
            }
            if (!TopicAcl.MayPublish(e.ClientId, topic))
            {
                Deny(e, MqttPubAckReasonCode.NotAuthorized);
                metrics.Rejected(RejectReason.AclDenied);
                LogPublishDenied(e.ClientId, topic);
                return;
            }
            var parsed = Topics.Parse(topic);
            if (parsed.Direction == TopicDirection.Presence)
            {
                // A last will is published as the connection dies, possibly while the broker stops: tracked like disconnects.
                var payload = e.ApplicationMessage.Payload;
                string? refused = null;
                await _presenceWrites.Run(async () => refused = await presence.PresenceMessageAsync(e.ClientId, payload, e.CancellationToken));
                // A valid presence goes on (retained when flagged: the protocol's only retained message from a device);
                // a refused one is neither routed nor retained.
                if (refused is not null)
                    Deny(e, refused == RejectReason.TooLarge ? MqttPubAckReasonCode.QuotaExceeded : MqttPubAckReasonCode.PayloadFormatInvalid);
                return;
            }
            if (!limits.AdmitUplink(e.ClientId))
            {
                Deny(e, MqttPubAckReasonCode.QuotaExceeded, "too many uplinks waiting to be stored");
                return;
            }
            var rejection = await intake.AcceptAsync(e.ClientId, parsed, e.ApplicationMessage.Payload, e.CancellationToken);
            if (rejection is null)
            {
                // Ingested in-process: the hook is the uplink's consumer, so the broker does not route it on
                // (otherwise the device would get "no matching subscribers" instead of success).
                e.ProcessPublish = false;
                e.Response.ReasonCode = MqttPubAckReasonCode.Success;
            }
            else
            {
                Deny(e, rejection == RejectReason.TooLarge ? MqttPubAckReasonCode.QuotaExceeded
                    : rejection is RejectReason.TopicMismatch or RejectReason.UnknownKind or RejectReason.KindMismatch ? MqttPubAckReasonCode.TopicNameInvalid
                    : MqttPubAckReasonCode.PayloadFormatInvalid);
            }
        }
        catch (OperationCanceledException) when (e.CancellationToken.IsCancellationRequested)
        {
            Deny(e, MqttPubAckReasonCode.UnspecifiedError);
        }
        catch (Exception ex)
        {
            metrics.Error("broker.publish");
            LogHookError(ex, e.ClientId, topic);
            Deny(e, MqttPubAckReasonCode.UnspecifiedError);
        }
    }

    private static void Deny(InterceptingPublishEventArgs e, MqttPubAckReasonCode code, string? reason = null)
    {
        e.ProcessPublish = false;
        e.Response.ReasonCode = code;
        e.Response.ReasonString = reason;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var filter = e.TopicFilter.Topic;
        if (!TopicAcl.MaySubscribe(e.ClientId, filter))
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            metrics.Rejected(RejectReason.SubscribeDenied);
            LogSubscribeDenied(e.ClientId, filter);
        }
        return Task.CompletedTask;
    }

    private static int FreePort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LoggerMessage(EventId = EventIds.BrokerStarted, Level = LogLevel.Information, Message = "MQTT broker listening on {BindAddress}:{Port}")]
    private partial void LogStarted(string bindAddress, int port);

    [LoggerMessage(EventId = EventIds.BrokerStopped, Level = LogLevel.Information, Message = "MQTT broker stopped")]
    private partial void LogStopped();

    [LoggerMessage(EventId = EventIds.AuthRefused, Level = LogLevel.Warning, Message = "Connection refused for client {ClientId} (user {UserName}) from {RemoteEndPoint}: {Reason}")]
    private partial void LogAuthRefused(string clientId, string userName, string reason, string remoteEndPoint);

    [LoggerMessage(EventId = EventIds.AuthError, Level = LogLevel.Error, Message = "Authentication of client {ClientId} failed with an error")]
    private partial void LogAuthError(Exception exception, string clientId);

    [LoggerMessage(EventId = EventIds.PublishDenied, Level = LogLevel.Warning, Message = "Publish by {ClientId} to {Topic} denied by the topic ACL")]
    private partial void LogPublishDenied(string clientId, string topic);

    [LoggerMessage(EventId = EventIds.SubscribeDenied, Level = LogLevel.Warning, Message = "Subscription by {ClientId} to {TopicFilter} denied by the topic ACL")]
    private partial void LogSubscribeDenied(string clientId, string topicFilter);

    [LoggerMessage(EventId = EventIds.HookError, Level = LogLevel.Error, Message = "Publish by {ClientId} to {Topic} failed in the broker hook")]
    private partial void LogHookError(Exception exception, string clientId, string topic);

    /// <summary>Presence writes in flight, so a stop can wait for them and refuse new ones.</summary>
    private sealed class PresenceWrites
    {
        private readonly Lock _lock = new();
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private bool _closed;

        public async Task Run(Func<Task> write)
        {
            lock (_lock)
            {
                if (_closed)
                    return;
                _inFlight++;
            }
            try
            {
                await write();
            }
            finally
            {
                lock (_lock)
                {
                    if (--_inFlight == 0 && _closed)
                        _drained.TrySetResult();
                }
            }
        }

        public Task CloseAsync()
        {
            lock (_lock)
            {
                _closed = true;
                if (_inFlight == 0)
                    _drained.TrySetResult();
            }
            return _drained.Task;
        }
    }
}
