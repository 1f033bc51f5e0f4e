using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Devices;

/// <summary>
/// Every <see cref="FleetHistoryOptions.SampleInterval"/> (and once at start) stores the fleet's counts as a
/// <see cref="FleetSample"/> and forgets samples older than <see cref="FleetHistoryOptions.Retention"/>.
/// A failed sample is logged and counted; the next tick tries again.
/// </summary>
internal sealed partial class FleetHistorySampler(
    IFleetHistoryStore store,
    InstanceLeases leases,
    IOptions<FleetHistoryOptions> options,
    TimeProvider time,
    CloudMetrics metrics,
    ILogger<FleetHistorySampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.SampleInterval, time);
        try
        {
            do
            {
                // One sample per interval for the whole fleet (lease "fleet-history"): with several instances the
                // holder first looks whether another instance sampled within the last half interval.
                await leases.RunAsync("fleet-history", async ct =>
                {
                    if (leases.Shared && (await store.GetSamplesAsync(time.GetUtcNow() - settings.SampleInterval / 2, ct)).Count > 0)
                        return;
                    await SampleAsync(settings.Retention, ct);
                }, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task SampleAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            var sample = await store.RecordAsync(now, cancellationToken);
            LogSampled(sample.Total, sample.Online, sample.Conditions.Count);
            var trimmed = await store.DeleteBeforeAsync(now - retention, cancellationToken);
            if (trimmed > 0)
                LogTrimmed(trimmed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            metrics.Error("fleet-history");
            LogFailed(ex);
        }
    }

    [LoggerMessage(EventId = DevicesEventIds.FleetSampled, Level = LogLevel.Debug, Message = "Fleet sampled: {Total} devices, {Online} online, {Conditions} conditions active")]
    private partial void LogSampled(long total, long online, int conditions);

    [LoggerMessage(EventId = DevicesEventIds.FleetHistoryTrimmed, Level = LogLevel.Debug, Message = "Fleet history: {Samples} samples past retention deleted")]
    private partial void LogTrimmed(int samples);

    [LoggerMessage(EventId = DevicesEventIds.FleetSampleFailed, Level = LogLevel.Error, Message = "Fleet history sample failed")]
    private partial void LogFailed(Exception exception);
}
