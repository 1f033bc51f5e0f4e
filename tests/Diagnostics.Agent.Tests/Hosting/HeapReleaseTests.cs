using Diagnostics.Agent.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Hosting;

public sealed class HeapReleaseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Releases_once_the_agent_has_started_and_then_every_interval_until_it_stops()
    {
        var time = new FakeTimeProvider();
        var released = new SemaphoreSlim(0);
        var count = 0;
        using var service = new HeapRelease(time, () =>
        {
            Interlocked.Increment(ref count);
            released.Release();
        });
        await service.StartAsync(Ct);

        time.Advance(HeapRelease.AfterStart - TimeSpan.FromSeconds(1));
        Assert.Equal(0, Volatile.Read(ref count));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await released.WaitAsync(TimeSpan.FromSeconds(30), Ct), "no release after start");

        time.Advance(HeapRelease.Interval - TimeSpan.FromSeconds(1));
        Assert.Equal(1, Volatile.Read(ref count));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await released.WaitAsync(TimeSpan.FromSeconds(30), Ct), "no release after the interval");

        await service.StopAsync(Ct);
        time.Advance(HeapRelease.Interval);
        Assert.Equal(2, Volatile.Read(ref count));
    }

    [Fact]
    public void A_release_runs_a_full_collection()
    {
        var before = GC.CollectionCount(GC.MaxGeneration);

        HeapRelease.ReleaseNow();

        Assert.True(GC.CollectionCount(GC.MaxGeneration) > before);
    }
}
