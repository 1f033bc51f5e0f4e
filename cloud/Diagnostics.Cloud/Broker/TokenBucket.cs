namespace Diagnostics.Cloud.Broker;

/// <summary>
/// Up to <c>capacity</c> takes at once, refilled continuously at <c>perSecond</c>; starts full. After a refused take
/// it is paused until the next token is due. Its clock is a <see cref="TimeProvider"/>, so tests move time themselves
/// (System.Threading.RateLimiting's token bucket refills on its own timer, and a partitioned one walks every
/// partition every 100 ms).
/// </summary>
/// <remarks>
/// A mutable struct held in a field of its owner, which serialises the calls (<c>ClientLimits.DeviceBudget</c> holds a
/// device's two buckets under one lock): one object and one lock per device instead of three of each (issue 22).
/// </remarks>
internal struct TokenBucket
{
    private readonly double _capacity;
    private readonly double _perSecond;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _refilledAt;
    private long _pausedUntil;

    public TokenBucket(double capacity, double perSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        _capacity = capacity;
        _perSecond = perSecond;
        _time = time;
        _tokens = capacity;
        _refilledAt = time.GetTimestamp();
        _pausedUntil = _refilledAt;
    }

    public bool TryTake()
    {
        var now = _time.GetTimestamp();
        _tokens = Math.Min(_capacity, _tokens + _time.GetElapsedTime(_refilledAt, now).TotalSeconds * _perSecond);
        _refilledAt = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            return true;
        }
        _pausedUntil = now + (long)Math.Ceiling((1 - _tokens) / _perSecond * _time.TimestampFrequency);
        return false;
    }

    /// <summary>How long until the token a refused take was missing is due; zero when not paused.</summary>
    public readonly TimeSpan PausedFor()
    {
        var now = _time.GetTimestamp();
        return _pausedUntil > now ? _time.GetElapsedTime(now, _pausedUntil) : TimeSpan.Zero;
    }
}
