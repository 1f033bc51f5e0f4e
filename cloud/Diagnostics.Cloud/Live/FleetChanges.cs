using System.Threading.Channels;
using Diagnostics.Cloud.Observability;

namespace Diagnostics.Cloud.Live;

/// <summary>
/// In-process fan-out of <see cref="DeviceChange"/>s to live views (dashboard and companion circuits, the SignalR hub).
/// Publishing never waits for a subscriber: each has its own bounded queue, and a subscriber that falls behind loses
/// the oldest changes and is told so (<see cref="FleetChangeSubscription.Overflowed"/>), which a view answers by
/// re-reading everything it shows. Changes are hints for re-reading the store, never the record itself.
/// </summary>
public sealed class FleetChanges(CloudMetrics metrics)
{
    private const int QueueCapacity = 1024;
    private readonly Lock _gate = new();
    private FleetChangeSubscription[] _subscriptions = [];

    public int SubscriberCount => Volatile.Read(ref _subscriptions).Length;

    /// <summary>Set by <see cref="InstanceSignals"/> when other instances must hear of this instance's changes.</summary>
    internal Action<IReadOnlyList<DeviceChange>>? Relay { get; set; }

    /// <summary>Announces changes that are already stored, here and (when there are several) to the other instances.</summary>
    public void Publish(IReadOnlyList<DeviceChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
            return;
        PublishLocally(changes);
        Relay?.Invoke(changes);
    }

    /// <summary>Announces changes to this instance's subscribers only (what another instance announced).</summary>
    internal void PublishLocally(IReadOnlyList<DeviceChange> changes)
    {
        foreach (var subscription in Volatile.Read(ref _subscriptions))
        {
            foreach (var change in changes)
            {
                if (subscription.Accepts(change))
                    subscription.Write(change);
            }
        }
    }

    public void Publish(DeviceChange change) => Publish([change]);

    /// <summary>A queue of the changes <paramref name="filter"/> accepts (all when null), until disposed.</summary>
    public FleetChangeSubscription Subscribe(Func<DeviceChange, bool>? filter = null)
    {
        var subscription = new FleetChangeSubscription(filter, QueueCapacity, Unsubscribe, () => metrics.Error("live.subscriber-behind"));
        lock (_gate)
            _subscriptions = [.. _subscriptions, subscription];
        return subscription;
    }

    private void Unsubscribe(FleetChangeSubscription subscription)
    {
        lock (_gate)
            _subscriptions = [.. _subscriptions.Where(s => s != subscription)];
    }
}

/// <summary>One subscriber's queue of changes.</summary>
public sealed class FleetChangeSubscription : IDisposable
{
    private readonly Channel<DeviceChange> _queue;
    private readonly Func<DeviceChange, bool>? _filter;
    private readonly Action<FleetChangeSubscription> _unsubscribe;
    private int _overflowed;

    internal FleetChangeSubscription(Func<DeviceChange, bool>? filter, int capacity, Action<FleetChangeSubscription> unsubscribe, Action dropped)
    {
        _filter = filter;
        _unsubscribe = unsubscribe;
        _queue = Channel.CreateBounded<DeviceChange>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        }, _ =>
        {
            Interlocked.Exchange(ref _overflowed, 1);
            dropped();
        });
    }

    /// <summary>True once since the last call when changes were dropped: re-read everything rather than just what changed.</summary>
    public bool Overflowed => Interlocked.Exchange(ref _overflowed, 0) == 1;

    internal bool Accepts(DeviceChange change) => _filter is null || _filter(change);

    // DropOldest: the write always succeeds, and the dropped-item callback records what was lost.
    internal void Write(DeviceChange change) => _queue.Writer.TryWrite(change);

    /// <summary>Waits for at least one change, then returns every change queued by then.</summary>
    public async ValueTask<IReadOnlyList<DeviceChange>> ReadBatchAsync(CancellationToken cancellationToken)
    {
        var batch = new List<DeviceChange>();
        if (!await _queue.Reader.WaitToReadAsync(cancellationToken))
            return batch;
        while (_queue.Reader.TryRead(out var change))
            batch.Add(change);
        return batch;
    }

    public void Dispose()
    {
        _unsubscribe(this);
        _queue.Writer.TryComplete();
    }
}
