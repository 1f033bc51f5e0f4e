using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;
using Microsoft.AspNetCore.Components;

namespace Diagnostics.Cloud.Web.Components;

/// <summary>What a page's <c>live-status</c> element says about its updates.</summary>
public enum LiveState
{
    /// <summary>Prerendered, or interactive but not yet following its source.</summary>
    Connecting,

    /// <summary>Following its source; the last re-read worked.</summary>
    Live,

    /// <summary>Still following, but the last re-read failed: what it shows may be old.</summary>
    Stale,

    /// <summary>Its source failed: no more updates until the page is opened again.</summary>
    Offline,
}

/// <summary>
/// A page or component of either web app that stays current by itself. Once it runs interactively (never while
/// prerendered: that copy is thrown away) it waits on a source of changes and re-reads what it shows after each
/// wake-up — one re-read however many changes the wake-up covers, and at most one per
/// <see cref="MinimumRefreshInterval"/>, so a busy fleet costs each open page about one set of reads a second.
/// </summary>
public abstract partial class LiveComponent : ComponentBase, IDisposable
{
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<IDisposable> _sources = [];
    private bool _running;

    [Inject] private FleetChanges Changes { get; set; } = default!;
    [Inject] private CloudMetrics Metrics { get; set; } = default!;
    [Inject] private ILogger<LiveComponent> Logger { get; set; } = default!;
    [Inject] protected TimeProvider Time { get; set; } = default!;

    /// <summary>What the <c>live-status</c> element shows (browser tests wait for <c>live</c>).</summary>
    protected LiveState Liveness { get; private set; } = LiveState.Connecting;

    /// <summary>Cancelled when the component goes away; for its own reads.</summary>
    protected CancellationToken Stopping => _stopping.Token;

    protected DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>
    /// Follows the fleet's changes that pass <paramref name="filter"/> (all when null), re-reading with
    /// <paramref name="reload"/>. The filter runs on the publisher's thread for every change in the fleet: keep it
    /// cheap and let it read only immutable or volatile state. Does nothing while prerendering or when already live.
    /// </summary>
    protected void FollowFleetChanges(Func<DeviceChange, bool>? filter, Func<CancellationToken, Task> reload)
    {
        if (!CanStart())
            return;
        var subscription = Changes.Subscribe(filter);
        _sources.Add(subscription);
        // Dropped changes need nothing special: every re-read reads all the component shows.
        Start(async ct => (await subscription.ReadBatchAsync(ct)).Count > 0, reload);
    }

    /// <summary>
    /// Re-reads with <paramref name="reload"/> each time <paramref name="waitForChange"/> returns true, until it
    /// returns false (its source closed). <paramref name="source"/> is disposed with the component.
    /// </summary>
    protected void FollowChanges(IDisposable source, Func<CancellationToken, ValueTask<bool>> waitForChange, Func<CancellationToken, Task> reload)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!CanStart())
        {
            source.Dispose();
            return;
        }
        _sources.Add(source);
        Start(waitForChange, reload);
    }

    private bool CanStart() => RendererInfo.IsInteractive && !_running && !_stopping.IsCancellationRequested;

    private void Start(Func<CancellationToken, ValueTask<bool>> waitForChange, Func<CancellationToken, Task> reload)
    {
        ArgumentNullException.ThrowIfNull(waitForChange);
        ArgumentNullException.ThrowIfNull(reload);
        _running = true;
        Liveness = LiveState.Live;
        _ = RunAsync(waitForChange, reload, _stopping.Token);
    }

    private async Task RunAsync(Func<CancellationToken, ValueTask<bool>> waitForChange, Func<CancellationToken, Task> reload, CancellationToken stopping)
    {
        try
        {
            while (await waitForChange(stopping))
            {
                await InvokeAsync(async () =>
                {
                    try
                    {
                        await reload(stopping);
                        Liveness = LiveState.Live;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // A failed read (the store busy or gone for a moment) leaves the page following: the next change retries.
                        Liveness = LiveState.Stale;
                        Metrics.Error("web.live");
                        LogRefreshFailed(Logger, ex, GetType().Name);
                    }
                    StateHasChanged();
                });
                await Task.Delay(MinimumRefreshInterval, Time, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The component went away.
        }
        catch (ObjectDisposedException) when (stopping.IsCancellationRequested)
        {
            // The circuit's renderer went away first.
        }
        catch (Exception ex)
        {
            Metrics.Error("web.live");
            LogFeedFailed(Logger, ex, GetType().Name);
            await InvokeAsync(() =>
            {
                Liveness = LiveState.Offline;
                StateHasChanged();
            });
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
        foreach (var source in _sources)
            source.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = WebEventIds.LiveRefreshFailed, Level = LogLevel.Error, Message = "Live page {Component} could not re-read what it shows")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string component);

    [LoggerMessage(EventId = WebEventIds.LiveFeedFailed, Level = LogLevel.Error, Message = "Live updates of {Component} stopped")]
    private static partial void LogFeedFailed(ILogger logger, Exception exception, string component);
}
