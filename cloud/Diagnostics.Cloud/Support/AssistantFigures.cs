using System.Globalization;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// The assistant's figures in one language over conversations that ended in a period. <see cref="ResolutionRate"/>:
/// share of conversations the assistant solved alone. <see cref="HandoverRate"/>: share handed to a person.
/// <see cref="RightArticleFirst"/>: of the conversations whose answer is known (the assistant's article solved it, or the
/// agent who solved it linked an article), the share where the first article the assistant showed was that one.
/// </summary>
public sealed record AssistantLanguageFigures(
    string Language, int Conversations, int ResolvedByAssistant, double? ResolutionRate, int HandedOver, double? HandoverRate,
    int AnswerKnown, int RightArticleFirstCount, double? RightArticleFirst);

/// <summary>
/// The assistant's figures by language, from stored conversations: the language of a conversation is the one its
/// customer's first message is written in (as the assistant reads it); <see cref="NoWords"/> (BCP 47's
/// "undetermined") when the customer wrote nothing (a device's problem opened it, solved by a fix card).
/// </summary>
public sealed class AssistantFigures(Database database)
{
    public const string NoWords = "und";

    private sealed record Row(string Id, SessionResolution? Resolution, string? HandoverReason, DateTimeOffset? QueuedAt, string? LinkedArticle, string? CustomerLanguage);

    private sealed record MessageRow(string SessionId, long Seq, MessageKind Kind, string Body);

    public async Task<IReadOnlyList<AssistantLanguageFigures>> ByLanguageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var sessions = await database.QueryAsync<Row>("""
            SELECT s.id, s.resolution, s.handover_reason, s.queued_at_ms AS queued_at,
                   (SELECT MIN(p.article_id) FROM kb_phrases p WHERE p.session_id = s.id) AS linked_article,
                   (SELECT a.language FROM accounts a WHERE a.id = s.customer_id) AS customer_language
            FROM support_sessions s
            WHERE s.state = 'closed' AND s.closed_at_ms >= @from AND s.closed_at_ms < @to;
            """, new { from, to }, cancellationToken);
        var messages = await database.QueryAsync<MessageRow>("""
            SELECT m.session_id, m.seq, m.kind, m.body
            FROM support_messages m JOIN support_sessions s ON s.id = m.session_id
            WHERE s.state = 'closed' AND s.closed_at_ms >= @from AND s.closed_at_ms < @to
              AND m.internal = FALSE
              AND ((m.kind = @text AND m.author_kind = @customer) OR m.kind = @article)
            ORDER BY m.session_id, m.seq;
            """, new { from, to, text = MessageKind.Text, customer = AuthorKind.Customer, article = MessageKind.Article }, cancellationToken);
        var bySession = messages.GroupBy(m => m.SessionId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var conversations = sessions.Select(s =>
        {
            var own = bySession.GetValueOrDefault(s.Id) ?? [];
            var question = own.FirstOrDefault(m => m.Kind == MessageKind.Text)?.Body;
            var shown = own.Where(m => m.Kind == MessageKind.Article).Select(m => SupportCardText.Read<ArticleCard>(m.Body)?.ArticleId).OfType<string>().ToList();
            return new Conversation(string.IsNullOrWhiteSpace(question) ? NoWords : ConversationLanguage.Of(question, s.CustomerLanguage), s.Resolution, s.HandoverReason is not null || s.QueuedAt is not null, shown, s.LinkedArticle);
        }).ToList();
        return Compute(conversations);
    }

    /// <summary>One ended conversation as the figures see it: what the assistant showed, in order, and how it ended.</summary>
    public sealed record Conversation(string Language, SessionResolution? Resolution, bool HandedOver, IReadOnlyList<string> ArticlesShown, string? LinkedArticle)
    {
        /// <summary>The article that answered it: the one an agent linked, else the assistant's last one when it solved it alone.</summary>
        public string? Answer => LinkedArticle ?? (Resolution == SessionResolution.Bot && ArticlesShown.Count > 0 ? ArticlesShown[^1] : null);
    }

    /// <summary>The figures per language, most conversations first; pure, so the arithmetic is tested on its own.</summary>
    public static IReadOnlyList<AssistantLanguageFigures> Compute(IEnumerable<Conversation> conversations)
    {
        ArgumentNullException.ThrowIfNull(conversations);
        return [.. conversations.GroupBy(c => c.Language, StringComparer.Ordinal).Select(g =>
        {
            var all = g.ToList();
            var solved = all.Count(c => c.Resolution == SessionResolution.Bot);
            var handedOver = all.Count(c => c.HandedOver);
            var known = all.Where(c => c.Answer is not null).ToList();
            var first = known.Count(c => c.ArticlesShown.Count > 0 && c.ArticlesShown[0] == c.Answer);
            return new AssistantLanguageFigures(g.Key, all.Count, solved, Share(solved, all.Count), handedOver, Share(handedOver, all.Count),
                known.Count, first, Share(first, known.Count));
        }).OrderByDescending(f => f.Conversations).ThenBy(f => f.Language, StringComparer.Ordinal)];
    }

    private static double? Share(int count, int of) => of == 0 ? null : Math.Round((double)count / of, 4);
}
