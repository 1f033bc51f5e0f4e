using System.Diagnostics.Metrics;
using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;

namespace Diagnostics.Cloud.Tests.Live;

public sealed class FleetChangesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Subscribers_get_what_their_filter_accepts_in_order_and_nothing_after_disposing()
    {
        var changes = NewFeed();
        using var odd = changes.Subscribe(c => c.DeviceId.EndsWith('1') || c.DeviceId.EndsWith('3'));
        var all = changes.Subscribe();

        changes.Publish([Change("d-1"), Change("d-2"), Change("d-3")]);

        Assert.Equal(["d-1", "d-3"], (await odd.ReadBatchAsync(Ct)).Select(c => c.DeviceId));
        Assert.Equal(["d-1", "d-2", "d-3"], (await all.ReadBatchAsync(Ct)).Select(c => c.DeviceId));
        all.Dispose();
        Assert.Equal(1, changes.SubscriberCount);
        changes.Publish(Change("d-1"));
        Assert.Equal(["d-1"], (await odd.ReadBatchAsync(Ct)).Select(c => c.DeviceId));
    }

    [Fact]
    public async Task A_subscriber_that_falls_behind_loses_the_oldest_changes_and_is_told_once()
    {
        var changes = NewFeed();
        using var slow = changes.Subscribe();

        changes.Publish([.. Enumerable.Range(0, 1500).Select(i => Change($"d-{i}"))]);

        Assert.True(slow.Overflowed);
        Assert.False(slow.Overflowed);
        var kept = await slow.ReadBatchAsync(Ct);
        Assert.Equal(1024, kept.Count);
        Assert.Equal("d-1499", kept[^1].DeviceId);
    }

    [Fact]
    public async Task Reading_waits_for_a_change_and_honours_cancellation()
    {
        var changes = NewFeed();
        using var subscription = changes.Subscribe();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var waiting = subscription.ReadBatchAsync(cancel.Token).AsTask();
        Assert.False(waiting.IsCompleted);
        changes.Publish(Change("d-9"));

        Assert.Equal("d-9", (await waiting).Single().DeviceId);
        var cancelled = subscription.ReadBatchAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
    }

    private static FleetChanges NewFeed() => new(new CloudMetrics(new TestMeterFactory()));

    private static DeviceChange Change(string deviceId) => new(deviceId, DateTimeOffset.UnixEpoch);

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
