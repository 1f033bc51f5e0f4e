using System.Collections.Concurrent;
using Diagnostics.Cloud.Messaging;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// Wakes whoever waits for a session's next message (a phone's open request, a dashboard page) as soon as one is
/// stored, and whoever shows the queue when any session changes. A signal carries no message: waiters read what
/// follows their last number from the store, so a wake-up that comes late or twice loses and repeats nothing.
/// </summary>
public sealed class SessionSignals : IInstanceRelayed
{
    // Session ids are never empty, so the empty key is free for "some session changed".
    private const string AnySession = "";

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    /// <summary>A task that completes at the next <see cref="Notify"/> for the session; take it before reading the store.</summary>
    public Task NextAsync(string sessionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        return Next(sessionId);
    }

    /// <summary>A task that completes at the next change of any session (a message, a hand-over, an assignment).</summary>
    public Task NextQueueChangeAsync() => Next(AnySession);

    string IInstanceRelayed.Topic => "session";

    // Set by Live's InstanceSignals when waiters on other instances must wake too.
    Action<string?>? IInstanceRelayed.Relay { set => _relay = value; }

    private Action<string?>? _relay;

    public void Notify(string sessionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        Complete(sessionId);
        _relay?.Invoke(sessionId);
    }

    public void NotifyQueue()
    {
        Complete(AnySession);
        _relay?.Invoke(AnySession);
    }

    /// <summary>Wakes this instance's waiters for what another instance signalled (a session id, or the empty key for the queue).</summary>
    Task IInstanceRelayed.ReceiveAsync(string? key, CancellationToken cancellationToken)
    {
        Complete(key ?? AnySession);
        return Task.CompletedTask;
    }

    private Task Next(string key) =>
        _waiting.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private void Complete(string key)
    {
        if (_waiting.TryRemove(key, out var waiters))
            waiters.TrySetResult();
    }
}
