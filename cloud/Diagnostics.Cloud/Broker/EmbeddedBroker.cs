using Diagnostics.Cloud.Messaging;
using System.Buffers;
using Diagnostics.Cloud.Certificates;
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
/// straight from its publish hook to ingestion (no loop-back subscription). Also the cloud's downlink publisher, and
/// where a device renews its certificate (<c>up/csr</c>, answered on <c>down/certificate</c>).
/// </summary>
public sealed partial class EmbeddedBroker(
    IOptions<BrokerOptions> options,
    DeviceAuthenticator authenticator,
    ServerCertificate certificate,
    CertificateEnrollment enrollment,
    UplinkIntake intake,
    PresenceTracker presence,
    ClientLimits limits,
    CloudMetrics metrics,
    ILogger<EmbeddedBroker> logger) : IHostedService, IDownlinkPublisher, IDeviceSessionEnding, IAsyncDisposable
{
    /// <summary>The sender id of messages the cloud injects; never a valid device id, so no device can claim it.</summary>
    internal const string CloudSenderId = "$cloud";

    private MqttServer? _server;
    // Connect, disconnect and last-will events arrive on MQTTnet's threads; stopping waits for the presence writes
    // they started, and ignores those the stop itself causes (the store may already be going away).
    private readonly PresenceWrites _presenceWrites = new();
    private readonly DeviceSessionDelivery _downlinks = new();
    private readonly Lock _stopLock = new();
    private Task? _stopping;

    /// <summary>The plain MQTT port the broker listens on, once started; 0 when it has no plain listener.</summary>
    public int Port { get; private set; }

    /// <summary>The MQTT over TLS port the broker listens on, once started; 0 when it has no TLS listener.</summary>
    public int TlsPort { get; private set; }

    public bool IsRunning => _server?.IsStarted ?? false;

    public async Task<int> ConnectedClientCountAsync()
    {
        var server = _server;
        return server is { IsStarted: true } ? (await server.GetClientsAsync()).Count : 0;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var serverOptions = BrokerEndpoints.Build(settings, certificate);
        var server = new MqttServerFactory().CreateMqttServer(serverOptions, [limits.GuardPacketSizes(new MqttTcpServerAdapter())]);
        server.ValidatingConnectionAsync += ValidateConnectionAsync;
        server.InterceptingPublishAsync += InterceptPublishAsync;
        server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        server.InterceptingUnsubscriptionAsync += InterceptUnsubscription;
        server.ClientConnectedAsync += e => _presenceWrites.Run(() => presence.ConnectedAsync(e.ClientId, CancellationToken.None));
        server.ClientDisconnectedAsync += e => e.DisconnectType == MqttClientDisconnectType.Takeover
            ? Task.CompletedTask
            : _presenceWrites.Run(() => presence.DisconnectedAsync(e.ClientId, CancellationToken.None));
        await server.StartAsync();
        _server = server;
        (Port, TlsPort) = BrokerEndpoints.BoundPorts(serverOptions);
        if (TlsPort != 0)
            LogStartedTls(settings.BindAddress, TlsPort, certificate.CertificatePath);
        if (Port != 0)
            LogStartedPlain(settings.BindAddress, Port);
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

    /// <summary>What MQTTnet's own retained store holds (what a new subscriber would be sent): nothing, by design.</summary>
    internal async Task<IList<MqttApplicationMessage>> RetainedMessagesAsync()
    {
        var server = _server ?? throw new InvalidOperationException("The broker is not started.");
        return await server.GetRetainedMessagesAsync();
    }

    /// <summary>Straight into the device's own session (see <see cref="DeviceSessionDelivery"/>), not through the publish path.</summary>
    public async Task PublishAsync(string topic, byte[] payload, CancellationToken cancellationToken, bool retain = false,
        DownlinkDelivery delivery = DownlinkDelivery.AtLeastOnce)
    {
        var server = _server ?? throw new InvalidOperationException("The broker is not started.");
        cancellationToken.ThrowIfCancellationRequested();
        await _downlinks.DeliverAsync(server, topic, payload, retain, delivery);
    }

    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        try
        {
            var authentication = await authenticator.AuthenticateAsync(e.ClientId, e.UserName, e.Password, e.ClientCertificate, CancellationToken.None);
            if (!authentication.IsSuccess)
            {
                Refuse(e, authentication.ReasonCode, authentication.Reason);
                return;
            }
            if (!limits.AdmitConnection(e))
            {
                e.ReasonCode = MqttConnectReasonCode.ConnectionRateExceeded;
                return;
            }
            e.ReasonCode = MqttConnectReasonCode.Success;
            ConnectionTrim.Validated(e);
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
            if (parsed.Kind == Topics.CertificateRequestKind && parsed.Direction == TopicDirection.Up)
            {
                await RenewCertificateAsync(e, parsed.DeviceId);
                return;
            }
            if (parsed.Direction == TopicDirection.Presence)
            {
                // A last will is published as the connection dies, possibly while the broker stops: tracked like disconnects.
                var payload = e.ApplicationMessage.Payload;
                string? refused = null;
                await _presenceWrites.Run(async () => refused = await presence.PresenceMessageAsync(e.ClientId, payload, e.CancellationToken));
                // Consumed here, like an uplink: nobody may subscribe to another device's presence, and keeping it
                // retained would put one message per device in the store every new subscription is tested against.
                // A refused one changes nothing and its sender is told why.
                if (refused is not null)
                {
                    Deny(e, refused == RejectReason.TooLarge ? MqttPubAckReasonCode.QuotaExceeded : MqttPubAckReasonCode.PayloadFormatInvalid);
                    return;
                }
                e.ProcessPublish = false;
                e.Response.ReasonCode = MqttPubAckReasonCode.Success;
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
        // Granted or not, MQTTnet keeps nothing: an allowed filter lives in the session's downlink filters only.
        e.ProcessSubscription = false;
        if (!TopicAcl.MaySubscribe(e.ClientId, filter))
        {
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            metrics.Rejected(RejectReason.SubscribeDenied);
            LogSubscribeDenied(e.ClientId, filter);
            return Task.CompletedTask;
        }
        // Only filters the ACL allowed get here, so every one is below the device's own downlink.
        e.Response.ReasonCode = _downlinks.Subscribed(e.Session, e.ClientId, e.TopicFilter) == MqttQualityOfServiceLevel.AtMostOnce
            ? MqttSubscribeReasonCode.GrantedQoS0 : MqttSubscribeReasonCode.GrantedQoS1;
        if (filter == Topics.DownlinkFilter(e.ClientId))
            presence.SubscribedToDownlink(e.ClientId);
        return Task.CompletedTask;
    }

    private static Task InterceptUnsubscription(InterceptingUnsubscriptionEventArgs e)
    {
        // MQTTnet answers "no subscription existed" for every filter, since it keeps none of a device's.
        e.ProcessUnsubscription = false;
        e.Response.ReasonCode = DeviceSessionDelivery.Unsubscribed(e.SessionItems, e.Topic)
            ? MqttUnsubscribeReasonCode.Success : MqttUnsubscribeReasonCode.NoSubscriptionExisted;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Ends a device's live session at once (its credentials were revoked or rotated); the broker's next CONNECT check
    /// refuses it. False when the device is not connected.
    /// </summary>
    public async Task<bool> EndSessionAsync(string deviceId, string why)
    {
        if (_server is not { IsStarted: true } server)
            return false;
        try
        {
            await server.DisconnectClientAsync(deviceId, new MqttServerClientDisconnectOptions
            {
                ReasonCode = MqttDisconnectReasonCode.NotAuthorized,
                ReasonString = $"credentials {why}",
            });
        }
        catch (InvalidOperationException)
        {
            // Not connected (or gone meanwhile): nothing to end.
            return false;
        }
        LogSessionEnded(deviceId, why);
        return true;
    }

    Task IDeviceSessionEnding.EndAsync(string deviceId, bool revoked, CancellationToken cancellationToken) =>
        EndSessionAsync(deviceId, revoked ? "revoked" : "rotated");

    /// <summary>
    /// <c>dx/{id}/up/csr</c>: the session authenticated the device (ACL: only its own topic), the payload is its next
    /// key's signing request; the certificate goes back on <c>dx/{id}/down/certificate</c>. Never routed on.
    /// </summary>
    private async Task RenewCertificateAsync(InterceptingPublishEventArgs e, string deviceId)
    {
        e.ProcessPublish = false;
        var payload = e.ApplicationMessage.Payload;
        if (payload.Length > Certificates.SigningRequests.MaxBytes)
        {
            e.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
            LogRenewalRefused(deviceId, $"request of {payload.Length} bytes");
            return;
        }
        var result = await enrollment.RenewAsync(deviceId, payload.ToArray(), e.CancellationToken);
        if (result.Certificate is not { } issued)
        {
            e.Response.ReasonCode = MqttPubAckReasonCode.PayloadFormatInvalid;
            LogRenewalRefused(deviceId, $"{result.Status}: {result.Detail}");
            return;
        }
        e.Response.ReasonCode = MqttPubAckReasonCode.Success;
        await PublishAsync(Topics.Downlink(deviceId, Topics.CertificateKind), issued.Der, e.CancellationToken);
    }

    [LoggerMessage(EventId = BrokerEventIds.BrokerStarted, Level = LogLevel.Information, Message = "MQTT broker listening for MQTT over TLS on {BindAddress}:{Port} (certificate {CertificatePath}; devices authenticate with a token or a client certificate from the device CA)")]
    private partial void LogStartedTls(string bindAddress, int port, string certificatePath);

    [LoggerMessage(EventId = BrokerEventIds.PlainListener, Level = LogLevel.Warning, Message = "MQTT broker listening for PLAIN, UNENCRYPTED MQTT on {BindAddress}:{Port}: device tokens cross the network in clear text. For development only; set Broker:PlainEnabled=false in production")]
    private partial void LogStartedPlain(string bindAddress, int port);

    [LoggerMessage(EventId = BrokerEventIds.DeviceSessionEnded, Level = LogLevel.Warning, Message = "Session of device {DeviceId} ended: its credentials were {Why}")]
    private partial void LogSessionEnded(string deviceId, string why);

    [LoggerMessage(EventId = BrokerEventIds.CertificateRenewalRefused, Level = LogLevel.Warning, Message = "Certificate renewal of device {DeviceId} refused: {Reason}")]
    private partial void LogRenewalRefused(string deviceId, string reason);

    [LoggerMessage(EventId = BrokerEventIds.BrokerStopped, Level = LogLevel.Information, Message = "MQTT broker stopped")]
    private partial void LogStopped();

    [LoggerMessage(EventId = BrokerEventIds.AuthRefused, Level = LogLevel.Warning, Message = "Connection refused for client {ClientId} (user {UserName}) from {RemoteEndPoint}: {Reason}")]
    private partial void LogAuthRefused(string clientId, string userName, string reason, string remoteEndPoint);

    [LoggerMessage(EventId = BrokerEventIds.AuthError, Level = LogLevel.Error, Message = "Authentication of client {ClientId} failed with an error")]
    private partial void LogAuthError(Exception exception, string clientId);

    [LoggerMessage(EventId = BrokerEventIds.PublishDenied, Level = LogLevel.Warning, Message = "Publish by {ClientId} to {Topic} denied by the topic ACL")]
    private partial void LogPublishDenied(string clientId, string topic);

    [LoggerMessage(EventId = BrokerEventIds.SubscribeDenied, Level = LogLevel.Warning, Message = "Subscription by {ClientId} to {TopicFilter} denied by the topic ACL")]
    private partial void LogSubscribeDenied(string clientId, string topicFilter);

    [LoggerMessage(EventId = BrokerEventIds.HookError, Level = LogLevel.Error, Message = "Publish by {ClientId} to {Topic} failed in the broker hook")]
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
