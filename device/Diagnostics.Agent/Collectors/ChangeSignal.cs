namespace Diagnostics.Agent.Collectors;

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
