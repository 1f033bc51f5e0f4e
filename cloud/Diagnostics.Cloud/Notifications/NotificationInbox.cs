using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Threading.Channels;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;

namespace Diagnostics.Cloud.Notifications;

/// <summary>
/// One customer's notifications: read them, mark them read, and watch for anything that changes what they see — a
/// problem raised on one of their devices (from the change feed, published after the notification row is committed)
/// or notifications marked read elsewhere (another tab, the API).
/// </summary>
public sealed partial class NotificationInbox(
    INotificationStore store, IAccountStore accounts, FleetChanges changes, TimeProvider time, CloudMetrics metrics, ILogger<NotificationInbox> logger)
    : IPairingListener
{
    private readonly ConcurrentDictionary<InboxWatch, string> _watches = new();

    public async Task<Paged<NotificationView>> ListAsync(string accountId, int page, int pageSize, CancellationToken cancellationToken)
    {
        var stored = await store.ListAsync(accountId, page, pageSize, cancellationToken);
        return new Paged<NotificationView>([.. stored.Items.Select(NotificationView.Of)], stored.Page, stored.PageSize, stored.Total);
    }

    public Task<long> CountUnreadAsync(string accountId, CancellationToken cancellationToken) =>
        store.CountUnreadAsync(accountId, cancellationToken);

    /// <summary>False when the account has no such notification.</summary>
    public async Task<bool> MarkReadAsync(string accountId, long notificationId, CancellationToken cancellationToken)
    {
        var marked = await store.MarkReadAsync(accountId, notificationId, time.GetUtcNow(), cancellationToken);
        if (marked)
        {
            LogMarkedRead(accountId, 1);
            Signal(accountId);
        }
        return marked;
    }

    public async Task<long> MarkAllReadAsync(string accountId, CancellationToken cancellationToken)
    {
        var marked = await store.MarkAllReadAsync(accountId, time.GetUtcNow(), cancellationToken);
        if (marked > 0)
        {
            LogMarkedRead(accountId, marked);
            Signal(accountId);
        }
        return marked;
    }

    /// <summary>
    /// Starts watching the account's inbox. Dispose the watch to stop. Its device list is read now, and again whenever
    /// <see cref="Pairing"/> tells of a device paired or unpaired (<see cref="DevicesChangedAsync"/>).
    /// </summary>
    public async Task<InboxWatch> WatchAsync(string accountId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        var owned = await accounts.GetOwnedDevicesAsync(accountId, cancellationToken);
        var watch = new InboxWatch(owned, changes, w => _watches.TryRemove(w, out _), ex =>
        {
            metrics.Error("notifications.watch");
            LogWatchFailed(ex, accountId);
        });
        _watches[watch] = accountId;
        return watch;
    }

    /// <summary>The account paired or unpaired a device (in this instance): its watches now follow its new set of devices.</summary>
    public async Task DevicesChangedAsync(string accountId, CancellationToken cancellationToken)
    {
        var owned = await accounts.GetOwnedDevicesAsync(accountId, cancellationToken);
        foreach (var (watch, owner) in _watches)
        {
            if (owner == accountId)
                watch.Follow(owned);
        }
    }

    private void Signal(string accountId)
    {
        foreach (var (watch, owner) in _watches)
        {
            if (owner == accountId)
                watch.Signal();
        }
    }

    [LoggerMessage(EventId = NotificationsEventIds.NotificationsMarkedRead, Level = LogLevel.Debug, Message = "Account {AccountId} marked {Count} notifications read")]
    private partial void LogMarkedRead(string accountId, long count);

    [LoggerMessage(EventId = NotificationsEventIds.NotificationWatchFailed, Level = LogLevel.Error, Message = "Watching the notifications of account {AccountId} failed; its live views stop updating")]
    private partial void LogWatchFailed(Exception exception, string accountId);
}

/// <summary>Wakes its reader when something in one account's inbox may have changed; several wake-ups merge into one.</summary>
public sealed class InboxWatch : IDisposable
{
    private readonly Channel<bool> _wakeUp = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly FleetChangeSubscription _problems;
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<InboxWatch> _forget;
    private FrozenSet<string> _devices;

    internal InboxWatch(IReadOnlyList<string> devices, FleetChanges changes, Action<InboxWatch> forget, Action<Exception> failed)
    {
        _devices = devices.ToFrozenSet(StringComparer.Ordinal);
        _forget = forget;
        _problems = changes.Subscribe(change => change.RaisesProblem && Volatile.Read(ref _devices).Contains(change.DeviceId));
        _ = PumpAsync(failed);
    }

    /// <summary>Waits until the inbox may have changed since the last wake-up.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _wakeUp.Reader.ReadAsync(cancellationToken);

    internal void Signal() => _wakeUp.Writer.TryWrite(true);

    internal void Follow(IReadOnlyList<string> devices) => Volatile.Write(ref _devices, devices.ToFrozenSet(StringComparer.Ordinal));

    private async Task PumpAsync(Action<Exception> failed)
    {
        try
        {
            // Overflowed or not, the answer is the same: the reader re-reads the inbox from the store.
            while ((await _problems.ReadBatchAsync(_stop.Token)).Count > 0)
                Signal();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception ex)
        {
            failed(ex);
            _wakeUp.Writer.TryComplete(ex);
        }
    }

    public void Dispose()
    {
        _forget(this);
        _stop.Cancel();
        _problems.Dispose();
        _stop.Dispose();
    }
}
