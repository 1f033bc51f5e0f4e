using Microsoft.Extensions.Hosting;

namespace Diagnostics.Agent.Hosting;

/// <summary>
/// Gives the garbage collector's spare memory back to the system once the agent has started, and again every
/// <see cref="Interval"/>. Starting a gateway allocates far more than it keeps (every device's options, connection and
/// boot-time slot check; 20 printers keep a live heap of about 1.5 MB), and a workstation GC without background
/// collections rarely runs a full, compacting collection on so small a heap, so the regions that start-up touched
/// stayed resident (tests/Diagnostics.LoadTest/README.md, sixth pass). An aggressive collection compacts and
/// decommits them; on a heap this size it takes a few milliseconds.
/// </summary>
internal sealed class HeapRelease(TimeProvider time, Action release) : BackgroundService
{
    // Counted from when the host built the service: the host starts it on a thread of its own, a moment later.
    private readonly DateTimeOffset _created = time.GetUtcNow();

    /// <summary>After start: by then every device of a gateway has opened its outbox and connected.</summary>
    public static readonly TimeSpan AfterStart = TimeSpan.FromSeconds(30);

    /// <summary>Later releases return what a diagnostics report, an update or a reconnect storm took meanwhile.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    /// <summary>A blocking, compacting full collection that also returns the freed memory to the system.</summary>
    public static void ReleaseNow() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Due times are fixed from the start, so a late wake-up does not push every later release back.
        var due = _created + AfterStart;
        while (true)
        {
            var wait = due - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, time, stoppingToken);
            stoppingToken.ThrowIfCancellationRequested();
            release();
            due += Interval;
            if (due < time.GetUtcNow())
                due = time.GetUtcNow() + Interval;
        }
    }
}
