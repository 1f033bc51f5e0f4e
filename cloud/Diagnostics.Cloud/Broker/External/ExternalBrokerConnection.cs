using Diagnostics.Cloud.Messaging;
using System.Buffers;
using Diagnostics.Cloud.Observability;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Broker.External;

/// <summary>Something that listens on the external broker through the cloud's connection: what it subscribes to and what it does with a message.</summary>
public interface IExternalBrokerSubscriber
{
    /// <summary>Topic filters to subscribe to (at QoS 1) on every new connection, in the order the subscribers are registered.</summary>
    IReadOnlyList<string> Filters { get; }

    /// <summary>Whether <paramref name="topic"/> is this subscriber's.</summary>
    bool Owns(string topic);

    /// <summary>Handles one message that came on <paramref name="source"/>; the broker's delivery is acknowledged when this returns.</summary>
    Task HandleAsync(ExternalBrokerConnection source, string topic, ReadOnlySequence<byte> payload, CancellationToken cancellationToken);

    /// <summary>Runs on every new connection once this subscriber's filters are subscribed (and the previous subscribers' prepared).</summary>
    Task PrepareAsync(ExternalBrokerConnection source, CancellationToken cancellationToken);
}

/// <summary>
/// The cloud's MQTT 5 client connection to the external broker: connects with the cloud's own account (TLS checked as
/// the agent checks it), reconnects with exponential backoff and jitter, subscribes what its
/// <see cref="IExternalBrokerSubscriber"/>s ask for, and hands each message to the one that handles its topic. Clean
/// start, no session kept: when an instance goes away, the broker drops it from the shared subscription at once and the
/// others get its share; whatever it had received and not stored, the devices send again (they keep every message until
/// the cloud acknowledges it stored). Also the cloud's downlink publisher in this mode.
/// </summary>
public sealed partial class ExternalBrokerConnection : BackgroundService, IDownlinkPublisher
{
    private readonly ExternalBrokerOptions _settings;
    private readonly IReadOnlyList<IExternalBrokerSubscriber> _subscribers;
    private readonly string _filterList;
    private readonly TimeProvider _time;
    private readonly CloudMetrics _metrics;
    private readonly ILogger<ExternalBrokerConnection> _logger;
    private readonly IMqttClient _client;
    private readonly Random _jitter = new();
    private readonly Lock _stateLock = new();
    private TaskCompletionSource _ready = NewSignal();
    private TaskCompletionSource _lost = NewSignal();

    public ExternalBrokerConnection(
        IOptions<BrokerOptions> options, IEnumerable<IExternalBrokerSubscriber> subscribers, TimeProvider time, CloudMetrics metrics,
        ILogger<ExternalBrokerConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _settings = options.Value.External;
        _subscribers = [.. subscribers];
        _filterList = string.Join(", ", _subscribers.SelectMany(s => s.Filters));
        _time = time;
        _metrics = metrics;
        _logger = logger;
        ClientId = _settings.ClientId.Length > 0 ? _settings.ClientId : $"dx-cloud-{Guid.NewGuid():N}";
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += ReceiveAsync;
        _client.DisconnectedAsync += e =>
        {
            lock (_stateLock)
                _lost.TrySetResult();
            return Task.CompletedTask;
        };
    }

    /// <summary>This instance's client id at the broker.</summary>
    public string ClientId { get; }

    /// <summary>Connected, and every subscriber's filters subscribed.</summary>
    public bool IsReady => _ready.Task.IsCompletedSuccessfully && _client.IsConnected;

    /// <summary>Connections made since start (the first included).</summary>
    public int Connections => Volatile.Read(ref _connections);

    private int _connections;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ConnectAsync(stoppingToken);
                failures = 0;
                Task lost;
                lock (_stateLock)
                    lost = _lost.Task;
                await lost.WaitAsync(stoppingToken);
                LogLost(_settings.Host, _settings.Port);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _metrics.Error("broker.external");
                LogConnectFailed(ex, _settings.Host, _settings.Port, failures + 1);
            }
            lock (_stateLock)
            {
                if (_ready.Task.IsCompleted)
                    _ready = NewSignal();
            }
            var delay = Backoff(failures++);
            try
            {
                await Task.Delay(delay, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancellationToken);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                // Going away anyway.
            }
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    /// <summary>Publishes at QoS 1 (or 0 when asked), waiting up to <see cref="ExternalBrokerOptions.Timeout"/> for a connection if there is none.</summary>
    public async Task PublishAsync(string topic, byte[] payload, CancellationToken cancellationToken, bool retain = false,
        DownlinkDelivery delivery = DownlinkDelivery.AtLeastOnce)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(payload);
        var parsed = Topics.Parse(topic);
        if (!parsed.IsValid || parsed.Direction != TopicDirection.Down)
            throw new ArgumentException($"'{topic}' is not a device's downlink topic.", nameof(topic));
        // The same rule as the embedded broker: only the kinds the protocol retains, up to the size the agent reads.
        if (retain && (RetainedDownlinks.MaxBytes(parsed.Kind) is not { } max || payload.Length > max))
            throw new ArgumentException($"A {parsed.Kind} downlink of {payload.Length} bytes is not retained.", nameof(retain));
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(delivery == DownlinkDelivery.AtMostOnce ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        await PublishAsync(message, waitForReady: true, cancellationToken);
    }

    /// <summary>Publishes a message; with <paramref name="waitForReady"/> false it only needs a connection (for subscribers preparing one).</summary>
    public async Task PublishAsync(MqttApplicationMessage message, bool waitForReady, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.Timeout);
        if (waitForReady)
            await WaitUntilReadyAsync(timeout.Token, cancellationToken);
        var result = await _client.PublishAsync(message, timeout.Token);
        if (!result.IsSuccess)
            throw new InvalidOperationException($"The broker refused the publish to {message.Topic}: {result.ReasonCode} {result.ReasonString}");
    }

    private async Task WaitUntilReadyAsync(CancellationToken timeout, CancellationToken cancellationToken)
    {
        Task ready;
        lock (_stateLock)
            ready = _ready.Task;
        try
        {
            await ready.WaitAsync(timeout);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"Not connected to the MQTT broker {_settings.Host}:{_settings.Port} within {_settings.Timeout.TotalSeconds} s.");
        }
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource lost;
        lock (_stateLock)
            lost = _lost = NewSignal();
        var connected = await _client.ConnectAsync(ClientOptions(ClientId), cancellationToken);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
            throw new InvalidOperationException($"The broker refused the connection: {connected.ResultCode} {connected.ReasonString}");
        Interlocked.Increment(ref _connections);
        foreach (var subscriber in _subscribers)
        {
            if (subscriber.Filters.Count > 0)
            {
                var subscribe = new MqttClientSubscribeOptionsBuilder();
                foreach (var filter in subscriber.Filters)
                    subscribe = subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
                var granted = await _client.SubscribeAsync(subscribe.Build(), cancellationToken);
                var refused = granted.Items.Where(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2).ToList();
                if (refused.Count > 0)
                    throw new InvalidOperationException("The broker refused the subscription to " + string.Join(", ", refused.Select(r => $"{r.TopicFilter.Topic} ({r.ResultCode})")));
            }
            await subscriber.PrepareAsync(this, cancellationToken);
            if (lost.Task.IsCompleted)
                return; // Preparing changed the cloud's own account, and the broker ended the session for it: connect again.
        }
        lock (_stateLock)
            _ready.TrySetResult();
        LogConnected(_settings.Host, _settings.Port, ClientId, _filterList);
    }

    /// <summary>
    /// Ends whatever session the broker holds under <paramref name="clientId"/> by connecting with that client id (the
    /// cloud's own account; MQTT 3.1.4-3: the broker closes the existing connection of a client id taken over) and
    /// leaving at once. The way to end one device's session in a broker the cloud keeps no accounts in.
    /// </summary>
    public async Task EndSessionAsync(string clientId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        using var client = new MqttClientFactory().CreateMqttClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.Timeout);
        var connected = await client.ConnectAsync(ClientOptions(clientId), timeout.Token);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
            throw new InvalidOperationException($"The broker refused the connection that ends {clientId}'s session: {connected.ResultCode} {connected.ReasonString}");
        await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
    }

    private MqttClientOptions ClientOptions(string clientId)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_settings.Host, _settings.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(true)
            .WithSessionExpiryInterval(0)
            .WithKeepAlivePeriod(_settings.KeepAlive)
            .WithTimeout(_settings.Timeout);
        if (_settings.UserName.Length > 0)
            builder = builder.WithCredentials(_settings.UserName, _settings.Password);
        if (_settings.UseTls)
            builder = builder.WithTlsOptions(Agent.Uplink.BrokerTls.Build(AsAgentOptions(_settings), clientCertificate: null, why => LogTlsRefused(_settings.Host, why)));
        return builder.Build();
    }

    private async Task ReceiveAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        var subscriber = _subscribers.FirstOrDefault(s => s.Owns(topic));
        if (subscriber is null)
            return;
        try
        {
            await subscriber.HandleAsync(this, topic, e.ApplicationMessage.Payload, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Acknowledged all the same: a message that cannot be handled would otherwise come back forever. A device's
            // uplink is not lost by it: the device keeps it until the cloud acknowledges it stored, and sends it again.
            _metrics.Error("broker.external");
            LogHandlerFailed(ex, topic);
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(_settings.ReconnectMaxDelay.TotalMilliseconds, _settings.ReconnectMinDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 20)));
        return TimeSpan.FromMilliseconds(_settings.ReconnectMinDelay.TotalMilliseconds / 2 + _jitter.NextDouble() * ceiling / 2);
    }

    /// <summary>The same checks of the broker's certificate as the agent makes.</summary>
    private static Agent.Uplink.BrokerOptions AsAgentOptions(ExternalBrokerOptions settings) => new()
    {
        Host = settings.Host,
        Port = settings.Port,
        UseTls = settings.UseTls,
        CaCertificatePath = settings.CaCertificatePath,
        CertificateFingerprint = settings.CertificateFingerprint,
        TlsServerName = settings.TlsServerName,
    };

    /// <summary>What is wrong with the settings, for validation at start.</summary>
    public static IEnumerable<string> Problems(ExternalBrokerOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (string.IsNullOrWhiteSpace(settings.Host))
            yield return "Broker:External:Host must be set when Broker:Mode is External.";
        foreach (var problem in AsAgentOptions(settings).Validate())
            yield return problem.Replace("Broker:", "Broker:External:", StringComparison.Ordinal);
        if (settings.ReconnectMaxDelay < settings.ReconnectMinDelay)
            yield return "Broker:External:ReconnectMaxDelay must not be below ReconnectMinDelay.";
        if (settings.UserName.Length == 0 && settings.DeviceAccounts == ExternalDeviceAccounts.MosquittoDynamicSecurity)
            yield return "Broker:External:UserName (the dynamic-security administrator) must be set to manage device accounts in Mosquitto.";
        if (settings.DeviceAccounts == ExternalDeviceAccounts.MosquittoCertificates)
        {
            if (settings.UserName.Length == 0)
                yield return "Broker:External:UserName (the cloud's account in Mosquitto's password file) must be set with DeviceAccounts MosquittoCertificates.";
            if (string.IsNullOrWhiteSpace(settings.CrlPath))
                yield return "Broker:External:CrlPath (the CRL file Mosquitto's device listener reads as crlfile) must be set with DeviceAccounts MosquittoCertificates.";
            else if (Path.GetDirectoryName(Path.GetFullPath(settings.CrlPath)) is { } folder && !Directory.Exists(folder))
                yield return $"Broker:External:CrlPath: the folder {folder} does not exist.";
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(EventId = BrokerEventIds.ExternalBrokerConnected, Level = LogLevel.Information, Message = "Connected to the MQTT broker {Host}:{Port} as {ClientId}; subscribed to {Filters}")]
    private partial void LogConnected(string host, int port, string clientId, string filters);

    [LoggerMessage(EventId = BrokerEventIds.ExternalBrokerLost, Level = LogLevel.Warning, Message = "Connection to the MQTT broker {Host}:{Port} lost; reconnecting")]
    private partial void LogLost(string host, int port);

    [LoggerMessage(EventId = BrokerEventIds.ExternalBrokerConnectFailed, Level = LogLevel.Warning, Message = "Could not connect to the MQTT broker {Host}:{Port} (attempt {Attempt}); trying again")]
    private partial void LogConnectFailed(Exception exception, string host, int port, int attempt);

    [LoggerMessage(EventId = BrokerEventIds.ExternalBrokerTlsRefused, Level = LogLevel.Error, Message = "The MQTT broker {Host}'s certificate is refused: {Why}")]
    private partial void LogTlsRefused(string host, string why);

    [LoggerMessage(EventId = BrokerEventIds.ExternalBrokerHandlerFailed, Level = LogLevel.Error, Message = "A message on {Topic} from the MQTT broker could not be handled")]
    private partial void LogHandlerFailed(Exception exception, string topic);
}
