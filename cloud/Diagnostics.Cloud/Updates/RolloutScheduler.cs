using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Updates;

/// <summary>
/// Moves rollouts on: wakes when a device reports an update step and otherwise every
/// <see cref="UpdateOptions.CheckInterval"/> for wave windows, deferrals and health observations (the errors a rollout
/// compares are counted then too, so ordinary telemetry never drives a pass). The first pass after
/// a start sends every outstanding offer again, since the broker may not have kept them.
/// </summary>
public sealed partial class RolloutScheduler(
    RolloutService rollouts, FleetChanges changes, InstanceLeases leases, IOptions<UpdateOptions> options, TimeProvider time, CloudMetrics metrics, ILogger<RolloutScheduler> logger) : BackgroundService
{
    /// <summary>The shortest time between two passes: reports arriving meanwhile are taken together.</summary>
    public static readonly TimeSpan MinimumPassInterval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Offers are retained by the broker, so a reconnect needs nothing from here; only update steps do.
        using var subscription = changes.Subscribe(change => change.UpdateReports is not null);
        var republish = true;
        await PassLoop.RunAsync(async ct =>
        {
            try
            {
                // Wave advances and halts: one instance's pass at a time (lease "rollouts").
                if (await leases.RunAsync("rollouts", pass => rollouts.PassAsync(republish, pass), ct))
                    republish = false;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                metrics.Error("updates.scheduler");
                LogPassFailed(exception);
            }
        }, async ct => await subscription.ReadBatchAsync(ct), MinimumPassInterval, () => options.Value.CheckInterval, time, stoppingToken);
    }

    [LoggerMessage(EventId = UpdatesEventIds.RolloutSchedulerFailed, Level = LogLevel.Error, Message = "A rollout scheduler pass failed; the next pass tries again")]
    private partial void LogPassFailed(Exception exception);
}
