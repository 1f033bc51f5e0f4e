namespace Diagnostics.Cloud.Messaging;

/// <summary>
/// Something a capability signals inside one instance that the other instances must hear too when several share one
/// database (a conversation's waiters, the knowledge index). The capability registers itself as this; Live's
/// <c>InstanceSignals</c> carries the signals between instances without naming the capabilities, so arrows point one way.
/// </summary>
public interface IInstanceRelayed
{
    /// <summary>The signal's name between instances; unique per capability ("session", "knowledge").</summary>
    string Topic { get; }

    /// <summary>Set when signals travel between instances: called with each signal this instance raised (a key, or null).</summary>
    Action<string?>? Relay { set; }

    /// <summary>Another instance raised the signal: act on it here only (never relay it back).</summary>
    Task ReceiveAsync(string? key, CancellationToken cancellationToken);
}
