using System.Globalization;

namespace Diagnostics.Protocol.Updates;

/// <summary>
/// Dotted numeric versions as devices report them, compared part by part (2.10 &gt; 2.9; a missing part is 0, so
/// 2.1 equals 2.1.0). The knowledge base's firmware ranges and the update checks both order versions this way.
/// </summary>
public static class FirmwareVersion
{
    /// <summary>Leading dotted numbers of a version (<c>2.1.0-beta</c> reads as 2.1.0, <c>v3</c> as 3).</summary>
    public static bool TryParse(string? text, out int[] version)
    {
        version = [];
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var trimmed = text.Trim().TrimStart('v', 'V');
        var end = 0;
        while (end < trimmed.Length && (char.IsAsciiDigit(trimmed[end]) || trimmed[end] == '.'))
            end++;
        var parts = trimmed[..end].Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
            return false;
        var numbers = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
                return false;
        }
        version = numbers;
        return true;
    }

    /// <summary>
    /// A version a release may carry: dotted numbers only, one to four parts (<c>2.4.1</c>). Stricter than
    /// <see cref="TryParse"/>, because a package's version decides what may replace what.
    /// </summary>
    public static bool IsReleaseVersion(string? text) =>
        !string.IsNullOrEmpty(text) && text.Split('.') is { Length: >= 1 and <= 4 } parts
        && parts.All(part => part.Length is >= 1 and <= 9 && part.All(char.IsAsciiDigit));

    public static int Compare(int[] left, int[] right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        for (var i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            var order = (i < left.Length ? left[i] : 0).CompareTo(i < right.Length ? right[i] : 0);
            if (order != 0)
                return order;
        }
        return 0;
    }

    /// <summary>Orders two versions; null when either does not read as a version.</summary>
    public static int? Compare(string? left, string? right) =>
        TryParse(left, out var l) && TryParse(right, out var r) ? Compare(l, r) : null;
}
