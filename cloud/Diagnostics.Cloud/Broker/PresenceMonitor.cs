using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Broker;

/// <summary>
/// Marks devices offline when they have missed N heartbeats at their announced interval, counted from when the broker
/// last heard them (<see cref="PresenceTracker.HeardWithin"/>), not from what ingestion has stored so far: a cloud whose
/// store falls behind must not mark its connected devices offline.
/// </summary>
public sealed partial class PresenceMonitor(
    IPresenceStore store,
    PresenceTracker tracker,
    InstanceLeases leases,
    FleetChanges changes,
    IOptions<PresenceOptions> options,
    TimeProvider time,
    CloudMetrics metrics,
    ILogger<PresenceMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckInterval, time);
        do
        {
            await CheckOnceAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task CheckOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Presence timeouts: one instance's check at a time (lease "presence").
            await leases.RunAsync("presence", async ct =>
            {
                var now = time.GetUtcNow();
                var silent = await store.MarkSilentDevicesOfflineAsync(now, options.Value.MissedHeartbeatsBeforeOffline, tracker.HeardWithin, ct);
                if (silent.Count > 0)
                {
                    changes.Publish([.. silent.Select(id => new DeviceChange(id, now, Presence: DevicePresence.Offline))]);
                    LogTimedOut(silent.Count, silent);
                }
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.Error("presence.monitor");
            LogError(ex);
        }
    }

    [LoggerMessage(EventId = BrokerEventIds.DevicesTimedOut, Level = LogLevel.Information, Message = "{Count} device(s) missed their heartbeats and are now offline: {DeviceIds}")]
    private partial void LogTimedOut(int count, IReadOnlyList<string> deviceIds);

    [LoggerMessage(EventId = BrokerEventIds.PresenceCheckFailed, Level = LogLevel.Error, Message = "Presence check failed")]
    private partial void LogError(Exception exception);
}
