using System.Text;

namespace Diagnostics.Agent.Hosts;

/// <summary>
/// The few facts the host role reads from a PPD (Adobe PPD 4.3, with CUPS's extensions): which driver it is
/// (<c>*NickName</c>), its version (<c>*FileVersion</c>), the printer it was made for (<c>*ModelName</c>), and whether
/// CUPS generated it from the printer's own description (driverless IPP Everywhere). Pure: bytes in, facts or the
/// reason they are not a PPD out.
/// </summary>
public sealed record PpdFile(string FileVersion, string NickName, string ModelName, string Manufacturer, string PcFileName)
{
    /// <summary>
    /// Made by CUPS from the printer's IPP attributes: <c>lpadmin -m everywhere</c> writes <c>*PCFileName: "ippeve.ppd"</c>
    /// and a NickName ending in "IPP Everywhere"; cups-filters' driverless PPDs say "driverless" in theirs.
    /// </summary>
    public bool IsDriverless =>
        string.Equals(PcFileName, "ippeve.ppd", StringComparison.OrdinalIgnoreCase)
        || NickName.EndsWith("IPP Everywhere", StringComparison.OrdinalIgnoreCase)
        || NickName.Contains("driverless", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a PPD's main keywords; null (with the reason) when the bytes are not a PPD a queue can use.</summary>
    public static PpdFile? TryRead(ReadOnlySpan<byte> bytes, out string? problem)
    {
        // PPDs are ISO Latin-1 unless they say otherwise; the keywords read here are ASCII either way.
        var text = Encoding.Latin1.GetString(bytes);
        if (!text.StartsWith("*PPD-Adobe:", StringComparison.Ordinal))
        {
            problem = "it is not a PPD: a PPD begins with *PPD-Adobe";
            return null;
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            // Main keywords only ("*NickName: "..."); option lines ("*PageSize A4/A4: ...") have a space before the colon.
            if (line.Length < 3 || line[0] != '*' || line[1] == '%')
                continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 2 || line.AsSpan(1, colon - 1).ContainsAny(' ', '\t'))
                continue;
            var keyword = line[1..colon];
            if (values.ContainsKey(keyword))
                continue;
            values[keyword] = Unquote(line[(colon + 1)..].Trim());
        }
        var ppd = new PpdFile(
            values.GetValueOrDefault("FileVersion", ""), values.GetValueOrDefault("NickName", ""), values.GetValueOrDefault("ModelName", ""),
            values.GetValueOrDefault("Manufacturer", ""), values.GetValueOrDefault("PCFileName", ""));
        problem = ppd.NickName.Length == 0 ? "the PPD has no *NickName (the name CUPS shows for the driver)" : null;
        return problem is null ? ppd : null;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1].Trim() : value.TrimEnd('\r');
}
