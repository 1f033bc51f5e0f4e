using System.Globalization;

namespace Diagnostics.Cloud.Localization;

/// <summary>
/// The languages the apps speak: English, which every text is written in, and each language whose translated
/// resources were built beside the program. Adding a language is adding resource files (and article translations);
/// no code names the list.
/// </summary>
public sealed class SupportedCultures
{
    /// <summary>The language every text is written in first, and the fallback of every other.</summary>
    public static readonly CultureInfo Default = CultureInfo.GetCultureInfo("en");

    private SupportedCultures(IReadOnlyList<CultureInfo> cultures)
    {
        Cultures = cultures;
        FormattingCultures = [.. cultures, .. CultureInfo.GetCultures(CultureTypes.SpecificCultures).Where(c => !cultures.Contains(c) && cultures.Any(ui => Speaks(c, ui)))];
    }

    /// <summary>The default first, then the translations in name order.</summary>
    public IReadOnlyList<CultureInfo> Cultures { get; }

    /// <summary>
    /// The cultures dates, times and numbers may be written in: the languages above, and each of their regions. A
    /// British reader gets English text with 22:00, an American one 10:00 PM; a region whose language has no
    /// translation ("de-DE") is not among them, so English text never comes with German numbers.
    /// </summary>
    public IReadOnlyList<CultureInfo> FormattingCultures { get; }

    /// <summary>Whether <paramref name="culture"/> is <paramref name="language"/> or one of its regions (en-GB of en, zh-CN of zh-Hans).</summary>
    private static bool Speaks(CultureInfo culture, CultureInfo language)
    {
        for (var c = culture; !c.Equals(CultureInfo.InvariantCulture); c = c.Parent)
        {
            if (c.Equals(language))
                return true;
        }
        return false;
    }

    /// <summary>
    /// Finds the translations the build produced: a satellite assembly per culture folder beside the main assembly
    /// (<c>zh-Hans/Diagnostics.Cloud.resources.dll</c>), which is where .NET looks for them at run time too.
    /// </summary>
    public static SupportedCultures Discover(string? directory = null)
    {
        var assembly = typeof(SupportedCultures).Assembly;
        directory ??= Path.GetDirectoryName(assembly.Location) ?? AppContext.BaseDirectory;
        var satellite = assembly.GetName().Name + ".resources.dll";
        if (!Directory.Exists(directory))
            return new SupportedCultures([Default]);
        var translations = Directory.EnumerateDirectories(directory)
            .Where(folder => File.Exists(Path.Combine(folder, satellite)))
            .Select(folder => TryCulture(Path.GetFileName(folder)))
            .OfType<CultureInfo>()
            .Where(culture => !culture.Equals(Default))
            .OrderBy(culture => culture.Name, StringComparer.Ordinal);
        return new SupportedCultures([Default, .. translations]);
    }

    private static CultureInfo? TryCulture(string name)
    {
        try
        {
            // Without ICU every name would "exist" as an invariant-like culture; the cloud runs with real cultures.
            var culture = CultureInfo.GetCultureInfo(name, predefinedOnly: true);
            return culture.Name.Length > 0 ? culture : null;
        }
        catch (CultureNotFoundException)
        {
            return null;
        }
    }
}
