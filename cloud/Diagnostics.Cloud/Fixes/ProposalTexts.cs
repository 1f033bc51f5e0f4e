using System.Globalization;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Fixes;

/// <summary>
/// The words of a proposal support makes (<see cref="SupportProposals"/>) that come from no article: a diagnostics
/// request's title and what the printer will do, and who asked (a reason, "requested by …"). Stored as the English texts
/// of <c>Resources/Fixes/ProposalTexts.resx</c>, the same words the service stored before they were resources, so rows
/// written then read alike; each reader gets them in their language through <see cref="Read"/>. A text that is none of
/// these (an article's own words, a name) reads as stored.
/// </summary>
public static class ProposalTexts
{
    private static readonly LocalizedTexts Texts = new("Fixes.ProposalTexts");

    /// <summary>The English text with its values filled in, to store.</summary>
    public static string Write(string name, params object?[] args) => Texts.ToStore(name, args);

    /// <summary>A stored text as a reader of <paramref name="reader"/> reads it; one that is no proposal text reads as stored.</summary>
    public static string Read(string stored, CultureInfo reader)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(reader);
        return stored.Length == 0 || StoredTextReader.ReadsAsWritten(reader) ? stored
            : StoredTextReader.Reword(Texts.Manager, "proposal-texts", stored, CultureInfo.InvariantCulture, reader) ?? stored;
    }

    /// <summary>
    /// The words of a proposal (or its chat card) for <paramref name="reader"/>: its article's, in the reader's translation
    /// (<see cref="ArticleWording.Of"/>); for a proposal from no article, the kept title and "what the printer will do" read
    /// as the texts they were stored from.
    /// </summary>
    public static FixWording Wording(ArticleIndex articles, string? articleId, string keptTitle, string? keptDescribe, CultureInfo reader)
    {
        var words = ArticleWording.Of(articles, articleId, keptTitle, keptDescribe, reader);
        return articleId is not null ? words
            : words with { Title = Read(words.Title, reader), Describe = words.Describe is null ? null : Read(words.Describe, reader) };
    }

    /// <summary>
    /// A proposal's stored reason in the reader's language (the request's or the page's UI culture): why the knowledge
    /// base chose the article (<see cref="MatchReasons.Read"/>), else who asked for support's proposal.
    /// </summary>
    public static string ReadReason(string stored)
    {
        var read = MatchReasons.Read(stored);
        return read != stored ? read : Read(stored, CultureInfo.CurrentUICulture);
    }
}
