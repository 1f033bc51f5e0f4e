using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Fixes;

/// <summary>
/// Drives the fix loop: wakes when a device raises a problem, reports a command result, sends a status (a condition may
/// have cleared) or subscribes again after a reconnect, and otherwise every <see cref="FixOptions.CheckInterval"/> for
/// deadlines. Each wake takes the inbox, sends what waits for devices that came back, and checks open fixes.
/// </summary>
public sealed partial class FixLoopService(
    FixWorkflow workflow, FleetChanges changes, IOptions<FixOptions> options, TimeProvider time, CloudMetrics metrics, ILogger<FixLoopService> logger) : BackgroundService
{
    /// <summary>The shortest time between two passes; wake-ups in between are gathered into the next pass.</summary>
    public static readonly TimeSpan MinimumPassInterval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = changes.Subscribe(change =>
            change.ReadyForDownlink || change.CommandResults is not null || change.Health is not null || change.RaisesProblem
            || change.EventsOrEmpty.Count > 0);
        using var wake = new SemaphoreSlim(0);
        var reconnected = new HashSet<string>(StringComparer.Ordinal);
        var readReconnects = ReadChangesAsync(subscription, wake, reconnected, stoppingToken);
        await PassLoop.RunAsync(ct => PassAsync(reconnected, ct), ct => wake.WaitAsync(ct), MinimumPassInterval, () => options.Value.CheckInterval, time, stoppingToken);
        await readReconnects;
    }

    private static async Task ReadChangesAsync(FleetChangeSubscription subscription, SemaphoreSlim wake, HashSet<string> reconnected, CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                var batch = await subscription.ReadBatchAsync(stoppingToken);
                if (batch.Count == 0)
                    return;
                lock (reconnected)
                {
                    foreach (var change in batch.Where(c => c.ReadyForDownlink))
                        reconnected.Add(change.DeviceId);
                }
                if (wake.CurrentCount == 0)
                    wake.Release();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task PassAsync(HashSet<string> reconnected, CancellationToken stoppingToken)
    {
        try
        {
            while (await workflow.ProcessInboxAsync(stoppingToken) > 0)
            {
            }
            string[] devices;
            lock (reconnected)
            {
                devices = [.. reconnected];
                reconnected.Clear();
            }
            foreach (var device in devices)
                await workflow.DeviceOnlineAsync(device, stoppingToken);
            await workflow.CheckOpenAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.Error("fixes.loop");
            LogPassFailed(ex);
        }
    }

    [LoggerMessage(EventId = EventIds.FixLoopFailed, Level = LogLevel.Error, Message = "A pass of the fix loop failed; the next one tries again")]
    private partial void LogPassFailed(Exception exception);
}
