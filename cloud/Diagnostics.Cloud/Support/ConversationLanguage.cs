using System.Globalization;
using System.Text;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// The language a customer reads and writes a conversation in, for the agent who joins it: what the customer writes in
/// (when the script tells: Chinese, Japanese), else the language they chose for the app, else the language of the
/// articles the assistant showed them, else English.
/// </summary>
public static class ConversationLanguage
{
    public static CultureInfo Of(IEnumerable<SupportMessage> messages, string? accountLanguage)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var all = messages as IReadOnlyList<SupportMessage> ?? [.. messages];
        var written = all.Where(m => m.Kind == MessageKind.Text && m.AuthorKind == AuthorKind.Customer)
            .Select(m => WrittenLanguage.Detect(m.Body, CultureInfo.InvariantCulture))
            .LastOrDefault(culture => culture.Name.Length > 0);
        if (written is not null)
            return written;
        if (ArticleLanguages.Culture(accountLanguage) is { } chosen)
            return chosen;
        var shown = all.Where(m => m.Kind == MessageKind.Article).Select(m => SupportCardText.Read<ArticleCard>(m.Body))
            .LastOrDefault(card => card is { EnglishFallback: false });
        return ArticleLanguages.Culture(shown?.Language) ?? SupportedCultures.Default;
    }

    private static readonly CultureInfo English = CultureInfo.GetCultureInfo(ArticleLanguages.Original);

    /// <summary>
    /// The language one text is written in, by its name (<c>en</c>, <c>zh-Hans</c>, <c>ja</c>, <c>fr</c>): the one its
    /// script tells (kana, Han, Hangul); else, when the text's letters are in the script of the language the customer
    /// chose for the app (<paramref name="customerLanguage"/>), that language (Latin letters from a customer who reads
    /// French are French); else English. No language is named here: a language's script is the script its own name is
    /// written in (<see cref="CultureInfo.NativeName"/>: "français", "Deutsch", "日本語"), so a translation added to the
    /// resources needs no code. A text without letters ("50.1") stays English, as it always was.
    /// </summary>
    public static string Of(string? text, string? customerLanguage = null)
    {
        var culture = WrittenLanguage.Detect(text, English);
        if (!ArticleLanguages.IsOriginal(culture))
            return culture.Name;
        return ArticleLanguages.Culture(customerLanguage) is { } chosen && !ArticleLanguages.IsOriginal(chosen)
            && LetterScript.Of(text) is { } script && script == LetterScript.Of(chosen.NativeName)
            ? chosen.Name
            : ArticleLanguages.Original;
    }
}

/// <summary>
/// The script most of a text's letters are in, as a number that is equal for two texts in the same script: Latin
/// letters (with their accents and extensions) are one script; any other letter stands for its 256-code-point page of
/// Unicode (Cyrillic, Greek, Arabic, Hebrew, Thai each keep to theirs). Null for a text without letters.
/// </summary>
internal static class LetterScript
{
    private const int Latin = -1;

    public static int? Of(string? text)
    {
        var counts = new Dictionary<int, int>();
        foreach (var rune in (text ?? "").EnumerateRunes())
        {
            if (!Rune.IsLetter(rune))
                continue;
            var value = rune.Value;
            var script = value is <= 0x024F or >= 0x1E00 and <= 0x1EFF or >= 0xFF21 and <= 0xFF5A ? Latin : value >> 8;
            counts[script] = counts.GetValueOrDefault(script) + 1;
        }
        return counts.Count == 0 ? null : counts.MaxBy(pair => pair.Value).Key;
    }
}
