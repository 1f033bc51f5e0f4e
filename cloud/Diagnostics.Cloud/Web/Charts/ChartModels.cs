using System.Text.RegularExpressions;

namespace Diagnostics.Cloud.Web.Charts;

public sealed record ChartPoint(DateTimeOffset At, double Value);

/// <summary>One line of a time chart as measured; <paramref name="Color"/> is a CSS colour (see <see cref="ChartColors"/>).</summary>
public sealed record ChartSeries(string Name, string Color, IReadOnlyList<ChartPoint> Points);

/// <summary>One line of a time chart as drawn: a value per time of <see cref="TimeChartData.Times"/>, null where there is no data.</summary>
public sealed record TimeChartLine(string Name, string Color, IReadOnlyList<double?> Values);

/// <summary>
/// A time chart as the browser draws it: the time axis runs from <see cref="From"/> to <see cref="To"/> whatever the
/// data covers, and a null value is a gap (no data), never a zero.
/// </summary>
public sealed record TimeChartData(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<DateTimeOffset> Times, IReadOnlyList<TimeChartLine> Lines)
{
    public static TimeChartData Empty { get; } = new(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], []);

    public bool HasData => Lines.Any(l => l.Values.Any(v => v is not null));

    /// <summary>
    /// Lines measured at their own moments, aligned on one time axis. Where two measurements in a row are further
    /// apart than <paramref name="gapAfter"/> (the device or the cloud was not reporting), a gap is drawn between
    /// them. The axis covers <paramref name="from"/> to <paramref name="to"/> when given, otherwise exactly the data.
    /// </summary>
    public static TimeChartData Align(IReadOnlyList<ChartSeries> series, TimeSpan gapAfter, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var times = series.SelectMany(s => s.Points).Select(p => p.At).Distinct().Order().ToList();
        if (times.Count == 0)
            return new TimeChartData(from ?? DateTimeOffset.UnixEpoch, to ?? from ?? DateTimeOffset.UnixEpoch, [], [.. series.Select(s => new TimeChartLine(s.Name, s.Color, []))]);
        var axis = new List<DateTimeOffset>(times.Count + 8);
        var gapRows = new HashSet<int>();
        for (var i = 0; i < times.Count; i++)
        {
            if (i > 0 && times[i] - times[i - 1] > gapAfter)
            {
                // One empty moment between the two breaks the line there.
                gapRows.Add(axis.Count);
                axis.Add(times[i - 1] + (times[i] - times[i - 1]) / 2);
            }
            axis.Add(times[i]);
        }
        var lines = series.Select(s =>
        {
            var byTime = s.Points.GroupBy(p => p.At).ToDictionary(g => g.Key, g => g.Last().Value);
            return new TimeChartLine(s.Name, s.Color, [.. axis.Select((t, row) => gapRows.Contains(row) ? null : byTime.TryGetValue(t, out var v) ? v : (double?)null)]);
        }).ToList();
        return new TimeChartData(from ?? times[0], to ?? times[^1], axis, lines);
    }

    /// <summary>
    /// A gap threshold for measurements that come at their own pace: three times the usual (median) spacing, so one
    /// late report is no gap but an hour of silence in a stream of minutes is.
    /// </summary>
    public static TimeSpan UsualGap(IEnumerable<DateTimeOffset> moments, TimeSpan atLeast)
    {
        var sorted = moments.Distinct().Order().ToList();
        if (sorted.Count < 3)
            return TimeSpan.MaxValue;
        var spacings = sorted.Zip(sorted.Skip(1), (a, b) => b - a).Order().ToList();
        var median = spacings[spacings.Count / 2];
        return median * 3 > atLeast ? median * 3 : atLeast;
    }
}

/// <summary>One bar of a bar list; <paramref name="Href"/> makes it a link (to the devices it counts); <paramref name="Tone"/> its colour's meaning.</summary>
public sealed record ChartBar(string Label, double Value, string? Href = null, BarTone Tone = BarTone.Neutral);

/// <summary>What a bar's colour says: the same colours as health everywhere in the apps.</summary>
public enum BarTone
{
    Neutral,
    Healthy,
    Warning,
    Critical,
}

/// <summary>Colours for chart series: a palette readable on the light and the dark background, and a check for colours that come from devices.</summary>
public static partial class ChartColors
{
    // Tableau 10's hues, darkened or lightened where needed to keep a 3:1 contrast with both backgrounds.
    private static readonly string[] Palette = ["#3b82c4", "#e07b39", "#8e6cc4", "#2f9e8f", "#c4548a", "#8c8c2a", "#b0603a", "#6b7d99"];

    public static string At(int index) => Palette[index % Palette.Length];

    /// <summary>A device's own colour for a supply ("#00ffff", "cyan") when it is a plain CSS colour, otherwise the palette's.</summary>
    public static string FromDevice(string? color, int index) =>
        !string.IsNullOrEmpty(color) && SafeColor().IsMatch(color) && !IsWhite(color) ? color : At(index);

    // White supplies (and white on white) would be invisible on the chart.
    private static bool IsWhite(string color) => color is "#fff" or "#ffffff" or "#FFF" or "#FFFFFF" || color.Equals("white", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[a-zA-Z]{3,20})$")]
    private static partial Regex SafeColor();
}
