using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>The loop that keeps a printer subscription (ippget) and turns its events into change announcements.</summary>
public sealed partial class IppPrinterCollector
{
    // Set by a successful read; reset by a failed read and by a notification request that found the printer away.
    private readonly ReadsSucceeded _readsSucceeded = new();

    // Subscriptions given up while the printer could not be told; each gets a Cancel-Subscription once it answers.
    private readonly List<int> _abandoned = [];
    private long _subscriptionsCancelled;

    /// <summary>Cancel-Subscription requests the printer accepted (abandoned subscriptions and the one cancelled on dispose).</summary>
    public long SubscriptionsCancelled => Interlocked.Read(ref _subscriptionsCancelled);

    // Keeps one ippget subscription alive and pulls its events. A failure falls back to polling; the loop subscribes
    // again only once reads succeed (never while they fail or back off), and cancels what it abandoned first.
    private async Task RunNotificationsAsync(CancellationToken cancellationToken)
    {
        var justCreated = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (_subscription.Id is null)
                {
                    await _readsSucceeded.WaitAsync(cancellationToken);
                    await CancelAbandonedAsync(cancellationToken);
                    Interlocked.Increment(ref _subscriptionAttempts);
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
                catch (IppRequestException ex) when (ex.Failure == IppRequestFailure.Timeout && ConsecutiveFailures == 0)
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
                if (!await FallBackToPollingAsync(ex, cancellationToken))
                    return;
                justCreated = false;
            }
        }
    }

    /// <summary>
    /// Any failure, an unexpected one included (a disposed HttpClient), means polling: the subscription is abandoned
    /// (cancelled now if the printer answers, else once it does) and the loop waits. A printer that is away is waited
    /// for by reads (their backoff and recovery probe), not by subscription attempts; otherwise the retry interval.
    /// Returns false when stopping.
    /// </summary>
    private async Task<bool> FallBackToPollingAsync(Exception ex, CancellationToken cancellationToken)
    {
        if (_subscription.Id is { } abandoned)
        {
            _abandoned.Add(abandoned);
            Log.SubscriptionAbandoned(_logger, _client.PrinterUri, abandoned);
            _subscription.Forget();
        }
        var wasNotifying = UpdateMode == IppUpdateMode.Notifications;
        UpdateMode = IppUpdateMode.Polling;
        var printerAway = ex is IppRequestException { Failure: IppRequestFailure.Timeout or IppRequestFailure.Connection };
        if (printerAway)
            _readsSucceeded.Reset();
        var failure = ex is IppRequestException ipp ? $"{ipp.Failure}, {ipp.Cause.Class}" : ex.GetType().Name;
        var retry = printerAway ? "reads succeed again" : $"the next attempt in {_options.NotificationRetryInterval.TotalSeconds} s";
        // An IPP failure explains itself; anything else is a bug worth its stack trace.
        Log.SubscriptionFailed(_logger, ex is IppRequestException ? null : ex, _client.PrinterUri, failure, retry, ex.Message);
        if (wasNotifying)
            _changes.Set();
        try
        {
            if (!printerAway)
            {
                await CancelAbandonedAsync(cancellationToken);
                await Task.Delay(_options.NotificationRetryInterval, _time, cancellationToken);
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Cancel-Subscription for each abandoned subscription; those the printer does not take stay for the next try.</summary>
    private async Task CancelAbandonedAsync(CancellationToken cancellationToken)
    {
        foreach (var id in _abandoned.ToList())
        {
            try
            {
                await _subscription.CancelAsync(id, cancellationToken);
                _abandoned.Remove(id);
                Interlocked.Increment(ref _subscriptionsCancelled);
                Log.SubscriptionCancelled(_logger, _client.PrinterUri, id);
            }
            catch (IppRequestException ex)
            {
                Log.SubscriptionCancelFailed(_logger, _client.PrinterUri, id, ex.Message);
            }
        }
    }

    // On dispose, after the loop ended: the live subscription and anything abandoned (best effort; leases expire anyway).
    private async Task CancelSubscriptionsAsync()
    {
        if (_subscription.Id is { } id)
        {
            _abandoned.Add(id);
            _subscription.Forget();
        }
        try
        {
            await CancelAbandonedAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            // The HttpClient went first (its owner disposed it); the printer drops the subscriptions when their leases run out.
            foreach (var left in _abandoned)
                Log.SubscriptionCancelFailed(_logger, _client.PrinterUri, left, ex.Message);
        }
    }

    /// <summary>A gate that is open while reads succeed: waits pass once a read succeeded since the last reset.</summary>
    private sealed class ReadsSucceeded
    {
        private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Set() => Volatile.Read(ref _open).TrySetResult();

        public void Reset()
        {
            var current = Volatile.Read(ref _open);
            if (current.Task.IsCompleted)
                Interlocked.CompareExchange(ref _open, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
        }

        public Task WaitAsync(CancellationToken cancellationToken) => Volatile.Read(ref _open).Task.WaitAsync(cancellationToken);
    }
}
