using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Knowledge.Search;
using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Support;

/// <summary>A customer's first question in a conversation the assistant could not answer, in the language it is written in.</summary>
public sealed record UnansweredQuestion(string SessionId, string Language, string Text, string Reason, DateTimeOffset At);

/// <summary>
/// Questions that ask the same thing, with how often and the sessions (newest first): <see cref="Text"/> is the newest
/// one's words, <see cref="Examples"/> the other wordings (at most a few), <see cref="Languages"/> every language in it.
/// </summary>
public sealed record UnansweredCluster(string Language, string Text, int Count, IReadOnlyList<string> SessionIds, DateTimeOffset LastAsked,
    IReadOnlyList<string> Examples, IReadOnlyList<string> Languages);

/// <summary>How many unanswered questions each language has.</summary>
public sealed record LanguageCount(string Language, int Count);

/// <summary>The questions the assistant could not answer: counts by language, and the questions grouped by their words.</summary>
public sealed record UnansweredView(IReadOnlyList<LanguageCount> Languages, IReadOnlyList<UnansweredCluster> Questions);

/// <summary>
/// The questions the assistant could not answer, for the people who write the knowledge base: the first thing the
/// customer wrote in each conversation the assistant handed over because it found no article it was sure of, or
/// because the steps it showed did not help. A question whose conversation already gave a training phrase, or whose
/// words are a phrase already, is done and leaves the list. Near-duplicates are grouped: in one language by the
/// similarity of their words and character pairs (<see cref="TermVectors"/>, cosine at least
/// <see cref="SameQuestion"/>), and across languages when they name the same panel code (the one thing every script
/// writes alike; words in two languages are not compared).
/// </summary>
public sealed class UnansweredQuestions(Database database)
{
    /// <summary>How alike two questions' words must be (cosine of their tf-idf vectors) to count as one question.</summary>
    public const double SameQuestion = 0.5;

    private const int MaxExamples = 5;

    private sealed record Row(string SessionId, string Reason, string Text, DateTimeOffset At, string? CustomerLanguage);

    public async Task<UnansweredView> ListAsync(string? language, int limit, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync<Row>("""
            SELECT s.id AS session_id, s.handover_reason AS reason, m.body AS text, m.at_ms AS at, a.language AS customer_language
            FROM support_sessions s JOIN support_messages m ON m.session_id = s.id
            LEFT JOIN accounts a ON a.id = s.customer_id
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
        var questions = rows.Select(r => new UnansweredQuestion(r.SessionId, ConversationLanguage.Of(r.Text, r.CustomerLanguage), r.Text.Trim(), r.Reason, r.At)).ToList();
        var languages = questions.GroupBy(q => q.Language, StringComparer.Ordinal)
            .Select(g => new LanguageCount(g.Key, g.Count())).OrderByDescending(c => c.Count).ThenBy(c => c.Language, StringComparer.Ordinal).ToList();
        var clusters = Cluster(questions)
            .Where(c => string.IsNullOrEmpty(language) || c.Languages.Contains(language, StringComparer.Ordinal))
            .OrderByDescending(c => c.Count).ThenByDescending(c => c.LastAsked)
            .Take(limit).ToList();
        return new UnansweredView(languages, clusters);
    }

    /// <summary>
    /// Groups questions (newest first) that ask the same thing: each joins the first group whose first question is
    /// like it in its language, or that names one of its panel codes; otherwise it starts a group. Pure, so it is tested alone.
    /// </summary>
    public static IReadOnlyList<UnansweredCluster> Cluster(IReadOnlyList<UnansweredQuestion> questions)
    {
        ArgumentNullException.ThrowIfNull(questions);
        var vectors = questions.GroupBy(q => q.Language, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new TermVectors(g.Key, g.Select(q => q.Text)), StringComparer.Ordinal);
        var groups = new List<(UnansweredQuestion First, Dictionary<string, double> Vector, HashSet<string> Codes, List<UnansweredQuestion> Members)>();
        foreach (var question in questions.OrderByDescending(q => q.At))
        {
            var vector = vectors[question.Language].Vector(question.Text);
            var codes = TextAnalysis.Codes(question.Text).ToHashSet(StringComparer.Ordinal);
            var group = groups.FirstOrDefault(g =>
                (g.First.Language == question.Language && (g.First.Text.Equals(question.Text, StringComparison.OrdinalIgnoreCase) || TermVectors.Cosine(g.Vector, vector) >= SameQuestion))
                || g.Codes.Overlaps(codes));
            if (group.Members is null)
                groups.Add((question, vector, codes, [question]));
            else
            {
                group.Members.Add(question);
                group.Codes.UnionWith(codes);
            }
        }
        return [.. groups.Select(g => new UnansweredCluster(g.First.Language, g.First.Text, g.Members.Count, [.. g.Members.Select(m => m.SessionId)],
            g.First.At, [.. g.Members.Skip(1).Select(m => m.Text).Distinct(StringComparer.OrdinalIgnoreCase).Take(MaxExamples)],
            [.. g.Members.Select(m => m.Language).Distinct(StringComparer.Ordinal)]))];
    }
}
