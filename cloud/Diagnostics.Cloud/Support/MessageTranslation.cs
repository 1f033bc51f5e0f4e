using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// A chat line in another language, where the service has the text in both: the assistant's lines (SupportBot.resx),
/// the conversation's own lines (SupportSystemText.resx) and an agent's canned replies that share a topic across
/// languages. What a person typed freely has no such text: <see cref="Translate"/> returns null and the reader sees it
/// as written. Nothing is machine-translated.
/// </summary>
public static partial class MessageTranslation
{
    private static readonly ResourceManager BotTexts = new("Diagnostics.Cloud.Resources.Support.SupportBot", typeof(MessageTranslation).Assembly);

    // One compiled pattern per (resource, culture, key): a text with {0}, {1} matches any words in their places.
    private static readonly ConcurrentDictionary<(string, string), IReadOnlyList<(string Key, Regex Pattern)>> Patterns = new();

    /// <summary>
    /// The <paramref name="body"/> of a message written in <paramref name="from"/>, as it reads in <paramref name="to"/>;
    /// null when the service does not have its text in both. The names a text carries (a person, an article) stay as written.
    /// </summary>
    public static string? Translate(string body, AuthorKind author, CultureInfo from, CultureInfo to, IReadOnlyList<CannedReply> canned)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(canned);
        return author switch
        {
            AuthorKind.Bot => FromResources(BotTexts, "bot", body, from, to),
            AuthorKind.System => FromResources(SupportSystemText.Texts, "system", body, CultureInfo.InvariantCulture, to),
            AuthorKind.Agent => FromCanned(body, from, to, canned),
            _ => null,
        };
    }

    /// <summary>
    /// <paramref name="body"/>, one of the texts of <paramref name="texts"/> as written in <paramref name="from"/>, worded
    /// from its text in <paramref name="to"/> with the same values; null when it is none of them. <paramref name="readValue"/>
    /// may word each value again (a stored reason inside a stored note).
    /// </summary>
    internal static string? FromResources(ResourceManager texts, string name, string body, CultureInfo from, CultureInfo to, Func<string, string?>? readValue = null)
    {
        foreach (var (key, pattern) in Patterns.GetOrAdd((name, from.Name), _ => Compile(texts, from)))
        {
            var match = pattern.Match(body.Trim());
            if (!match.Success)
                continue;
            var args = Enumerable.Range(0, 10).Select(i => match.Groups["a" + i.ToString(CultureInfo.InvariantCulture)])
                .TakeWhile(g => g.Success).Select(g => (object)(readValue?.Invoke(g.Value) ?? g.Value)).ToArray();
            if (texts.GetString(key, to) is not { } format)
                return null;
            try
            {
                return string.Format(to, format, args);
            }
            catch (FormatException)
            {
                // The reader's text asks for a detail the written one left out: no translation rather than a broken line.
                return null;
            }
        }
        return null;
    }

    private static List<(string Key, Regex Pattern)> Compile(ResourceManager texts, CultureInfo culture)
    {
        // The culture's own texts only (no English for a culture whose file lacks a key): a Chinese line is matched
        // against the Chinese texts. The neutral (English) texts are the invariant culture's set.
        var set = texts.GetResourceSet(culture.Name.Length == 0 || culture.TwoLetterISOLanguageName == "en" ? CultureInfo.InvariantCulture : culture, true, false);
        var found = new List<(string, Regex)>();
        if (set is null)
            return found;
        foreach (DictionaryEntry entry in set)
        {
            if (entry.Value is not string value || entry.Key is not string key || value.Length == 0)
                continue;
            var pattern = Placeholder().Replace(Regex.Escape(value), m => $"(?<a{m.Groups[1].Value}>.+?)");
            found.Add((key, new Regex("^" + pattern + "$", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))));
        }
        // Longer texts first: a text that is a prefix of another must not win.
        found.Sort((a, b) => b.Item2.ToString().Length.CompareTo(a.Item2.ToString().Length));
        return found;
    }

    private static string? FromCanned(string body, CultureInfo from, CultureInfo to, IReadOnlyList<CannedReply> canned)
    {
        foreach (var reply in canned.Where(r => r.Topic is not null && SameLanguage(r.Language, from)))
        {
            var pattern = CannedPlaceholder().Replace(Regex.Escape(reply.Body), m => $"(?<{m.Groups[1].Value}>.+?)");
            var match = Regex.Match(body.Trim(), "^" + pattern + "$", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            if (!match.Success)
                continue;
            if (canned.FirstOrDefault(r => r.Topic == reply.Topic && SameLanguage(r.Language, to)) is not { } other)
                return null;
            return CannedPlaceholder().Replace(other.Body, m => match.Groups[m.Groups[1].Value] is { Success: true } g ? g.Value : m.Value);
        }
        return null;
    }

    /// <summary>Whether a reply written in <paramref name="language"/> ("zh-Hans") serves <paramref name="culture"/> (zh-Hans-CN, zh-Hans).</summary>
    public static bool SameLanguage(string language, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        if (culture.Name.Length == 0)
            return language == "en";
        for (var c = culture; c.Name.Length > 0; c = c.Parent)
        {
            if (string.Equals(language, c.Name, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    [GeneratedRegex(@"\\\{(\d)}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\\?\{(customer|agent|device)\\?}")]
    private static partial Regex CannedPlaceholder();
}
