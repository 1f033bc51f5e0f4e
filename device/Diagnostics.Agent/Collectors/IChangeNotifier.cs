namespace Diagnostics.Agent.Collectors;

/// <summary>
/// A collector that can tell, between polls, that its device changed, so the telemetry pump can read it at once
/// instead of at the next tick. Changes are latched: one that happened while nobody waited completes the next wait.
/// </summary>
public interface IChangeNotifier
{
    /// <summary>
    /// Completes when the device reported a change not yet consumed by an earlier wait (at once if one is pending), or
    /// when a device that could not be read answers again (its recovery probe); otherwise never, while the collector
    /// has no way to learn about changes (polling mode). Throws <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    Task WaitForChangeAsync(CancellationToken cancellationToken);
}
