using System.Globalization;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Support;

/// <summary>A customer's first question in a conversation the assistant could not answer, in the language it is written in.</summary>
public sealed record UnansweredQuestion(string SessionId, string Language, string Text, string Reason, DateTimeOffset At);

/// <summary>The same words asked more than once, with how often and the sessions (newest first).</summary>
public sealed record UnansweredCluster(string Language, string Text, int Count, IReadOnlyList<string> SessionIds, DateTimeOffset LastAsked);

/// <summary>How many unanswered questions each language has.</summary>
public sealed record LanguageCount(string Language, int Count);

/// <summary>The questions the assistant could not answer: counts by language, and the questions grouped by their words.</summary>
public sealed record UnansweredView(IReadOnlyList<LanguageCount> Languages, IReadOnlyList<UnansweredCluster> Questions);

/// <summary>
/// The questions the assistant could not answer, for the people who write the knowledge base: the first thing the
/// customer wrote in each conversation the assistant handed over because it found no article it was sure of, or
/// because the steps it showed did not help. A question whose conversation already gave a training phrase, or whose
/// words are a phrase already, is done and leaves the list.
/// </summary>
public sealed class UnansweredQuestions(Database database)
{
    private sealed record Row(string SessionId, string Reason, string Text, DateTimeOffset At);

    public async Task<UnansweredView> ListAsync(string? language, int limit, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync<Row>("""
            SELECT s.id AS session_id, s.handover_reason AS reason, m.body AS text, m.at_ms AS at
            FROM support_sessions s JOIN support_messages m ON m.session_id = s.id
            WHERE (s.handover_reason = @notSure OR s.handover_reason = @noArticle OR s.handover_reason LIKE @stepsDidNotHelp)
              AND m.seq = (SELECT MIN(f.seq) FROM support_messages f
                           WHERE f.session_id = s.id AND f.kind = @text AND f.author_kind = @customer AND f.internal = FALSE)
              AND NOT EXISTS (SELECT 1 FROM kb_phrases p WHERE p.session_id = s.id OR p.text = TRIM(m.body))
            ORDER BY m.at_ms DESC LIMIT 5000;
            """, new
        {
            notSure = SupportBot.NotSureReason, noArticle = SupportBot.NoArticleReason, stepsDidNotHelp = SupportBot.StepsDidNotHelpPrefix + "%",
            text = MessageKind.Text, customer = AuthorKind.Customer,
        }, cancellationToken);
        var questions = rows.Select(r => new UnansweredQuestion(r.SessionId, ConversationLanguage.Of(r.Text), r.Text.Trim(), r.Reason, r.At)).ToList();
        var languages = questions.GroupBy(q => q.Language, StringComparer.Ordinal)
            .Select(g => new LanguageCount(g.Key, g.Count())).OrderByDescending(c => c.Count).ThenBy(c => c.Language, StringComparer.Ordinal).ToList();
        var clusters = questions
            .Where(q => string.IsNullOrEmpty(language) || q.Language == language)
            .GroupBy(q => (q.Language, Words: q.Text.ToLowerInvariant()))
            .Select(g => new UnansweredCluster(g.Key.Language, g.First().Text, g.Count(), [.. g.Select(q => q.SessionId)], g.Max(q => q.At)))
            .OrderByDescending(c => c.Count).ThenByDescending(c => c.LastAsked)
            .Take(limit).ToList();
        return new UnansweredView(languages, clusters);
    }
}
