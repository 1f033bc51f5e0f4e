using System.Globalization;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>
/// An article's texts as one reader reads them (the API's <c>forReader</c>, the dashboard's article page): its published
/// translation serving the reader's language laid over the published article (<see cref="Language"/> says which), else
/// the article's own English with <see cref="IsFallback"/> set for a reader of another language. A translation is
/// written against the published text, so a draft or an older version reads in its own (English) words.
/// <see cref="Outdated"/>: the translation was published before the article's latest text.
/// </summary>
public sealed record ArticleReading(
    string Language,
    bool IsFallback,
    bool Outdated,
    string Title,
    string Summary,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Symptoms,
    IReadOnlyList<string> CustomerSteps,
    IReadOnlyList<string> AgentNotes,
    string? Describe)
{
    /// <summary><paramref name="original"/> (a version of the article itself, not of a translation) as a reader of <paramref name="reader"/> reads it.</summary>
    public static ArticleReading Of(ArticleView original, ArticleIndex index, CultureInfo reader)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(reader);
        if (index.Find(original.Id) is { } published && published.Version == original.Version)
        {
            var shown = index.Localize(published.Article, reader);
            var article = shown.Article;
            return new ArticleReading(shown.Language, shown.IsFallback, shown.Outdated, article.Title, article.Summary, article.Tags,
                article.Symptoms, article.CustomerSteps, article.AgentNotes, article.Remediation?.Describe);
        }
        return new ArticleReading(ArticleLanguages.Original, !ReadsOriginal(reader), Outdated: false, original.Title, original.Summary, original.Tags,
            original.Symptoms, original.CustomerSteps, original.AgentNotes, original.Remediation?.Describe);
    }

    /// <summary>A list's item with its title as a reader of <paramref name="reader"/> reads it (an article never published has no translation yet).</summary>
    public static ArticleListItem Of(ArticleListItem item, ArticleIndex index, CultureInfo reader)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(reader);
        if (index.Find(item.Id) is not { } published)
            return item with { TitleForReader = item.Title, Language = ArticleLanguages.Original, IsFallback = !ReadsOriginal(reader) };
        var shown = index.Localize(published.Article, reader);
        return item with { TitleForReader = shown.Article.Title, Language = shown.Language, IsFallback = shown.IsFallback };
    }

    private static bool ReadsOriginal(CultureInfo reader) => reader.Name.Length == 0 || ArticleLanguages.IsOriginal(reader);
}
