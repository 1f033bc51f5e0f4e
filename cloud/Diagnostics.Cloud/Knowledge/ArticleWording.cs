using System.Globalization;
using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>An article's title, summary, "what the printer will do" and steps as one reader reads them.</summary>
public sealed record FixWording(string Title, string? Summary, string? Describe, IReadOnlyList<string> Steps, bool IsFallback);

/// <summary>
/// The words of an article a fix or card came from, in a reader's language. A fix proposal and a chat card keep the
/// words they were made with (the language of whoever was served then); each reader gets the published article's
/// words in their own language instead, from the index in memory. Without the article (deleted, or a fix that came
/// from no article) the kept words are shown as they are.
/// </summary>
public static class ArticleWording
{
    // The mark beside an English title shown to a reader of another language; the same words as the fixes pages'.
    private static readonly LocalizedTexts Marks = new("Knowledge.ArticleWording");

    public static FixWording Of(ArticleIndex index, string? articleId, string keptTitle, string? keptDescribe, CultureInfo reader)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(reader);
        if (articleId is null || index.Find(articleId) is not { } found)
            return new FixWording(keptTitle, null, keptDescribe, [], false);
        var shown = index.Localize(found.Article, reader);
        return new FixWording(shown.Article.Title, shown.Article.Summary, shown.Article.Remediation?.Describe ?? keptDescribe, shown.Article.CustomerSteps, shown.IsFallback);
    }

    /// <summary>
    /// The words for <paramref name="reader"/> of the article a line names only by its title (stored lines quote a title,
    /// not an article's id): the published article whose title in <paramref name="from"/> is <paramref name="keptTitle"/>.
    /// Null when none is (a fix that came from no article and is named by its code, an article retitled or deleted since).
    /// </summary>
    public static FixWording? OfTitle(ArticleIndex index, string keptTitle, CultureInfo from, CultureInfo reader)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(keptTitle);
        ArgumentNullException.ThrowIfNull(from);
        return index.FindByTitle(keptTitle, from) is { } found ? Of(index, found.Article.Id, keptTitle, null, reader) : null;
    }

    /// <summary>
    /// A title quoted inside a stored line, as <paramref name="reader"/> reads it: the title of the article's translation,
    /// or its English title followed by the not-translated mark ("Out of paper（暂无中文版）"). Null for a title no published
    /// article has: the line keeps it as written.
    /// </summary>
    public static string? QuotedTitle(ArticleIndex index, string keptTitle, CultureInfo from, CultureInfo reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (OfTitle(index, keptTitle, from, reader) is not { } words)
            return null;
        return words.IsFallback
            ? string.Format(reader, Marks.Manager.GetString("TitleNotTranslated", reader) ?? "{0}", words.Title)
            : words.Title;
    }

    /// <summary>
    /// The mark shown beside an article's English title for a reader whose language the article is not translated into,
    /// in the reader's language (the request's or the page's UI culture).
    /// </summary>
    public static string NotTranslatedMark => Marks.Text("NotTranslated");
}
