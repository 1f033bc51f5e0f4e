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
/// A read that fails throws (the telemetry pump reports the device unreachable); after
/// <see cref="IppCollectorOptions.FailuresBeforeBackoff"/> failures in a row, reads fail fast without touching the
/// network until an exponentially growing backoff has passed, so a dead printer is not hammered every poll.
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
    private DateTimeOffset _nextAttemptAt = DateTimeOffset.MinValue;
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
    }

    public string Name => "ipp";

    public int ConsecutiveFailures { get; private set; }

    /// <summary>How long reads fail fast after the latest failure; zero while the printer answers.</summary>
    public TimeSpan CurrentBackoff { get; private set; }

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

    private long _notificationsReceived;
    private long _subscriptionRenewals;

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
            if (now < _nextAttemptAt)
                throw new IppRequestException(IppRequestFailure.Connection,
                    $"{_client.PrinterUri} failed {ConsecutiveFailures} times in a row; next attempt in {(_nextAttemptAt - now).TotalSeconds:0.#} s.");
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
        if (_notificationLoop is { } loop)
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_subscription.Id is { } id)
        {
            try
            {
                await _subscription.CancelAsync(CancellationToken.None);
                Log.SubscriptionCancelled(_logger, _client.PrinterUri, id);
            }
            catch (Exception ex) when (ex is IppRequestException or ObjectDisposedException or InvalidOperationException)
            {
                // Best effort: the printer drops it when the lease runs out anyway.
                Log.SubscriptionCancelFailed(_logger, _client.PrinterUri, id, ex.Message);
            }
        }
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
        Log.ReadFailed(_logger, _client.PrinterUri, ex.Failure, ConsecutiveFailures, ex.Message);
        if (ConsecutiveFailures < _options.FailuresBeforeBackoff)
            return;
        var doublings = Math.Min(ConsecutiveFailures - _options.FailuresBeforeBackoff, 20);
        var backoff = TimeSpan.FromTicks(Math.Min(_options.BackoffMax.Ticks, _options.BackoffInitial.Ticks * (1L << doublings)));
        CurrentBackoff = backoff;
        _nextAttemptAt = _time.GetUtcNow() + backoff;
        Log.BackingOff(_logger, _client.PrinterUri, ConsecutiveFailures, backoff.TotalSeconds);
    }

    private void RecordSuccess(IppMessage response)
    {
        if (ConsecutiveFailures > 0)
            Log.Recovered(_logger, _client.PrinterUri, ConsecutiveFailures);
        ConsecutiveFailures = 0;
        CurrentBackoff = TimeSpan.Zero;
        _nextAttemptAt = DateTimeOffset.MinValue;
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

    // Keeps one ippget subscription alive and pulls its events; any failure falls back to polling and retries later.
    private async Task RunNotificationsAsync(CancellationToken cancellationToken)
    {
        var justCreated = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (_subscription.Id is null)
                {
                    await _subscription.CreateAsync(cancellationToken);
                    justCreated = true;
                    UpdateMode = IppUpdateMode.Notifications;
                    Log.Subscribed(_logger, _client.PrinterUri, _subscription.Id!.Value, _subscription.GrantedLease.TotalSeconds, string.Join(",", IppNotificationSubscription.Events));
                }
                else if (_subscription.RenewAt is { } renewAt && _time.GetUtcNow() >= renewAt)
                {
                    await _subscription.RenewAsync(cancellationToken);
                    Interlocked.Increment(ref _subscriptionRenewals);
                    Log.SubscriptionRenewed(_logger, _client.PrinterUri, _subscription.Id.Value, _subscription.GrantedLease.TotalSeconds);
                }
                IppNotificationBatch batch;
                try
                {
                    batch = await _subscription.GetNotificationsAsync(cancellationToken);
                }
                catch (IppRequestException ex) when (ex.Failure == IppRequestFailure.Timeout)
                {
                    // A printer that honours notify-wait may hold the request longer than we wait: ask again.
                    continue;
                }
                justCreated = false;
                if (batch.Events > 0)
                {
                    Interlocked.Add(ref _notificationsReceived, batch.Events);
                    Log.NotificationsReceived(_logger, _client.PrinterUri, batch.Events, string.Join(",", batch.Keywords.Distinct(StringComparer.Ordinal)));
                    _changes.Set();
                }
                var interval = batch.GetInterval ?? _options.NotificationGetIntervalMax;
                await Task.Delay(interval < _options.NotificationGetIntervalMax ? interval : _options.NotificationGetIntervalMax, _time, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (IppRequestException ex) when (ex.Failure == IppRequestFailure.IppStatus && _subscription.Id is { } lost && !justCreated)
            {
                // Expired, cancelled by someone, or the printer restarted: re-create at once (events may have been missed).
                Log.SubscriptionLost(_logger, _client.PrinterUri, lost, ex.Message);
                _subscription.Forget();
                _changes.Set();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Any failure, an unexpected one included (a disposed HttpClient), means polling and a later retry.
                _subscription.Forget();
                justCreated = false;
                var wasNotifying = UpdateMode == IppUpdateMode.Notifications;
                UpdateMode = IppUpdateMode.Polling;
                var failure = ex is IppRequestException ipp ? ipp.Failure.ToString() : ex.GetType().Name;
                Log.SubscriptionFailed(_logger, ex, _client.PrinterUri, failure, _options.NotificationRetryInterval.TotalSeconds, ex.Message);
                if (wasNotifying)
                    _changes.Set();
                try
                {
                    await Task.Delay(_options.NotificationRetryInterval, _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
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
        [LoggerMessage(AgentLogEvents.IppReadFailed, LogLevel.Debug, "IPP read of {PrinterUri} failed ({Failure}, {ConsecutiveFailures} in a row): {Reason}")]
        public static partial void ReadFailed(ILogger logger, Uri printerUri, IppRequestFailure failure, int consecutiveFailures, string reason);

        [LoggerMessage(AgentLogEvents.IppBackingOff, LogLevel.Information, "IPP printer {PrinterUri} failed {ConsecutiveFailures} times in a row; next attempt in {BackoffSeconds} s")]
        public static partial void BackingOff(ILogger logger, Uri printerUri, int consecutiveFailures, double backoffSeconds);

        [LoggerMessage(AgentLogEvents.IppRecovered, LogLevel.Information, "IPP printer {PrinterUri} answers again after {ConsecutiveFailures} failures")]
        public static partial void Recovered(ILogger logger, Uri printerUri, int consecutiveFailures);

        [LoggerMessage(AgentLogEvents.IppUpdateModeChosen, LogLevel.Information, "IPP printer {PrinterUri}: {Choice} (printer offers ippget notifications: {SupportsNotifications})")]
        public static partial void UpdateModeChosen(ILogger logger, Uri printerUri, string choice, bool supportsNotifications);

        [LoggerMessage(AgentLogEvents.IppSubscribed, LogLevel.Information, "IPP printer {PrinterUri}: subscription {SubscriptionId} for {Events} (lease {LeaseSeconds} s); update mode Notifications")]
        public static partial void Subscribed(ILogger logger, Uri printerUri, int subscriptionId, double leaseSeconds, string events);

        [LoggerMessage(AgentLogEvents.IppSubscriptionFailed, LogLevel.Warning, "IPP printer {PrinterUri}: notifications failed ({Failure}); polling, next subscription attempt in {RetrySeconds} s: {Reason}")]
        public static partial void SubscriptionFailed(ILogger logger, Exception exception, Uri printerUri, string failure, double retrySeconds, string reason);

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
    }
}
