using Diagnostics.Cloud.Localization;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>
/// Firmware versions an article applies to: space-separated comparisons that must all hold (<c>&gt;=2.0 &lt;3.1</c>),
/// on dotted numeric versions compared part by part (2.10 &gt; 2.9; a missing part is 0). Empty: every version.
/// </summary>
public sealed class FirmwareRange
{
    public static readonly FirmwareRange Any = new("", []);

    private readonly (string Operator, int[] Version)[] _bounds;

    private FirmwareRange(string text, (string, int[])[] bounds)
    {
        Text = text;
        _bounds = bounds;
    }

    public string Text { get; }

    public bool IsAny => _bounds.Length == 0;

    /// <summary>Reads a range; <paramref name="error"/> says in English why it does not read.</summary>
    public static bool TryParse(string? text, out FirmwareRange range, out string? error)
    {
        var read = TryRead(text, out range, out var problem);
        error = problem?.Invariant;
        return read;
    }

    /// <summary>Reads a range; <paramref name="problem"/> says why it does not read, in any reader's language.</summary>
    public static bool TryRead(string? text, out FirmwareRange range, out LocalizedMessage? problem)
    {
        range = Any;
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
            return true;
        var bounds = new List<(string, int[])>();
        foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var op = part.StartsWith(">=", StringComparison.Ordinal) || part.StartsWith("<=", StringComparison.Ordinal) ? part[..2]
                : part[0] is '<' or '>' or '=' ? part[..1]
                : "=";
            if (!TryParseVersion(part[(op == "=" && part[0] != '=' ? 0 : op.Length)..], out var version))
            {
                problem = ArticleErrors.Of("FirmwareRange", text, part);
                return false;
            }
            bounds.Add((op, version));
        }
        range = new FirmwareRange(string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries)), [.. bounds]);
        return true;
    }

    /// <summary>
    /// True when every bound holds. A device that has not said its version (or says something that is not a dotted
    /// number) is covered only by an open range: an article limited to some versions must not be offered blindly.
    /// </summary>
    public bool Covers(string? firmware) => IsAny || (TryParseVersion(firmware, out var version) && Covers(version));

    /// <summary>As <see cref="Covers(string?)"/>, for a version parsed once (<see cref="TryParseVersion"/>); empty: unknown.</summary>
    public bool Covers(int[] version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (IsAny)
            return true;
        if (version.Length == 0)
            return false;
        foreach (var (op, bound) in _bounds)
        {
            var order = Compare(version, bound);
            var holds = op switch
            {
                ">=" => order >= 0,
                "<=" => order <= 0,
                ">" => order > 0,
                "<" => order < 0,
                _ => order == 0,
            };
            if (!holds)
                return false;
        }
        return true;
    }

    public override string ToString() => Text;

    /// <summary>Leading dotted numbers of a version (<c>2.1.0-beta</c> reads as 2.1.0).</summary>
    public static bool TryParseVersion(string? text, out int[] version) => FirmwareVersion.TryParse(text, out version);

    private static int Compare(int[] left, int[] right) => FirmwareVersion.Compare(left, right);
}
