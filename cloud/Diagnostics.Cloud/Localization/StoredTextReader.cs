using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;

namespace Diagnostics.Cloud.Localization;

/// <summary>A value found in a stored line, read again: the text's name, the value's place in it ({0} is 0), the value as written; null keeps it.</summary>
public delegate string? StoredValueReader(string key, int index, string value);

/// <summary>
/// Words a line the service wrote from one of its texts again in another language: the line is matched against every
/// text of the resource as written in one culture, and the text of the same name in the reader's culture is filled with
/// the values found. What the service stores in English (staff notes, fix notes) and the chat lines it wrote are read
/// this way; nothing is machine-translated.
/// </summary>
public static partial class StoredTextReader
{
    // One compiled pattern per (resource, culture, key): a text with {0}, {1} matches any words in their places.
    private static readonly ConcurrentDictionary<(string, string), IReadOnlyList<(string Key, Regex Pattern)>> Patterns = new();

    /// <summary>
    /// Whether a reader of <paramref name="culture"/> reads stored English as written: the texts are stored in English, so
    /// rewording them for an English reader would only match every pattern to rebuild the same line (a fix list renders
    /// a note per row on every refresh).
    /// </summary>
    public static bool ReadsAsWritten(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        return culture.Name.Length == 0 || culture.TwoLetterISOLanguageName == "en";
    }

    /// <summary>
    /// <paramref name="body"/>, one of the texts of <paramref name="texts"/> as written in <paramref name="from"/>, worded
    /// from its text in <paramref name="to"/> with the same values; null when it is none of them. <paramref name="readValue"/>
    /// may word each value again (a stored reason inside a stored note). <paramref name="name"/> keys the compiled patterns.
    /// </summary>
    public static string? Reword(ResourceManager texts, string name, string body, CultureInfo from, CultureInfo to, Func<string, string?>? readValue = null) =>
        Reword(texts, name, body, from, to, readValue is null ? null : new StoredValueReader((_, _, value) => readValue(value)));

    /// <summary>
    /// The same, with <paramref name="readValue"/> told which text the line is and which of its values it reads: a value
    /// whose words depend on its place (a device's state in a note, where a title beside it stays as written).
    /// </summary>
    public static string? Reword(ResourceManager texts, string name, string body, CultureInfo from, CultureInfo to, StoredValueReader? readValue)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        foreach (var (key, pattern) in Patterns.GetOrAdd((name, from.Name), _ => Compile(texts, from)))
        {
            Match match;
            try
            {
                match = pattern.Match(body.Trim());
            }
            catch (RegexMatchTimeoutException)
            {
                // A line built to make the patterns backtrack (a device's detail is the device's words): read as written.
                return null;
            }
            if (!match.Success)
                continue;
            var args = Enumerable.Range(0, 10).Select(i => match.Groups["a" + i.ToString(CultureInfo.InvariantCulture)])
                .TakeWhile(g => g.Success).Select((g, i) => (object)(readValue?.Invoke(key, i, g.Value) ?? g.Value)).ToArray();
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

    // {0}, and {1:0.00} with a format (a match's reason): the value is matched as written, its format kept by the digits stored.
    [GeneratedRegex(@"\\\{(\d)(?::[^}]*)?}")]
    private static partial Regex Placeholder();
}
