namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>
/// A collector that can tell, between polls, that its device changed, so the telemetry pump can read it at once
/// instead of at the next tick. Changes are latched: one that happened while nobody waited completes the next wait.
/// </summary>
public interface IChangeNotifier
{
    /// <summary>
    /// Completes when the device reported a change not yet consumed by an earlier wait (at once if one is pending);
    /// never completes while the collector has no way to learn about changes (polling mode). Throws
    /// <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    Task WaitForChangeAsync(CancellationToken cancellationToken);
}

/// <summary>The latch behind <see cref="IChangeNotifier"/>: <see cref="Set"/> from any thread, waits consume.</summary>
internal sealed class ChangeSignal
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set() => Volatile.Read(ref _changed).TrySetResult();

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _changed);
        await current.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        // Consumed: the next wait needs a new change (if another waiter already swapped, leave its fresh latch).
        Interlocked.CompareExchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
    }
}
