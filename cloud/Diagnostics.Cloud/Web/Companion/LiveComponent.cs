using Diagnostics.Cloud.Observability;
using Microsoft.AspNetCore.Components;

namespace Diagnostics.Cloud.Web.Companion;

/// <summary>
/// A companion component that re-reads what it shows whenever a change it cares about arrives. Live reading starts
/// only once the component runs interactively (the prerendered copy is thrown away); one re-read per wake-up, however
/// many changes it covers.
/// </summary>
public abstract partial class LiveComponent : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    [Inject] private ILogger<LiveComponent> Logger { get; set; } = default!;

    /// <summary>What the <c>live-status</c> element says: <c>live</c> while updates arrive.</summary>
    protected string LiveStatus { get; private set; } = "connecting";

    protected CancellationToken Stopping => _stop.Token;

    /// <summary>
    /// Runs <paramref name="reload"/> (on the renderer, then re-renders) each time <paramref name="waitForChange"/>
    /// returns true; stops when it returns false (its source was closed, e.g. replaced by another subscription).
    /// </summary>
    protected void RunLive(Func<CancellationToken, ValueTask<bool>> waitForChange, Func<CancellationToken, Task> reload)
    {
        ArgumentNullException.ThrowIfNull(waitForChange);
        ArgumentNullException.ThrowIfNull(reload);
        if (!RendererInfo.IsInteractive)
            return;
        LiveStatus = "live";
        _ = LoopAsync(waitForChange, reload, _stop.Token);
    }

    private async Task LoopAsync(Func<CancellationToken, ValueTask<bool>> waitForChange, Func<CancellationToken, Task> reload, CancellationToken stopping)
    {
        try
        {
            while (await waitForChange(stopping))
            {
                await InvokeAsync(async () =>
                {
                    await reload(stopping);
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The page was closed.
        }
        catch (Exception ex)
        {
            LogLiveFailed(Logger, ex, GetType().Name);
            await InvokeAsync(() =>
            {
                LiveStatus = "offline";
                StateHasChanged();
            });
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
            return;
        _stop.Cancel();
        _stop.Dispose();
    }

    [LoggerMessage(EventId = EventIds.CompanionLiveFailed, Level = LogLevel.Error, Message = "Live updates of {Component} stopped")]
    private static partial void LogLiveFailed(ILogger logger, Exception exception, string component);
}
