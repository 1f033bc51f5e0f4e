using System.Buffers;
using System.Threading.Channels;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace Diagnostics.Agent.Uplink;

/// <summary>
/// The device's MQTT 5 session: connects (and reconnects with exponential backoff and full jitter), keeps presence
/// retained with an "offline" last will, and drains the outbox in order with at most
/// <see cref="BrokerOptions.MaxInFlight"/> messages sent but not yet acknowledged by the cloud.
/// </summary>
/// <remarks>
/// A broker PUBACK is not delivery: only the cloud's Ack (after it stored the message) deletes from the outbox. If
/// acks stop coming while messages are outstanding, or after any reconnect, sending restarts from the lowest
/// unacknowledged sequence; the cloud drops the duplicates.
/// Downlink: <c>down/ack</c> is handled here; <c>down/command</c> and <c>down/consent</c> are decoded and handed to the
/// <see cref="IDownlinkHandler"/>, <c>down/update</c> to the <see cref="IUpdateOfferHandler"/> (what to do with them is
/// not the connection's business); anything else is logged.
/// </remarks>
public sealed partial class UplinkConnection
{
    private static readonly TimeSpan IdleRecheck = TimeSpan.FromSeconds(5);

    private readonly DeviceCredentials _credentials;
    private readonly BrokerOptions _options;

    /// <summary>How long stopping waits for a broker to take the "offline" presence and the disconnect: bounded, so a dead broker never holds shutdown.</summary>
    private static readonly TimeSpan OfflinePatience = TimeSpan.FromSeconds(5);
    private readonly Outbox _outbox;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly string _ackTopic;
    private readonly string _certificateTopic;
    private readonly DownlinkDispatcher _dispatcher;
    private readonly CertificateRenewal? _renewal;
    private CancellationToken _stopping;
    private int _reconnectRequested;
    private ulong _highestAckReceived;
    private ulong _ackedUpTo;
    private ulong _highestPublished;
    private long _published;
    private long _resends;
    private long _connects;
    private volatile bool _connected;
    private string _disconnectReason = "";

    /// <param name="downlink">Receives commands and consent sets; without one they are logged and ignored like unknown kinds.</param>
    /// <param name="updates">Receives update offers; without one they are logged and ignored like unknown kinds.</param>
    public UplinkConnection(
        DeviceCredentials credentials, BrokerOptions options, Outbox outbox, TimeProvider time, Random random, ILogger<UplinkConnection> logger,
        IDownlinkHandler? downlink = null, IUpdateOfferHandler? updates = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(outbox);
        _credentials = credentials;
        _options = options;
        _outbox = outbox;
        _time = time;
        _random = random;
        _logger = logger;
        _ackTopic = Topics.Downlink(credentials.DeviceId, Topics.AckKind);
        _certificateTopic = Topics.Downlink(credentials.DeviceId, Topics.CertificateKind);
        _dispatcher = new DownlinkDispatcher(credentials.DeviceId, downlink, updates, logger);
        _renewal = credentials.Certificate is { } certificate ? new CertificateRenewal(credentials.DeviceId, certificate, time, logger) : null;
        outbox.Enqueued += Wake;
    }

    public bool IsConnected => _connected;

    /// <summary>Completes on the first connection: a caller that waits for it needs no polling.</summary>
    public Task FirstConnected => _firstConnected.Task;

    private readonly TaskCompletionSource _firstConnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Publishes accepted by the broker, resends included.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Times sending restarted from the lowest unacknowledged message because acks stopped.</summary>
    public long AckTimeouts => Interlocked.Read(ref _resends);

    /// <summary>Successful connections, the first included.</summary>
    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>The highest sequence the cloud has acknowledged and the outbox has deleted.</summary>
    public ulong AcknowledgedUpTo => Volatile.Read(ref _ackedUpTo);

    /// <summary>Commands, consent sets and update offers that could not be decoded (or that a handler failed on) since start.</summary>
    public long MalformedDownlinks => _dispatcher.Malformed;

    /// <summary>Client certificates renewed (received, saved and taken into use at the next connection) since start.</summary>
    public long CertificateRenewals => _renewal?.Renewals ?? 0;

    /// <summary>
    /// Closes the MQTT session cleanly and opens a new one at once (no backoff), as after any reconnect: subscribe
    /// again, presence online, resend from the lowest unacknowledged message. Nothing is lost (the outbox keeps
    /// everything) and presence does not flap (a clean disconnect suppresses the will). Ignored while not connected:
    /// the connection is being re-established anyway.
    /// </summary>
    public void RequestReconnect()
    {
        if (!_connected)
            return;
        Interlocked.Exchange(ref _reconnectRequested, 1);
        Wake();
    }

    /// <summary>Connects, drains and reconnects until cancelled; then says "offline" and disconnects cleanly.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _stopping = cancellationToken;
        var failures = 0;
        var factory = new MqttClientFactory();
        while (!cancellationToken.IsCancellationRequested)
        {
            var reconnectAtOnce = false;
            using var client = factory.CreateMqttClient();
            client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
            client.DisconnectedAsync += e =>
            {
                _disconnectReason = e.Exception?.Message ?? e.ReasonString ?? e.Reason.ToString();
                Wake();
                return Task.CompletedTask;
            };
            try
            {
                Log.Connecting(_logger, _credentials.DeviceId, _options.Host, _options.Port, failures + 1);
                Interlocked.Exchange(ref _reconnectRequested, 0);
                await ConnectAsync(client, cancellationToken);
                failures = 0;
                _connected = true;
                _firstConnected.TrySetResult();
                Interlocked.Increment(ref _connects);
                Log.Connected(_logger, _credentials.DeviceId, _options.Host, _options.Port, _outbox.Depth);
                await DrainAsync(client, cancellationToken);
                if (Interlocked.Exchange(ref _reconnectRequested, 0) == 1)
                {
                    reconnectAtOnce = true;
                    await DisconnectForReconnectAsync(client, cancellationToken);
                }
                else
                {
                    Log.Disconnected(_logger, _credentials.DeviceId, _options.Host, _options.Port, _disconnectReason);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await GoOfflineAsync(client);
                return;
            }
            catch (Exception ex) when (ex is MqttCommunicationException or InvalidOperationException or OperationCanceledException or IOException or SocketException or MqttProtocolViolationException)
            {
                if (_connected)
                    Log.Disconnected(_logger, _credentials.DeviceId, _options.Host, _options.Port, ex.Message);
                else
                    Log.ConnectFailed(_logger, _credentials.DeviceId, _options.Host, _options.Port, ex.Message);
            }
            finally
            {
                _connected = false;
            }
            if (reconnectAtOnce)
                continue;
            var delay = NextDelay(failures++);
            Log.RetryScheduled(_logger, _credentials.DeviceId, delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Exponential backoff with full jitter: uniform between the minimum and min x 2^failures, capped.</summary>
    internal TimeSpan NextDelay(int failures) => Backoff.Next(_options.ReconnectMinDelay, _options.ReconnectMaxDelay, failures, _random);

    private async Task ConnectAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var will = WireCodec.Encode(new Presence { Online = false, AgentVersion = Telemetry.UplinkEnvelopes.AgentVersion });
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(_credentials.DeviceId)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.ConnectTimeout)
            .WithWillTopic(Topics.Presence(_credentials.DeviceId))
            .WithWillPayload(will)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        // With a client certificate the device is who its certificate says: no password goes with it.
        var clientCertificate = _renewal?.Certificate.Current;
        builder = clientCertificate is null
            ? builder.WithCredentials(_credentials.DeviceId, _credentials.Token)
            : builder.WithCredentials(_credentials.DeviceId, (byte[]?)null);
        if (_options.UseTls)
            builder = builder.WithTlsOptions(BrokerTls.Build(_options, clientCertificate, why => Log.BrokerCertificateRefused(_logger, _credentials.DeviceId, _options.Host, _options.Port, why)));
        var result = await client.ConnectAsync(builder.Build(), cancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
            throw new InvalidOperationException($"Broker refused the connection: {result.ResultCode} {result.ReasonString}");

        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.DownlinkFilter(_credentials.DeviceId), MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await client.SubscribeAsync(subscribe, cancellationToken);
        await PublishPresenceAsync(client, online: true, cancellationToken);
    }

    private Task<MqttClientPublishResult> PublishPresenceAsync(IMqttClient client, bool online, CancellationToken cancellationToken) =>
        client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Presence(_credentials.DeviceId))
            .WithPayload(WireCodec.Encode(new Presence { Online = online, AgentVersion = Telemetry.UplinkEnvelopes.AgentVersion }))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(true)
            .Build(), cancellationToken);

    private async Task GoOfflineAsync(IMqttClient client)
    {
        if (!client.IsConnected)
            return;
        // A clean disconnect suppresses the will, so say "offline" ourselves; never hang shutdown on a dead broker.
        using var timeout = new CancellationTokenSource(OfflinePatience);
        try
        {
            await PublishPresenceAsync(client, online: false, timeout.Token);
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
            Log.Disconnected(_logger, _credentials.DeviceId, _options.Host, _options.Port, "agent stopping");
        }
        catch (Exception ex) when (ex is MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
            Log.Disconnected(_logger, _credentials.DeviceId, _options.Host, _options.Port, "agent stopping: " + ex.Message);
            await DisconnectWithWillAsync(client);
        }
    }

    /// <summary>
    /// The "offline" we could not say in time (a slow or busy broker): ask the broker to publish our retained will
    /// instead (MQTT 5 reason code 0x04, "Disconnect with Will Message"), so the device never reads online after it stopped.
    /// </summary>
    private async Task DisconnectWithWillAsync(IMqttClient client)
    {
        if (!client.IsConnected)
            return;
        using var timeout = new CancellationTokenSource(OfflinePatience);
        try
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build(), timeout.Token);
        }
        catch (Exception ex) when (ex is MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
            // The socket closes with the client; a broker publishes the will of a connection that ends without DISCONNECT.
            Log.Disconnected(_logger, _credentials.DeviceId, _options.Host, _options.Port, "agent stopping, will left to the broker: " + ex.Message);
        }
    }

    private async Task DisconnectForReconnectAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        Log.Reconnecting(_logger, _credentials.DeviceId, _options.Host, _options.Port);
        if (!client.IsConnected)
            return;
        // Bounded like GoOfflineAsync: a broker that does not answer the disconnect must not hold the reconnect.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(OfflinePatience);
        try
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
        }
        catch (Exception ex) when (ex is MqttCommunicationException or InvalidOperationException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.Disconnected(_logger, _credentials.DeviceId, _options.Host, _options.Port, "reconnect on request: " + ex.Message);
        }
    }

    /// <summary>Publishes in order within the in-flight window until the connection drops; returns when it does.</summary>
    private async Task DrainAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        // Every (re)connect starts again from the lowest unacknowledged message: the broker may have lost the rest.
        var sentUpTo = _ackedUpTo;
        var inFlight = new Queue<ulong>();
        var oldestOutstandingSince = _time.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!client.IsConnected || Volatile.Read(ref _reconnectRequested) == 1)
                return;

            // Never delete what this process has not published, whatever an ack claims: a confused cloud must not
            // be able to make the device drop messages it never sent. (Clamping only costs resends, which dedup.)
            var acked = Math.Min(Volatile.Read(ref _highestAckReceived), _highestPublished);
            if (acked > _ackedUpTo)
            {
                await _outbox.AcknowledgeAsync(acked, cancellationToken);
                Volatile.Write(ref _ackedUpTo, acked);
                sentUpTo = Math.Max(sentUpTo, acked);
                while (inFlight.TryPeek(out var oldest) && oldest <= acked)
                    inFlight.Dequeue();
                oldestOutstandingSince = _time.GetTimestamp();
            }

            if (inFlight.Count > 0 && _time.GetElapsedTime(oldestOutstandingSince) >= _options.AckTimeout)
            {
                Log.AckTimedOut(_logger, _credentials.DeviceId, inFlight.Count, _options.AckTimeout.TotalSeconds, _ackedUpTo);
                Interlocked.Increment(ref _resends);
                sentUpTo = _ackedUpTo;
                inFlight.Clear();
            }

            var room = _options.MaxInFlight - inFlight.Count;
            var filledWindow = false;
            if (room > 0)
            {
                var records = await _outbox.ReadFromAsync(sentUpTo, room, cancellationToken);
                foreach (var record in records)
                {
                    if (inFlight.Count == 0)
                        oldestOutstandingSince = _time.GetTimestamp();
                    await PublishAsync(client, record, cancellationToken);
                    sentUpTo = record.Sequence;
                    inFlight.Enqueue(record.Sequence);
                }
                filledWindow = records.Count == room;
            }
            if (filledWindow && inFlight.Count < _options.MaxInFlight)
                continue;
            // An ack that arrived ahead of our publishing now covers what we just sent: apply it before waiting.
            if (Math.Min(Volatile.Read(ref _highestAckReceived), _highestPublished) > _ackedUpTo)
                continue;

            var wait = inFlight.Count > 0
                ? _options.AckTimeout - _time.GetElapsedTime(oldestOutstandingSince)
                : IdleRecheck;
            if (_renewal is not null)
                wait = await RenewCertificateIfDueAsync(client, _renewal, wait, cancellationToken);
            await WaitForWakeAsync(wait, cancellationToken);
        }
    }

    private async Task PublishAsync(IMqttClient client, OutboxRecord record, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Uplink(_credentials.DeviceId, record.Kind))
            .WithPayload(record.Payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await client.PublishAsync(message, cancellationToken);
        if (!result.IsSuccess)
        {
            // The broker refused it (e.g. not authorized). Keep it: the ack timeout will retry, and the log says why.
            Log.PublishFailed(_logger, _credentials.DeviceId, record.Sequence, result.ReasonCode.ToString(), result.ReasonString ?? "");
            return;
        }
        Interlocked.Increment(ref _published);
        _highestPublished = Math.Max(_highestPublished, record.Sequence);
    }

    private async Task WaitForWakeAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
            return;
        using var timeout = new CancellationTokenSource(wait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await _wake.Reader.WaitToReadAsync(linked.Token);
            _wake.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Timed out: the caller re-checks acks and the ack timeout.
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        if (topic == _ackTopic)
            return OnAck(e.ApplicationMessage.Payload.ToArray());
        if (_renewal is not null && topic == _certificateTopic)
            return OnCertificateAsync(_renewal, e.ApplicationMessage.Payload.ToArray());
        if (_dispatcher.TryDispatch(topic, e.ApplicationMessage.Payload.ToArray(), _stopping) is { } dispatched)
            return dispatched;
        Log.UnknownDownlink(_logger, _credentials.DeviceId, topic);
        return Task.CompletedTask;
    }

    /// <summary>Asks for the next certificate when it is due (outbox untouched); answers how long to wait at most before looking again.</summary>
    private async Task<TimeSpan> RenewCertificateIfDueAsync(IMqttClient client, CertificateRenewal renewal, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (renewal.TakeRequest() is { } request)
        {
            await client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(Topics.CertificateRequest(_credentials.DeviceId))
                .WithPayload(request)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(), cancellationToken);
        }
        var untilDue = renewal.DueAt - _time.GetUtcNow();
        return untilDue < wait ? (untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue) : wait;
    }

    /// <summary>The next certificate: saved, then the session is reopened with it (the outbox resends what was not acked).</summary>
    private async Task OnCertificateAsync(CertificateRenewal renewal, byte[] payload)
    {
        if (await renewal.AcceptAsync(payload, _stopping))
            RequestReconnect();
    }

    private Task OnAck(byte[] payload)
    {
        var decoded = WireCodec.Decode<Ack>(payload);
        if (!decoded.IsSuccess || (decoded.Value!.DeviceId.Length > 0 && decoded.Value.DeviceId != _credentials.DeviceId))
        {
            Log.MalformedAck(_logger, _credentials.DeviceId, decoded.Detail ?? $"ack for device '{decoded.Value!.DeviceId}'");
            return Task.CompletedTask;
        }
        var sequence = decoded.Value.HighestContiguousSequence;
        var current = Volatile.Read(ref _highestAckReceived);
        while (sequence > current)
        {
            var seen = Interlocked.CompareExchange(ref _highestAckReceived, sequence, current);
            if (seen == current)
                break;
            current = seen;
        }
        Wake();
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.Connecting, LogLevel.Information, "{DeviceId} connecting to {Host}:{Port} (attempt {Attempt})")]
        public static partial void Connecting(ILogger logger, string deviceId, string host, int port, int attempt);

        [LoggerMessage(AgentLogEvents.Connected, LogLevel.Information, "{DeviceId} connected to {Host}:{Port}, {OutboxDepth} messages waiting")]
        public static partial void Connected(ILogger logger, string deviceId, string host, int port, long outboxDepth);

        [LoggerMessage(AgentLogEvents.Disconnected, LogLevel.Warning, "{DeviceId} disconnected from {Host}:{Port}: {Reason}")]
        public static partial void Disconnected(ILogger logger, string deviceId, string host, int port, string reason);

        [LoggerMessage(AgentLogEvents.ConnectFailed, LogLevel.Warning, "{DeviceId} could not connect to {Host}:{Port}: {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string deviceId, string host, int port, string reason);

        [LoggerMessage(AgentLogEvents.RetryScheduled, LogLevel.Information, "{DeviceId} retrying in {DelaySeconds:0.0} s")]
        public static partial void RetryScheduled(ILogger logger, string deviceId, double delaySeconds);

        [LoggerMessage(AgentLogEvents.AckTimedOut, LogLevel.Warning, "{DeviceId}: no ack progress for {AckTimeoutSeconds} s with {InFlight} messages outstanding; resending after {AckedUpTo}")]
        public static partial void AckTimedOut(ILogger logger, string deviceId, int inFlight, double ackTimeoutSeconds, ulong ackedUpTo);

        [LoggerMessage(AgentLogEvents.UnknownDownlink, LogLevel.Information, "{DeviceId} ignores downlink on {Topic}: unknown kind")]
        public static partial void UnknownDownlink(ILogger logger, string deviceId, string topic);

        [LoggerMessage(AgentLogEvents.MalformedAck, LogLevel.Warning, "{DeviceId} ignores a malformed ack: {Reason}")]
        public static partial void MalformedAck(ILogger logger, string deviceId, string reason);

        [LoggerMessage(AgentLogEvents.ReconnectRequested, LogLevel.Information, "{DeviceId} reconnecting to {Host}:{Port} on request")]
        public static partial void Reconnecting(ILogger logger, string deviceId, string host, int port);

        [LoggerMessage(AgentLogEvents.BrokerCertificateRefused, LogLevel.Warning, "{DeviceId} refuses the broker at {Host}:{Port} over TLS: {Reason}")]
        public static partial void BrokerCertificateRefused(ILogger logger, string deviceId, string host, int port, string reason);

        [LoggerMessage(AgentLogEvents.PublishFailed, LogLevel.Warning, "{DeviceId}: broker refused sequence {Sequence}: {ReasonCode} {ReasonString}")]
        public static partial void PublishFailed(ILogger logger, string deviceId, ulong sequence, string reasonCode, string reasonString);
    }
}
