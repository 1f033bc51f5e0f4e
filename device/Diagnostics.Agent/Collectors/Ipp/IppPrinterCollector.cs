using System.Net.Sockets;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>How the collector learns about changes.</summary>
public enum IppUpdateMode
{
    /// <summary>Not decided yet: no successful read so far.</summary>
    Undecided,
    /// <summary>Get-Printer-Attributes on every read, nothing in between.</summary>
    Polling,
    /// <summary>A printer subscription (ippget) is active: changes are announced through <see cref="IChangeNotifier"/>, reads still Get-Printer-Attributes.</summary>
    Notifications,
}

/// <summary>
/// Watches one IPP printer: every read is a Get-Printer-Attributes, translated into a <see cref="DeviceStatus"/>.
/// A read that fails throws (the telemetry pump reports the device unreachable, with the cause in plain words); after
/// <see cref="IppCollectorOptions.FailuresBeforeBackoff"/> failures in a row, reads fail fast without touching the
/// network until an exponentially growing backoff has passed, so a dead printer is not hammered every poll. Meanwhile
/// a TCP connect every <see cref="IppCollectorOptions.RecoveryProbeInterval"/> notices a printer that accepts
/// connections again: the backoff ends and <see cref="WaitForChangeAsync"/> completes, so it is read within seconds.
/// When the printer offers Create-Printer-Subscriptions, Get-Notifications and the ippget pull method, a background
/// loop keeps a printer subscription and pulls its events; each one completes <see cref="WaitForChangeAsync"/>.
/// </summary>
public sealed partial class IppPrinterCollector : IDeviceCollector, IChangeNotifier, IDisposable, IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly IppClient _client;
    private readonly IppCollectorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, long> _raisedAt = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _oneReadAtATime = new(1, 1);
    private readonly IppNotificationSubscription _subscription;
    private readonly ChangeSignal _changes = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly RecoveryProbe _probe;
    private readonly Lock _backoffGate = new();
    private DateTimeOffset _nextAttemptAt = DateTimeOffset.MinValue;
    private UnreachableCause? _lastCause;
    private Task? _notificationLoop;
    private volatile int _updateMode;
    private int _disposed;

    /// <param name="http">Used for every request, not disposed here; its own Timeout should be at least the request timeout.</param>
    /// <param name="ownsHttp">True when the client was made for this printer alone (a pinned certificate) and goes with it.</param>
    public IppPrinterCollector(HttpClient http, IppCollectorOptions options, TimeProvider time, ILogger<IppPrinterCollector> logger, bool ownsHttp = false)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        _options = options;
        _time = time;
        _logger = logger;
        _http = http;
        _ownsHttp = ownsHttp;
        _client = new IppClient(http, options.PrinterUri!, options.RequestTimeout, options.MaxResponseBytes);
        var waitClient = new IppClient(http, options.PrinterUri!, options.NotificationWaitTimeout, options.MaxResponseBytes);
        _subscription = new IppNotificationSubscription(_client, waitClient, options.NotificationLeaseDuration, time);
        _probe = new RecoveryProbe(AcceptsConnectionsAsync, options.RecoveryProbeInterval, time, EndBackoff);
    }

    public string Name => "ipp";

    public int ConsecutiveFailures { get; private set; }

    /// <summary>How long reads fail fast after the latest failure; zero while the printer answers.</summary>
    public TimeSpan CurrentBackoff { get; private set; }

    /// <summary>TCP connects sent to notice the printer's return while backing off.</summary>
    public long RecoveryProbes => _probe.Probes;

    /// <summary>Undecided before the first good read; Notifications while a subscription is active, Polling otherwise.</summary>
    public IppUpdateMode UpdateMode
    {
        get => (IppUpdateMode)_updateMode;
        private set => _updateMode = (int)value;
    }

    /// <summary>The active subscription's id (for tests and diagnostics); null while polling.</summary>
    public int? SubscriptionId => _subscription.Id;

    /// <summary>Notifications received since start.</summary>
    public long NotificationsReceived => Interlocked.Read(ref _notificationsReceived);

    /// <summary>Successful Renew-Subscription requests since start.</summary>
    public long SubscriptionRenewals => Interlocked.Read(ref _subscriptionRenewals);

    /// <summary>Create-Printer-Subscriptions requests sent since start, answered or not.</summary>
    public long SubscriptionAttempts => Interlocked.Read(ref _subscriptionAttempts);

    private long _notificationsReceived;
    private long _subscriptionRenewals;
    private long _subscriptionAttempts;

    /// <inheritdoc/>
    public Task WaitForChangeAsync(CancellationToken cancellationToken) => _changes.WaitAsync(cancellationToken);

    /// <summary>Whether the printer offers Create-Printer-Subscriptions, Get-Notifications and ippget (known after the first read).</summary>
    public bool? PrinterSupportsNotifications { get; private set; }

    public async ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken)
    {
        await _oneReadAtATime.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            DateTimeOffset nextAttemptAt;
            lock (_backoffGate)
                nextAttemptAt = _nextAttemptAt;
            if (now < nextAttemptAt)
                throw new IppRequestException(IppRequestFailure.Connection,
                    $"{_client.PrinterUri} failed {ConsecutiveFailures} times in a row; next attempt in {(nextAttemptAt - now).TotalSeconds:0.#} s.",
                    cause: _lastCause);
            IppMessage response;
            try
            {
                response = await _client.GetPrinterAttributesAsync(IppClient.StatusAttributes, cancellationToken);
            }
            catch (IppRequestException ex)
            {
                RecordFailure(ex);
                throw;
            }
            RecordSuccess(response);
            var status = IppStatusTranslator.Translate(response);
            StampSince(status, _time.GetUtcNow().ToUnixTimeMilliseconds());
            return status;
        }
        finally
        {
            _oneReadAtATime.Release();
        }
    }

    /// <summary>
    /// Stops the notification loop and cancels the subscription (best effort, bounded by the request timeout); the
    /// <see cref="HttpClient"/> stays open unless the collector was told it owns it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _stopping.CancelAsync();
        await _probe.DisposeAsync();
        if (_notificationLoop is { } loop)
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await CancelSubscriptionsAsync();
        _stopping.Dispose();
        _oneReadAtATime.Dispose();
        if (_ownsHttp)
            _http.Dispose();
    }

    /// <summary>As <see cref="DisposeAsync"/>, blocking (at most about one request timeout).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void RecordFailure(IppRequestException ex)
    {
        ConsecutiveFailures++;
        _lastCause = ex.Cause;
        _readsSucceeded.Reset();
        Log.ReadFailed(_logger, _client.PrinterUri, ex.Failure, ConsecutiveFailures, ex.Message);
        if (ConsecutiveFailures < _options.FailuresBeforeBackoff)
            return;
        var doublings = Math.Min(ConsecutiveFailures - _options.FailuresBeforeBackoff, 20);
        var backoff = TimeSpan.FromTicks(Math.Min(_options.BackoffMax.Ticks, _options.BackoffInitial.Ticks * (1L << doublings)));
        CurrentBackoff = backoff;
        lock (_backoffGate)
            _nextAttemptAt = _time.GetUtcNow() + backoff;
        Log.BackingOff(_logger, _client.PrinterUri, ConsecutiveFailures, backoff.TotalSeconds);
        _probe.Start(AcceptedConnections(ex));
    }

    // Whether the printer still accepted TCP connections when the read failed: refused or unroutable means no, an
    // answer of any kind means yes, a timeout does not say (a stalled server accepts, a switched-off printer does not).
    private static bool? AcceptedConnections(IppRequestException ex) => ex.Failure switch
    {
        IppRequestFailure.Connection => ex.Cause.Class is UnreachableCauses.ConnectionLost or UnreachableCauses.Tls ? true : false,
        IppRequestFailure.Timeout => null,
        _ => true,
    };

    private async Task<bool> AcceptsConnectionsAsync(CancellationToken cancellationToken)
    {
        var (host, port) = _client.Endpoint;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout < _options.RecoveryProbeInterval ? _options.RequestTimeout : _options.RecoveryProbeInterval);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void EndBackoff()
    {
        lock (_backoffGate)
            _nextAttemptAt = DateTimeOffset.MinValue;
        Log.RecoveryProbed(_logger, _client.PrinterUri);
        _changes.Set();
    }

    private void RecordSuccess(IppMessage response)
    {
        if (ConsecutiveFailures > 0)
            Log.Recovered(_logger, _client.PrinterUri, ConsecutiveFailures);
        ConsecutiveFailures = 0;
        CurrentBackoff = TimeSpan.Zero;
        lock (_backoffGate)
            _nextAttemptAt = DateTimeOffset.MinValue;
        _probe.Stop();
        _readsSucceeded.Set();
        if (UpdateMode != IppUpdateMode.Undecided)
            return;
        PrinterSupportsNotifications = IppNotificationSubscription.IsOffered(response);
        // Polling until a subscription exists; the loop switches to Notifications, and back when it fails.
        UpdateMode = IppUpdateMode.Polling;
        var subscribe = PrinterSupportsNotifications.Value && _options.Notifications;
        Log.UpdateModeChosen(_logger, _client.PrinterUri, subscribe ? "subscribing to notifications" : "polling", PrinterSupportsNotifications.Value);
        if (subscribe)
            _notificationLoop = Task.Run(() => RunNotificationsAsync(_stopping.Token));
    }

    // A condition's start time is when this collector first saw it, kept while it stays active.
    private void StampSince(DeviceStatus status, long nowUnixMs)
    {
        var active = status.Conditions.Select(c => c.Code).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _raisedAt.Keys.Where(code => !active.Contains(code)).ToList())
            _raisedAt.Remove(gone);
        foreach (var condition in status.Conditions)
        {
            if (!_raisedAt.TryGetValue(condition.Code, out var since))
                _raisedAt[condition.Code] = since = nowUnixMs;
            condition.SinceUnixMs = since;
        }
    }

    private static partial class Log
    {
        // The telemetry pump logs what a person reads about a printer that is down (first failure, summaries, recovery);
        // these are the collector's own details.
        [LoggerMessage(AgentLogEvents.IppReadFailed, LogLevel.Debug, "IPP read of {PrinterUri} failed ({Failure}, {ConsecutiveFailures} in a row): {Reason}")]
        public static partial void ReadFailed(ILogger logger, Uri printerUri, IppRequestFailure failure, int consecutiveFailures, string reason);

        [LoggerMessage(AgentLogEvents.IppBackingOff, LogLevel.Debug, "IPP printer {PrinterUri} failed {ConsecutiveFailures} times in a row; next attempt in {BackoffSeconds} s")]
        public static partial void BackingOff(ILogger logger, Uri printerUri, int consecutiveFailures, double backoffSeconds);

        [LoggerMessage(AgentLogEvents.IppRecovered, LogLevel.Debug, "IPP printer {PrinterUri} answers again after {ConsecutiveFailures} failures")]
        public static partial void Recovered(ILogger logger, Uri printerUri, int consecutiveFailures);

        [LoggerMessage(AgentLogEvents.IppRecoveryProbed, LogLevel.Debug, "IPP printer {PrinterUri} accepts connections again; backoff ended")]
        public static partial void RecoveryProbed(ILogger logger, Uri printerUri);

        [LoggerMessage(AgentLogEvents.IppUpdateModeChosen, LogLevel.Information, "IPP printer {PrinterUri}: {Choice} (printer offers ippget notifications: {SupportsNotifications})")]
        public static partial void UpdateModeChosen(ILogger logger, Uri printerUri, string choice, bool supportsNotifications);

        [LoggerMessage(AgentLogEvents.IppSubscribed, LogLevel.Information, "IPP printer {PrinterUri}: subscription {SubscriptionId} for {Events} (lease {LeaseSeconds} s); update mode Notifications")]
        public static partial void Subscribed(ILogger logger, Uri printerUri, int subscriptionId, double leaseSeconds, string events);

        [LoggerMessage(AgentLogEvents.IppSubscriptionFailed, LogLevel.Warning, "IPP printer {PrinterUri}: notifications failed ({Failure}); polling until {Retry}: {Reason}")]
        public static partial void SubscriptionFailed(ILogger logger, Exception? exception, Uri printerUri, string failure, string retry, string reason);

        [LoggerMessage(AgentLogEvents.IppNotificationsReceived, LogLevel.Debug, "IPP printer {PrinterUri}: {Count} notifications ({Events})")]
        public static partial void NotificationsReceived(ILogger logger, Uri printerUri, int count, string events);

        [LoggerMessage(AgentLogEvents.IppSubscriptionRenewed, LogLevel.Debug, "IPP printer {PrinterUri}: subscription {SubscriptionId} renewed (lease {LeaseSeconds} s)")]
        public static partial void SubscriptionRenewed(ILogger logger, Uri printerUri, int subscriptionId, double leaseSeconds);

        [LoggerMessage(AgentLogEvents.IppSubscriptionLost, LogLevel.Information, "IPP printer {PrinterUri}: subscription {SubscriptionId} is gone ({Reason}); re-creating")]
        public static partial void SubscriptionLost(ILogger logger, Uri printerUri, int subscriptionId, string reason);

        [LoggerMessage(AgentLogEvents.IppSubscriptionCancelled, LogLevel.Debug, "IPP printer {PrinterUri}: subscription {SubscriptionId} cancelled")]
        public static partial void SubscriptionCancelled(ILogger logger, Uri printerUri, int subscriptionId);

        [LoggerMessage(AgentLogEvents.IppSubscriptionCancelFailed, LogLevel.Debug, "IPP printer {PrinterUri}: could not cancel subscription {SubscriptionId}: {Reason}")]
        public static partial void SubscriptionCancelFailed(ILogger logger, Uri printerUri, int subscriptionId, string reason);

        [LoggerMessage(AgentLogEvents.IppSubscriptionAbandoned, LogLevel.Debug, "IPP printer {PrinterUri}: subscription {SubscriptionId} abandoned; Cancel-Subscription when the printer answers again")]
        public static partial void SubscriptionAbandoned(ILogger logger, Uri printerUri, int subscriptionId);
    }
}
