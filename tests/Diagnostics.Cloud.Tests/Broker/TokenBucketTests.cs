using Diagnostics.Cloud.Broker;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Cloud.Tests.Broker;

public sealed class TokenBucketTests
{
    [Fact]
    public void Starts_full_and_refuses_once_its_burst_is_spent()
    {
        var bucket = new TokenBucket(3, 1, new FakeTimeProvider());

        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
    }

    [Fact]
    public void Refills_at_its_rate_and_never_above_its_capacity()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(2, 4, time);
        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());

        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());

        time.Advance(TimeSpan.FromHours(1));
        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
    }

    [Fact]
    public void After_a_refusal_it_is_paused_until_the_next_token_is_due()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(1, 2, time);
        Assert.Equal(TimeSpan.Zero, bucket.PausedFor());
        Assert.True(bucket.TryTake());

        Assert.False(bucket.TryTake());
        Assert.Equal(TimeSpan.FromMilliseconds(500), bucket.PausedFor());

        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(TimeSpan.FromMilliseconds(300), bucket.PausedFor());
        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(TimeSpan.Zero, bucket.PausedFor());
        Assert.True(bucket.TryTake());
    }
}
