using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;
using Microsoft.AspNetCore.Components;

namespace Diagnostics.Cloud.Web.Dashboard;

/// <summary>
/// A dashboard page that stays current: once running interactively it subscribes to <see cref="FleetChanges"/> (only
/// the changes it cares about), and after each batch re-reads what it shows with <see cref="RefreshAsync"/> — one
/// re-read per batch, at most one per <see cref="MinimumRefreshInterval"/>, so a busy fleet of thousands of devices
/// costs each open page about one set of aggregate queries a second.
/// </summary>
public abstract partial class LiveDashboardPage : ComponentBase, IDisposable
{
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stopping = new();
    private FleetChangeSubscription? _subscription;
    private bool _refreshFailed;

    [Inject] private FleetChanges Changes { get; set; } = default!;
    [Inject] private CloudMetrics Metrics { get; set; } = default!;
    [Inject] private ILogger<LiveDashboardPage> Logger { get; set; } = default!;
    [Inject] protected TimeProvider Time { get; set; } = default!;

    /// <summary>True while the page runs interactively and its last refresh worked: what <c>live-status</c> shows.</summary>
    protected bool IsLive => _subscription is not null && !_refreshFailed;

    /// <summary>Cancelled when the page goes away; for the page's own reads.</summary>
    protected CancellationToken PageStopping => _stopping.Token;

    /// <summary>Re-reads everything the page shows (on the renderer's context; the page renders afterwards).</summary>
    protected abstract Task RefreshAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts live updates when the page runs interactively (not while it is prerendered), once. The filter runs on
    /// the publisher's thread for every change in the fleet: keep it cheap and read only immutable state.
    /// </summary>
    protected void StartLiveUpdates(Func<DeviceChange, bool>? filter)
    {
        if (!RendererInfo.IsInteractive || _subscription is not null || _stopping.IsCancellationRequested)
            return;
        _subscription = Changes.Subscribe(filter);
        _ = RunAsync(_subscription, _stopping.Token);
    }

    private async Task RunAsync(FleetChangeSubscription subscription, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var batch = await subscription.ReadBatchAsync(cancellationToken);
                if (batch.Count == 0)
                    return;
                // Dropped changes need nothing special: every refresh re-reads all the page shows.
                _ = subscription.Overflowed;
                await InvokeAsync(async () =>
                {
                    try
                    {
                        await RefreshAsync(cancellationToken);
                        _refreshFailed = false;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        _refreshFailed = true;
                        Metrics.Error("dashboard.live");
                        LogRefreshFailed(Logger, ex, GetType().Name);
                    }
                    StateHasChanged();
                });
                await Task.Delay(MinimumRefreshInterval, Time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page went away.
        }
        catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
        {
            // The circuit's renderer went away first.
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
            return;
        _stopping.Cancel();
        _subscription?.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = EventIds.LiveRefreshFailed, Level = LogLevel.Error, Message = "Live dashboard page {Page} could not refresh")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string page);
}
