namespace Diagnostics.Agent;

/// <summary>
/// Exponential backoff with full jitter: a delay drawn uniformly between the minimum and min x 2^failures, capped at
/// the maximum, so many devices failing together (a broker restart, a cloud outage) do not retry in step.
/// </summary>
public static class Backoff
{
    public static TimeSpan Next(TimeSpan min, TimeSpan max, int failures, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var low = min.TotalSeconds;
        var cap = Math.Min(max.TotalSeconds, low * Math.Pow(2, Math.Min(failures, 30)));
        return TimeSpan.FromSeconds(low + random.NextDouble() * (cap - low));
    }
}
