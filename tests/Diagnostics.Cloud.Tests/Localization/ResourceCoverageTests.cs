using System.Collections;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Tests.Localization;

/// <summary>
/// Every text the cloud shows is written in English (the neutral resources) and translated into every language it
/// ships, read from the built assemblies as the program reads them. A language is any culture a satellite assembly
/// was built for, so a fourth language is held to the same rule the moment its first resource file exists.
/// </summary>
public sealed partial class ResourceCoverageTests
{
    private static readonly System.Reflection.Assembly Cloud = typeof(SupportedCultures).Assembly;

    private static IEnumerable<string> ResourceNames() => Cloud.GetManifestResourceNames()
        .Where(name => name.EndsWith(".resources", StringComparison.Ordinal))
        .Select(name => name[..^".resources".Length])
        .Order(StringComparer.Ordinal);

    private static IReadOnlyList<CultureInfo> Translations() =>
        [.. SupportedCultures.Discover(AppContext.BaseDirectory).Cultures.Where(c => !c.Equals(SupportedCultures.Default))];

    [Fact]
    public void The_cloud_ships_Simplified_Chinese_and_Japanese_at_least()
    {
        Assert.Contains("zh-Hans", Translations().Select(c => c.Name));
        Assert.Contains("ja", Translations().Select(c => c.Name));
        Assert.NotEmpty(ResourceNames());
    }

    [Fact]
    public void Every_English_text_has_a_translation_in_every_language_and_no_translation_lacks_an_English_text()
    {
        var findings = new List<string>();
        foreach (var name in ResourceNames())
        {
            var manager = new ResourceManager(name, Cloud);
            var english = Texts(manager, CultureInfo.InvariantCulture) ?? [];
            foreach (var language in Translations())
            {
                var translated = Texts(manager, language);
                if (translated is null)
                {
                    findings.Add($"{name}: no {language.Name} file (add {Short(name)}.{language.Name}.resx)");
                    continue;
                }
                findings.AddRange(english.Keys.Except(translated.Keys).Order(StringComparer.Ordinal).Select(key => $"{name}.{language.Name}: missing \"{key}\""));
                findings.AddRange(translated.Keys.Except(english.Keys).Order(StringComparer.Ordinal).Select(key => $"{name}.{language.Name}: \"{key}\" has no English text"));
                // A translation may leave out a detail ({1}), never ask for one the code does not pass (a FormatException on screen).
                foreach (var (key, value) in translated.Where(t => english.ContainsKey(t.Key)))
                {
                    var extra = Placeholders(value).Except(Placeholders(english[key])).ToList();
                    if (extra.Count > 0)
                        findings.Add($"{name}.{language.Name}: \"{key}\" uses {string.Join(", ", extra)} which the English text does not");
                    if (value.Trim().Length == 0 && english[key].Trim().Length > 0)
                        findings.Add($"{name}.{language.Name}: \"{key}\" is empty");
                }
            }
        }
        Assert.True(findings.Count == 0, string.Join('\n', findings));
    }

    /// <summary>The texts of one culture's own file (no fallback to English), or null when it has none.</summary>
    private static Dictionary<string, string>? Texts(ResourceManager manager, CultureInfo culture)
    {
        var set = manager.GetResourceSet(culture, createIfNotExists: true, tryParents: false);
        if (set is null)
            return null;
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in set)
            texts[(string)entry.Key] = entry.Value as string ?? "";
        return texts;
    }

    private static string Short(string name) => name.Replace("Diagnostics.Cloud.Resources.", "Resources/", StringComparison.Ordinal).Replace('.', '/');

    private static IEnumerable<string> Placeholders(string text) => Placeholder().Matches(text).Select(m => "{" + m.Groups[1].Value + "}").Distinct();

    [GeneratedRegex(@"\{(\d+)(?:[,:][^}]*)?\}")]
    private static partial Regex Placeholder();
}
