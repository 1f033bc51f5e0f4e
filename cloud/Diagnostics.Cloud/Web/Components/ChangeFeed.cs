using System.Threading.Channels;
using Diagnostics.Cloud.Live;

namespace Diagnostics.Cloud.Web.Components;

/// <summary>
/// One "something changed" for a live component from several sources: signals (a session's messages, the queue) and
/// fleet changes (a device's fixes and state). Wake-ups that come while one is pending merge into it: the component
/// re-reads everything it shows anyway.
/// </summary>
public sealed class ChangeFeed : IDisposable
{
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<IDisposable> _owned = [];

    /// <summary>
    /// Wakes at each completion of the task <paramref name="next"/> gives. The next task is taken before the wake-up
    /// is passed on, so a change between the wake-up and the re-read is never missed.
    /// </summary>
    public ChangeFeed FromSignal(Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        _ = PumpSignalAsync(next, _stopping.Token);
        return this;
    }

    /// <summary>Wakes at each batch of the subscription's changes; the feed disposes it.</summary>
    public ChangeFeed FromFleet(FleetChangeSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        _owned.Add(subscription);
        _ = PumpFleetAsync(subscription, _stopping.Token);
        return this;
    }

    /// <summary>Waits for the next change; true while the feed runs.</summary>
    public async ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _changes.Reader.ReadAsync(cancellationToken);
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    private async Task PumpSignalAsync(Func<Task> next, CancellationToken stopping)
    {
        try
        {
            var waiting = next();
            while (!stopping.IsCancellationRequested)
            {
                await waiting.WaitAsync(stopping);
                waiting = next();
                _changes.Writer.TryWrite(true);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private async Task PumpFleetAsync(FleetChangeSubscription subscription, CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                // An empty batch means the subscription closed: nothing more will come from it.
                if ((await subscription.ReadBatchAsync(stopping)).Count == 0)
                    return;
                _changes.Writer.TryWrite(true);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException or ObjectDisposedException)
        {
            // Disposed.
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _changes.Writer.TryComplete();
        foreach (var owned in _owned)
            owned.Dispose();
        _stopping.Dispose();
    }
}
