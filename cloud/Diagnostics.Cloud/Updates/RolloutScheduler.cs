using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Updates;

/// <summary>
/// Moves rollouts on: wakes when devices report (ingestion announces every stored batch) and otherwise every
/// <see cref="UpdateOptions.CheckInterval"/> for wave windows, deferrals and health observations. The first pass after
/// a start sends every outstanding offer again, since the broker may not have kept them.
/// </summary>
public sealed partial class RolloutScheduler(
    RolloutService rollouts, FleetChanges changes, IOptions<UpdateOptions> options, TimeProvider time, CloudMetrics metrics, ILogger<RolloutScheduler> logger) : BackgroundService
{
    /// <summary>The shortest time between two passes: reports arriving meanwhile are taken together.</summary>
    public static readonly TimeSpan MinimumPassInterval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Only changes that may carry an update report or a reconnect; a bare announcement is this service's own.
        using var subscription = changes.Subscribe(change => change.UpdateReports is not null || change.ReadyForDownlink || change.Health is not null || change.EventsOrEmpty.Count > 0);
        var republish = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await rollouts.PassAsync(republish, stoppingToken);
                    republish = false;
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    metrics.Error("updates.scheduler");
                    LogPassFailed(exception);
                }
                await Task.Delay(MinimumPassInterval, time, stoppingToken);
                using var tick = new CancellationTokenSource(options.Value.CheckInterval, time);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(tick.Token, stoppingToken);
                try
                {
                    await subscription.ReadBatchAsync(either.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // The tick: time to look at windows and deadlines.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = EventIds.RolloutSchedulerFailed, Level = LogLevel.Error, Message = "A rollout scheduler pass failed; the next pass tries again")]
    private partial void LogPassFailed(Exception exception);
}
