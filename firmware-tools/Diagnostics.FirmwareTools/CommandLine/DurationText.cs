using System.CommandLine.Parsing;
using System.Globalization;

namespace Diagnostics.FirmwareTools.CommandLine;

/// <summary>Durations as release engineers write them: a whole number and a unit, <c>90s</c>, <c>30m</c>, <c>72h</c>, <c>365d</c>, <c>2w</c>.</summary>
public static class DurationText
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text) || text.Trim() is not { Length: >= 2 } trimmed)
            return false;
        if (!long.TryParse(trimmed.AsSpan(0, trimmed.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            return false;
        var seconds = char.ToLowerInvariant(trimmed[^1]) switch
        {
            's' => 1L,
            'm' => 60L,
            'h' => 3600L,
            'd' => 86_400L,
            'w' => 7 * 86_400L,
            _ => 0L,
        };
        // Nothing fwtool schedules is longer than a few years; anything past 100 years is a typo.
        if (seconds == 0 || amount > 100L * 366 * 86_400 / seconds)
            return false;
        duration = TimeSpan.FromSeconds(amount * seconds);
        return true;
    }

    /// <summary>Renders a duration in the largest unit that divides it (<c>5m</c>, <c>72h</c>).</summary>
    public static string Format(TimeSpan duration)
    {
        var seconds = (long)duration.TotalSeconds;
        return seconds switch
        {
            0 => "0s",
            _ when seconds % 86_400 == 0 => $"{seconds / 86_400}d",
            _ when seconds % 3600 == 0 => $"{seconds / 3600}h",
            _ when seconds % 60 == 0 => $"{seconds / 60}m",
            _ => $"{seconds}s",
        };
    }

    /// <summary>A <c>CustomParser</c> for duration options: the error names the option and shows the accepted forms.</summary>
    public static TimeSpan ParseArgument(ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParse(text, out var duration))
            return duration;
        result.AddError($"'{text}' is not a duration: write a whole number and a unit, such as 90s, 30m, 72h, 365d or 2w.");
        return default;
    }
}
