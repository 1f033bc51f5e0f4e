using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Fixes;

/// <summary>
/// Drives the fix loop. A raised problem or a command result is taken from the inbox as soon as ingestion announces it
/// stored, with no minimum gap between passes: what arrives while a pass runs waits only for that pass (so work is
/// gathered only when there is more than one pass can keep up with). A new status checks the open proposals of its
/// device alone; a device that subscribes again gets what waits for it; every <see cref="FixOptions.CheckInterval"/>
/// a full pass looks at every open proposal's deadlines.
/// </summary>
public sealed partial class FixLoopService(
    FixWorkflow workflow, FixCommandSender commands, FleetChanges changes, InstanceLeases leases, IOptions<FixOptions> options, TimeProvider time, CloudMetrics metrics, ILogger<FixLoopService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Events matter only as raised problems: what closes a proposal (FixDecisions.ByClock) reads the device's
        // stored status and the clock, never its events, so a cleared jam or a report alone asks the loop for nothing.
        using var subscription = changes.Subscribe(change =>
            change.ReadyForDownlink || change.CommandResults is not null || change.Health is not null || change.RaisesProblem);
        using var due = new DueWork();
        var reading = ReadChangesAsync(subscription, due, stoppingToken);
        var nextFullPass = time.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var untilFullPass = nextFullPass - time.GetUtcNow();
                if (untilFullPass > TimeSpan.Zero)
                    await due.WaitAsync(untilFullPass, time, stoppingToken);
                var full = time.GetUtcNow() >= nextFullPass;
                await PassAsync(due.Take(), full, stoppingToken);
                if (full)
                    nextFullPass = time.GetUtcNow() + options.Value.CheckInterval;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        await reading;
    }

    private static async Task ReadChangesAsync(FleetChangeSubscription subscription, DueWork due, CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                var batch = await subscription.ReadBatchAsync(stoppingToken);
                if (batch.Count == 0)
                    return;
                due.Add(batch, everything: subscription.Overflowed);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task PassAsync(DueWork.Snapshot work, bool full, CancellationToken stoppingToken)
    {
        try
        {
            // Proposals and commands: one instance's pass at a time (lease "fixes").
            await leases.RunAsync("fixes", ct => PassHoldingLeaseAsync(work, full, ct), stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.Error("fixes.loop");
            LogPassFailed(ex);
        }
    }

    private async Task PassHoldingLeaseAsync(DueWork.Snapshot work, bool full, CancellationToken stoppingToken)
    {
        if (work.Inbox || full)
        {
            // A full batch means more may wait; a short one (or one that keeps failing) ends the drain.
            while (await workflow.ProcessInboxAsync(stoppingToken) == FixWorkflow.InboxBatchSize)
            {
            }
        }
        foreach (var device in work.Reconnected)
            await commands.DeviceOnlineAsync(device, stoppingToken);
        if (full)
        {
            await workflow.ResumeInterruptedAsync(stoppingToken);
            await workflow.CheckOpenAsync(stoppingToken);
        }
        else if (work.StatusChanged.Count > 0)
            await workflow.CheckOpenAsync(stoppingToken, work.StatusChanged);
    }

    /// <summary>What the announced changes ask of the next pass, gathered while the current one runs.</summary>
    private sealed class DueWork : IDisposable
    {
        private readonly Lock _lock = new();
        private readonly SemaphoreSlim _signal = new(0, 1);
        private bool _inbox;
        private HashSet<string> _reconnected = new(StringComparer.Ordinal);
        private HashSet<string> _statusChanged = new(StringComparer.Ordinal);

        public sealed record Snapshot(bool Inbox, IReadOnlyCollection<string> Reconnected, IReadOnlyCollection<string> StatusChanged);

        /// <param name="everything">Changes were dropped: take the inbox, and the full pass is near anyway.</param>
        public void Add(IReadOnlyList<DeviceChange> changes, bool everything)
        {
            lock (_lock)
            {
                _inbox |= everything;
                foreach (var change in changes)
                {
                    if (change.ReadyForDownlink)
                        _reconnected.Add(change.DeviceId);
                    if (change.CommandResults is not null || change.RaisesProblem)
                        _inbox = true;
                    if (change.Health is not null)
                        _statusChanged.Add(change.DeviceId);
                }
            }
            if (_signal.CurrentCount == 0)
            {
                try
                {
                    _signal.Release();
                }
                catch (SemaphoreFullException)
                {
                    // Another change signalled first: one wake-up is enough.
                }
            }
        }

        public Snapshot Take()
        {
            lock (_lock)
            {
                var taken = new Snapshot(_inbox, _reconnected, _statusChanged);
                _inbox = false;
                _reconnected = new HashSet<string>(StringComparer.Ordinal);
                _statusChanged = new HashSet<string>(StringComparer.Ordinal);
                return taken;
            }
        }

        public void Dispose() => _signal.Dispose();

        /// <summary>Waits for a change, or until <paramref name="timeout"/> on <paramref name="time"/>'s clock.</summary>
        public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken stoppingToken)
        {
            using var tick = new CancellationTokenSource(timeout, time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(tick.Token, stoppingToken);
            try
            {
                await _signal.WaitAsync(either.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The tick: time for the full pass.
            }
        }
    }

    [LoggerMessage(EventId = FixesEventIds.FixLoopFailed, Level = LogLevel.Error, Message = "A pass of the fix loop failed; the next one tries again")]
    private partial void LogPassFailed(Exception exception);
}
