using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Web.Charts;

namespace Diagnostics.Cloud.Web.Dashboard;

/// <summary>A range the fleet's charts can show, as it is written in the page's address (<c>?range=24h</c>).</summary>
public sealed record ChartRange(string Name, TimeSpan Span)
{
    public static IReadOnlyList<ChartRange> All { get; } =
    [
        new("1h", TimeSpan.FromHours(1)),
        new("6h", TimeSpan.FromHours(6)),
        new("24h", TimeSpan.FromHours(24)),
        new("7d", TimeSpan.FromDays(7)),
    ];

    public static ChartRange Default => All[1];

    /// <summary>The named range, or the default for anything else.</summary>
    public static ChartRange Parse(string? name) => All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)) ?? Default;
}

/// <summary>
/// The fleet's active conditions over a range, from the stored samples: the axis is the whole range (not just where
/// samples exist), each point is the highest count in its stretch of time (a peak between two points is not lost),
/// a stretch without any sample is a gap (the cloud was not running), and the last point is the present moment.
/// </summary>
public static class FleetTrend
{
    /// <summary>Points per line at most, whatever the range: enough for the widest screen, light to send.</summary>
    public const int MaxPoints = 360;

    public static TimeChartData ConditionsOverTime(
        IReadOnlyList<FleetSample> samples, IReadOnlyDictionary<string, long> now, DateTimeOffset at, ChartRange range,
        TimeSpan sampleInterval, int lines, Func<string, string> name)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(now);
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(name);
        var from = at - range.Span;
        var inRange = samples.Where(s => s.At >= from && s.At <= at).OrderBy(s => s.At).ToList();
        // A stretch holds two sampling intervals at least, so the sampler's jitter never reads as a gap.
        var stretch = TimeSpan.FromTicks(Math.Max(range.Span.Ticks / MaxPoints, sampleInterval.Ticks * 2));
        var stretches = (int)Math.Ceiling((double)range.Span.Ticks / stretch.Ticks);

        var charted = inRange.SelectMany(s => s.Conditions).Concat(now)
            .GroupBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(group => (Condition: group.Key, Peak: group.Max(pair => pair.Value)))
            .Where(c => c.Peak > 0)
            .OrderByDescending(c => c.Peak).ThenBy(c => c.Condition, StringComparer.Ordinal)
            .Take(lines)
            .Select(c => c.Condition)
            .ToList();

        var times = new List<DateTimeOffset>(stretches + 1);
        var values = charted.Select(_ => new List<double?>(stretches + 1)).ToList();
        var next = 0;
        for (var i = 0; i < stretches; i++)
        {
            var start = from + stretch * i;
            var end = i == stretches - 1 ? at : start + stretch;
            var within = new List<FleetSample>();
            while (next < inRange.Count && inRange[next].At < end)
                within.Add(inRange[next++]);
            times.Add(start + (end - start) / 2);
            for (var line = 0; line < charted.Count; line++)
                values[line].Add(within.Count == 0 ? null : within.Max(s => s.Conditions.GetValueOrDefault(charted[line])));
        }
        times.Add(at);
        for (var line = 0; line < charted.Count; line++)
            values[line].Add(now.GetValueOrDefault(charted[line]));

        return new TimeChartData(from, at, times,
            [.. charted.Select((condition, line) => new TimeChartLine(name(condition), ChartColors.At(line), values[line]))]);
    }
}
