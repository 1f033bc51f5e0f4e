using System.Collections.Concurrent;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// Wakes whoever waits for a session's next message (a phone's open request, a dashboard page) as soon as one is
/// stored. A signal carries no message: waiters read what follows their last number from the store, so a wake-up
/// that comes late or twice loses and repeats nothing.
/// </summary>
public sealed class SessionSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    /// <summary>A task that completes at the next <see cref="Notify"/> for the session; take it before reading the store.</summary>
    public Task NextAsync(string sessionId) =>
        _waiting.GetOrAdd(sessionId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Notify(string sessionId)
    {
        if (_waiting.TryRemove(sessionId, out var waiters))
            waiters.TrySetResult();
    }
}
