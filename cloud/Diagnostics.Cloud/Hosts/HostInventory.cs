using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Hosts;

/// <summary>How the host inventory runs. Bound from the <c>Hosts</c> section.</summary>
public sealed class HostOptions
{
    public const string SectionName = "Hosts";

    /// <summary>How often queues tied to no printer are matched again when no report wakes the inventory.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Applies the host reports ingestion leaves in <c>host_inbox</c> (each host's newest, its queues tied to registered
/// printers), then tells live views which hosts and printers changed. Wakes on a stored host report, and otherwise every
/// <see cref="HostOptions.CheckInterval"/> to tie queues that a newly registered printer now matches.
/// </summary>
public sealed partial class HostInventory(
    HostStore store, HostInboxStore inbox, FleetChanges changes, InstanceLeases leases, IOptions<HostOptions> options, TimeProvider time, CloudMetrics metrics, ILogger<HostInventory> logger) : BackgroundService
{
    private const int BatchSize = 256;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = changes.Subscribe(change => change.HostReported);
        await PassLoop.RunAsync(async ct =>
        {
            try
            {
                await leases.RunAsync("hosts", PassAsync, ct);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                metrics.Error("hosts.inventory");
                LogPassFailed(exception);
            }
        }, async ct => await subscription.ReadBatchAsync(ct), TimeSpan.FromMilliseconds(100), () => options.Value.CheckInterval, time, stoppingToken);
    }

    /// <summary>One pass: every waiting report applied in the order it was sent, then unmatched queues matched again.</summary>
    public async Task PassAsync(CancellationToken cancellationToken)
    {
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        var printers = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var items = await inbox.PeekInboxAsync(BatchSize, cancellationToken);
            foreach (var item in items)
            {
                var applied = await store.ApplyAsync(item, cancellationToken);
                hosts.UnionWith(applied.Hosts);
                printers.UnionWith(applied.Printers);
                if (!applied.IsEmpty)
                    LogApplied(item.HostId, item.Sequence, item.Report?.Queues.Count ?? 0);
                await inbox.RemoveFromInboxAsync(item, cancellationToken);
            }
            if (items.Count < BatchSize)
                break;
        }
        var rematched = await store.RematchAsync(cancellationToken);
        if (!rematched.IsEmpty)
            LogMatched(rematched.Hosts.Count, rematched.Printers.Count);
        hosts.UnionWith(rematched.Hosts);
        printers.UnionWith(rematched.Printers);
        var now = time.GetUtcNow();
        changes.Publish([.. hosts.Concat(printers).Distinct(StringComparer.Ordinal).Select(id => new DeviceChange(id, now))]);
    }

    [LoggerMessage(EventId = HostsEventIds.HostReportApplied, Level = LogLevel.Debug, Message = "Host {HostId} report {Sequence} applied: {Queues} queue(s)")]
    private partial void LogApplied(string hostId, ulong sequence, int queues);

    [LoggerMessage(EventId = HostsEventIds.HostQueuesMatched, Level = LogLevel.Information, Message = "Queues of {Hosts} host(s) now tied to {Printers} printer(s)")]
    private partial void LogMatched(int hosts, int printers);

    [LoggerMessage(EventId = HostsEventIds.HostInventoryFailed, Level = LogLevel.Error, Message = "A host inventory pass failed; the next pass tries again")]
    private partial void LogPassFailed(Exception exception);
}
