using System.Text.RegularExpressions;

namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>
/// Vendor control-panel codes inside free text (printer-state-message, printer-alert-description): HP-style
/// <c>13.20.00</c> and <c>Error 50.1</c>. They key the knowledge base as <c>panel:{code}</c>; the text itself is
/// only shown, never matched on otherwise.
/// </summary>
public static partial class PanelCodes
{
    public const string Prefix = "panel:";

    public static IReadOnlyList<string> Find(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return [];
        // IPP text values are at most 1023 octets (RFC 8011 5.1.2); a printer that sends more gets its first part read.
        // Bounding the input bounds the work, where a wall-clock match timeout would fire on a busy device instead.
        if (text.Length > MaxTextLength)
            text = text[..MaxTextLength];
        var codes = new List<string>();
        foreach (Match match in DottedTriple().Matches(text))
            codes.Add(match.Value.ToUpperInvariant());
        foreach (Match match in ErrorNumber().Matches(text))
            codes.Add(match.Groups["code"].Value.ToUpperInvariant());
        return codes.Distinct(StringComparer.Ordinal).ToList();
    }

    private const int MaxTextLength = 4096;

    // 13.20.00, 49.4C.02, 10.00.10: two digits, then two groups of two alphanumerics.
    [GeneratedRegex(@"(?<![\w.])\d{2}\.[0-9A-Fa-f]{2}\.[0-9A-Fa-f]{2}(?![\w.])", RegexOptions.CultureInvariant)]
    private static partial Regex DottedTriple();

    // "Error 50.1", "error: 79", "Error code 59.F0".
    [GeneratedRegex(@"\berror(?:\s+code)?\s*[:#]?\s*(?<code>\d{1,3}(?:\.[0-9A-Za-z]{1,2}){0,2})(?![\w.])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ErrorNumber();
}
