using System.Globalization;
using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>
/// An article's text in another language: what people read (title, summary, the words they use, the three sections
/// and what the automated fix does). What the article applies to and which fix it runs are the original's, never
/// repeated, so a translation cannot drift from the rules it is about.
/// </summary>
public sealed record ArticleTranslation(
    string ArticleId,
    string Language,
    string Title,
    string Summary,
    string? Describe,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Symptoms,
    IReadOnlyList<string> CustomerSteps,
    IReadOnlyList<string> AgentNotes)
{
    /// <summary>
    /// The problems with this translation of <paramref name="original"/>: a translation says what the fix does exactly
    /// when the article has a fix.
    /// </summary>
    public IReadOnlyList<LocalizedMessage> CheckAgainst(Article original)
    {
        ArgumentNullException.ThrowIfNull(original);
        if (original.Id != ArticleId)
            return [ArticleErrors.Of("TranslationOfOther", ArticleId, original.Id)];
        if (original.Remediation is not null && Describe is null)
            return [ArticleErrors.Of("DescribeNeeded")];
        if (original.Remediation is null && Describe is not null)
            return [ArticleErrors.Of("DescribeNotWanted")];
        return [];
    }

    /// <summary>The original with this translation's texts: what a reader of <see cref="Language"/> is shown.</summary>
    public Article Apply(Article original)
    {
        ArgumentNullException.ThrowIfNull(original);
        return original with
        {
            Title = Title,
            Summary = Summary,
            Tags = Tags,
            Symptoms = Symptoms,
            CustomerSteps = CustomerSteps,
            AgentNotes = AgentNotes,
            Remediation = original.Remediation is { } fix && Describe is not null ? fix with { Describe = Describe } : original.Remediation,
        };
    }
}

/// <summary>
/// The names translations go by. A translation is stored like an article, as its own versioned document whose key is
/// <c>&lt;article-id&gt;.&lt;language&gt;</c> (<c>paper-jam.zh-Hans</c>), which is also its file name without <c>.md</c>:
/// article ids have no dot, so the two never meet.
/// </summary>
public static class ArticleLanguages
{
    /// <summary>The language articles are written in; every other language is a translation of it.</summary>
    public static string Original => SupportedCultures.Default.Name;

    public static string DocumentKey(string articleId, string language) => $"{articleId}.{language}";

    /// <summary>The article and language of a stored document or file name (<c>paper-jam.zh-Hans</c>); no language for an original.</summary>
    public static (string ArticleId, string? Language) Split(string documentKey)
    {
        ArgumentNullException.ThrowIfNull(documentKey);
        var dot = documentKey.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? (documentKey, null) : (documentKey[..dot], documentKey[(dot + 1)..]);
    }

    /// <summary>
    /// Whether <paramref name="language"/> is a language a translation can be in: a culture .NET knows (written as .NET
    /// writes it: <c>zh-Hans</c>, <c>ja</c>, <c>pt-BR</c>), and not a kind of English, which the original is.
    /// </summary>
    public static bool IsTranslationLanguage(string? language) => Culture(language) is { } culture && !IsOriginal(culture);

    /// <summary>The culture a language name stands for, or null when .NET knows no such culture (or the name is not spelled as .NET does).</summary>
    public static CultureInfo? Culture(string? language)
    {
        if (string.IsNullOrWhiteSpace(language) || language.Length > 20)
            return null;
        try
        {
            var culture = CultureInfo.GetCultureInfo(language, predefinedOnly: true);
            return culture.Name == language ? culture : null;
        }
        catch (CultureNotFoundException)
        {
            return null;
        }
    }

    /// <summary>English in any variant reads the original.</summary>
    public static bool IsOriginal(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        return culture.TwoLetterISOLanguageName == SupportedCultures.Default.TwoLetterISOLanguageName;
    }

    /// <summary>
    /// The translation that serves a reader of <paramref name="culture"/>, among <paramref name="available"/>
    /// languages: the culture itself, else its nearest parent (<c>zh-Hans-CN</c> → <c>zh-Hans</c> → <c>zh</c>); null
    /// when none does (the reader gets the original).
    /// </summary>
    public static string? Serving(CultureInfo culture, IReadOnlyCollection<string> available)
    {
        ArgumentNullException.ThrowIfNull(culture);
        ArgumentNullException.ThrowIfNull(available);
        if (IsOriginal(culture))
            return null;
        for (var c = culture; c.Name.Length > 0; c = c.Parent)
        {
            if (available.Contains(c.Name))
                return c.Name;
        }
        // zh-CN's parent chain is zh-CN → zh; the Simplified translation is filed as zh-Hans.
        return available.FirstOrDefault(a => CultureInfo.GetCultureInfo(a).Parent.Name == culture.Parent.Name && culture.Parent.Name.Length > 0);
    }
}
