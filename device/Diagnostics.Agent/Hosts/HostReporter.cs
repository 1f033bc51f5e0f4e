using Diagnostics.Agent.Telemetry;
using Diagnostics.Agent.Uplink;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Hosts;

/// <summary>
/// Sends the host's <see cref="Protocol.Hosts.HostReport"/> through the outbox (<c>up/host</c>) whenever a read finds it
/// changed, and again every <see cref="HostOptions.ReportInterval"/> though nothing changed (the cloud's copy heals
/// after a lost database). The telemetry pump's reads are what find changes.
/// </summary>
public sealed partial class HostReporter(IPrintHost host, Outbox outbox, UplinkEnvelopes envelopes, TimeSpan interval, TimeProvider time, ILogger<HostReporter> logger)
{
    public long Sent => Interlocked.Read(ref _sent);

    private long _sent;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var changed = host.WaitForReportChangeAsync(stopWaiting.Token);
                var due = Task.Delay(interval, time, stopWaiting.Token);
                await Task.WhenAny(changed, due);
                await stopWaiting.CancelAsync();
                await Task.WhenAll(changed, due).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                cancellationToken.ThrowIfCancellationRequested();
                if (host.LatestReport is not { } report)
                    continue;
                await outbox.EnqueueAsync(envelopes.HostReport(report), cancellationToken);
                Interlocked.Increment(ref _sent);
                Log.Sent(logger, envelopes.DeviceId, report.Queues.Count);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping; the next start reads and reports again.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.HostReportSent, LogLevel.Debug, "Host {DeviceId} reported {Queues} print queue(s)")]
        public static partial void Sent(ILogger logger, string deviceId, int queues);
    }
}
