using System.Collections.Frozen;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>One printer-state-reasons value, understood: <c>media-jam-warning</c> → base <c>media-jam</c>, Warning.</summary>
/// <param name="Keyword">As the printer sent it.</param>
/// <param name="Base">Without its severity suffix; the condition code is <c>ipp:{Base}</c>.</param>
/// <param name="Condition">Normalized condition, empty when none is known (vendor and rare keywords).</param>
/// <param name="Label">CUPS's English label, or the keyword itself when unregistered.</param>
public sealed record PrinterStateReason(string Keyword, string Base, Severity Severity, string Condition, string Label, bool IsRegistered)
{
    public string Code => "ipp:" + Base;
}

/// <summary>
/// Reads printer-state-reasons keywords (RFC 8011 5.4.12): -report, -warning and -error suffixes give the severity,
/// no suffix means error, <c>none</c> means nothing. The registry is CUPS 2.4.2's list, embedded.
/// </summary>
public static class PrinterStateReasons
{
    private const string ResourceName = "Diagnostics.Agent.Resources.ipp-printer-state-reasons.tsv";

    private static readonly (string Suffix, Severity Severity)[] Suffixes =
        [("-report", Severity.Report), ("-warning", Severity.Warning), ("-error", Severity.Error)];

    private static readonly Lazy<FrozenDictionary<string, string>> LabelsByKeyword = new(LoadRegistry);

    /// <summary>Registered keyword → CUPS English label.</summary>
    public static IReadOnlyDictionary<string, string> Registered => LabelsByKeyword.Value;

    /// <summary>The reason, or null for <c>none</c> and empty values.</summary>
    public static PrinterStateReason? Parse(string keyword)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        keyword = keyword.Trim();
        if (keyword.Length == 0 || keyword == "none")
            return null;
        var (baseKeyword, severity) = StripSuffix(keyword);
        // A few registered names end in "-error" themselves (input-media-tray-feed-error): when the stripped base is
        // unknown but the whole keyword is registered, the whole keyword is the base, and unsuffixed means error.
        if (!Registered.ContainsKey(baseKeyword) && baseKeyword != keyword && Registered.ContainsKey(keyword))
            (baseKeyword, severity) = (keyword, Severity.Error);
        var registered = Registered.TryGetValue(baseKeyword, out var label);
        return new PrinterStateReason(
            keyword, baseKeyword, severity, IppConditions.ByReason.GetValueOrDefault(baseKeyword, ""), label ?? baseKeyword, registered);
    }

    /// <summary>Every reason of a printer-state-reasons attribute, <c>none</c> left out, duplicates by base merged (worst severity).</summary>
    public static IReadOnlyList<PrinterStateReason> ParseAll(IEnumerable<string> keywords) =>
        keywords.Select(Parse).OfType<PrinterStateReason>()
            .GroupBy(r => r.Base, StringComparer.Ordinal)
            .Select(g => g.MaxBy(r => r.Severity)!)
            .ToList();

    private static (string Base, Severity Severity) StripSuffix(string keyword)
    {
        foreach (var (suffix, severity) in Suffixes)
        {
            if (keyword.Length > suffix.Length && keyword.EndsWith(suffix, StringComparison.Ordinal))
                return (keyword[..^suffix.Length], severity);
        }
        return (keyword, Severity.Error);
    }

    private static FrozenDictionary<string, string> LoadRegistry()
    {
        using var stream = typeof(PrinterStateReasons).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab <= 0 || line.StartsWith("keyword\t", StringComparison.Ordinal))
                continue;
            labels[line[..tab]] = line[(tab + 1)..];
        }
        return labels.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
