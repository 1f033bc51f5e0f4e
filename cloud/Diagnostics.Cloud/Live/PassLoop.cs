namespace Diagnostics.Cloud.Live;

/// <summary>
/// The loop of the cloud's background workers (fix loop, rollout scheduler, support watcher): a pass, then at least
/// <c>minimumInterval</c> of rest so that wake-ups arriving meanwhile are taken together by the next pass (a busy fleet
/// changes in every ingestion batch), then whichever comes first — a wake-up or the regular check for deadlines.
/// </summary>
public static class PassLoop
{
    /// <summary>
    /// Runs <paramref name="pass"/> until <paramref name="stopping"/>; the pass handles its own failures (a failed pass
    /// must not end the loop). <paramref name="wake"/> completes when something worth a pass happened.
    /// </summary>
    public static async Task RunAsync(
        Func<CancellationToken, Task> pass, Func<CancellationToken, Task> wake, TimeSpan minimumInterval, Func<TimeSpan> checkInterval,
        TimeProvider time, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(pass);
        ArgumentNullException.ThrowIfNull(wake);
        ArgumentNullException.ThrowIfNull(checkInterval);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await pass(stopping);
                await Task.Delay(minimumInterval, time, stopping);
                using var tick = new CancellationTokenSource(checkInterval(), time);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(tick.Token, stopping);
                try
                {
                    await wake(either.Token);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    // The tick: time to look at deadlines.
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
