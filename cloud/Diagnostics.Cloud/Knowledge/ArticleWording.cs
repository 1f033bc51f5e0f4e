using System.Globalization;

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
    public static FixWording Of(ArticleIndex index, string? articleId, string keptTitle, string? keptDescribe, CultureInfo reader)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(reader);
        if (articleId is null || index.Find(articleId) is not { } found)
            return new FixWording(keptTitle, null, keptDescribe, [], false);
        var shown = index.Localize(found.Article, reader);
        return new FixWording(shown.Article.Title, shown.Article.Summary, shown.Article.Remediation?.Describe ?? keptDescribe, shown.Article.CustomerSteps, shown.IsFallback);
    }
}
