using System.Globalization;
using System.Text.RegularExpressions;

namespace Diagnostics.Cloud.Web.Charts;

public sealed record ChartPoint(DateTimeOffset At, double Value);

/// <summary>One line of a time chart; <paramref name="Color"/> is a CSS colour (see <see cref="ChartColors"/>).</summary>
public sealed record ChartSeries(string Name, string Color, IReadOnlyList<ChartPoint> Points);

/// <summary>One bar of a bar chart; <paramref name="Href"/> makes the bar a link (to the devices it counts).</summary>
public sealed record ChartBar(string Label, double Value, string? Href = null, string? Color = null);

/// <summary>The value axis of a chart: a round maximum and evenly spaced ticks from zero.</summary>
public sealed record ChartScale(double Maximum, IReadOnlyList<double> Ticks)
{
    /// <summary>A scale from 0 that holds <paramref name="largest"/>, with about four round steps (1, 2 or 5 times a power of ten).</summary>
    public static ChartScale For(double largest, bool wholeNumbers, double? fixedMaximum = null)
    {
        if (fixedMaximum is { } fixedMax)
            return new ChartScale(fixedMax, [0, fixedMax / 4, fixedMax / 2, fixedMax * 3 / 4, fixedMax]);
        var rough = Math.Max(largest, wholeNumbers ? 1 : 1e-9) / 4;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / magnitude;
        var step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
        if (wholeNumbers)
            step = Math.Max(1, Math.Round(step));
        var steps = Math.Max(1, (int)Math.Ceiling(largest / step));
        return new ChartScale(step * steps, [.. Enumerable.Range(0, steps + 1).Select(i => i * step)]);
    }

    public static string Label(double value) => value.ToString(Math.Abs(value - Math.Round(value)) < 1e-9 ? "0" : "0.##", CultureInfo.InvariantCulture);
}

/// <summary>Colours for chart series: a palette readable on white, and a check for colours that come from devices.</summary>
public static partial class ChartColors
{
    private static readonly string[] Palette = ["#0b5cad", "#c5221f", "#b26a00", "#1e8e3e", "#7b1fa2", "#00838f", "#5d4037", "#c2185b"];

    public static string At(int index) => Palette[index % Palette.Length];

    /// <summary>A device's own colour for a supply ("#00ffff", "cyan") when it is a plain CSS colour, otherwise the palette's.</summary>
    public static string FromDevice(string? color, int index) =>
        !string.IsNullOrEmpty(color) && SafeColor().IsMatch(color) && !IsWhite(color) ? color : At(index);

    // White supplies (and white on white) would be invisible on the chart.
    private static bool IsWhite(string color) => color is "#fff" or "#ffffff" or "#FFF" or "#FFFFFF" || color.Equals("white", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[a-zA-Z]{3,20})$")]
    private static partial Regex SafeColor();
}

/// <summary>SVG coordinates as invariant text.</summary>
internal static class Svg
{
    public static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
