using System.Globalization;
using System.Security.Claims;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Knowledge.Search;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>Where a training phrase stands: proposed, then accepted (it takes part in search) or rejected.</summary>
public enum PhraseState
{
    Proposed,
    Accepted,
    Rejected,
}

/// <summary>Where a proposal came from.</summary>
public enum PhraseSource
{
    /// <summary>A member of staff wrote it for the article.</summary>
    Staff,
    /// <summary>The first question of a conversation a person solved after the assistant handed it over.</summary>
    SolvedConversation,
    /// <summary>A question the assistant could not answer, turned into a phrase from the list of those.</summary>
    Unanswered,
}

/// <summary>A customer's own words for an article, in their language.</summary>
public sealed record TrainingPhrase(
    string Id, string ArticleId, string Language, string Text, PhraseState State, PhraseSource Source, string? SessionId,
    string ProposedBy, DateTimeOffset ProposedAt, string? DecidedBy, DateTimeOffset? DecidedAt);

/// <summary>A proposal's outcome: the phrase, or why not (<see cref="UnknownArticle"/> for a 404, else a bad request).</summary>
public sealed record PhraseProposal(TrainingPhrase? Phrase, string? Error, bool UnknownArticle = false);

/// <summary>The training phrases as stored; the same words for the same article are stored once.</summary>
public sealed class TrainingPhraseStore(Database database)
{
    private const string Columns = "id, article_id, language, text, state, source, session_id, proposed_by, proposed_at_ms, decided_by, decided_at_ms";

    /// <summary>Stores the phrase unless the same words for the article are stored already; answers the stored one.</summary>
    public async Task<TrainingPhrase> AddAsync(TrainingPhrase phrase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        await database.ExecuteAsync($"""
            INSERT INTO kb_phrases ({Columns})
            VALUES (@Id, @ArticleId, @Language, @Text, @State, @Source, @SessionId, @ProposedBy, @ProposedAt, @DecidedBy, @DecidedAt)
            ON CONFLICT (article_id, language, text) DO NOTHING;
            """, phrase, cancellationToken);
        return (await database.QueryFirstOrDefaultAsync<TrainingPhrase>(
            $"SELECT {Columns} FROM kb_phrases WHERE article_id = @ArticleId AND language = @Language AND text = @Text;", phrase, cancellationToken))!;
    }

    public Task<TrainingPhrase?> GetAsync(string id, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<TrainingPhrase>($"SELECT {Columns} FROM kb_phrases WHERE id = @id;", new { id }, cancellationToken);

    /// <summary>Phrases in <paramref name="state"/> (all when null), of one article when given, newest first.</summary>
    public Task<IReadOnlyList<TrainingPhrase>> ListAsync(PhraseState? state, string? articleId, int limit, CancellationToken cancellationToken) =>
        database.QueryAsync<TrainingPhrase>($"""
            SELECT {Columns} FROM kb_phrases
            WHERE (@state IS NULL OR state = @state) AND (@articleId IS NULL OR article_id = @articleId)
            ORDER BY proposed_at_ms DESC, id LIMIT @limit;
            """, new { state = state is { } s ? StorageMapping.ToStorage(s) : null, articleId, limit }, cancellationToken);

    /// <summary>Accepts or rejects a proposed phrase; false when it is not (or no longer) a proposal.</summary>
    public async Task<bool> DecideAsync(string id, PhraseState decision, string by, DateTimeOffset at, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("""
            UPDATE kb_phrases SET state = @decision, decided_by = @by, decided_at_ms = @at WHERE id = @id AND state = @proposed;
            """, new { id, decision, by, at, proposed = PhraseState.Proposed }, cancellationToken) > 0;

    /// <summary>The accepted phrases, as search reads them.</summary>
    public Task<IReadOnlyList<SearchPhrase>> AcceptedAsync(CancellationToken cancellationToken) =>
        database.QueryAsync<SearchPhrase>("SELECT article_id, language, text FROM kb_phrases WHERE state = @accepted ORDER BY article_id, id;",
            new { accepted = PhraseState.Accepted }, cancellationToken);
}

/// <summary>
/// Learning from the conversations people solve: a customer's own words become a proposed training phrase for the
/// article that answered them (staff propose one, or it is proposed when an agent solves a conversation the assistant
/// handed over), a supervisor accepts or rejects it, and accepted phrases take part in search for every later
/// customer (the knowledge base's index is rebuilt with them).
/// </summary>
public sealed partial class TrainingPhrases(TrainingPhraseStore store, KnowledgeBase knowledge, TimeProvider time, ILogger<TrainingPhrases> logger)
{
    public const int MaxLength = 500;

    /// <summary>Phrases in <paramref name="state"/> (all when null), of one article when given, newest first: for the API and the pages alike.</summary>
    public Task<IReadOnlyList<TrainingPhrase>> ListAsync(PhraseState? state, string? articleId, int limit, CancellationToken cancellationToken) =>
        store.ListAsync(state, articleId, limit, cancellationToken);

    /// <summary>Whether <paramref name="articleId"/> is a published article phrases can be proposed for.</summary>
    public bool Knows(string articleId) => knowledge.Index.Find(articleId) is not null;

    public async Task<PhraseProposal> ProposeAsync(
        string articleId, string? text, string? language, PhraseSource source, string? sessionId, string by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(articleId);
        var words = text?.Trim() ?? "";
        if (words.Length is < 2 or > MaxLength)
            return new PhraseProposal(null, KnowledgeExplanations.Text("PhraseLength", MaxLength));
        if (knowledge.Index.Find(articleId) is null)
            return new PhraseProposal(null, KnowledgeExplanations.Text("NoPublishedArticle", articleId), UnknownArticle: true);
        CultureInfo culture;
        if (string.IsNullOrWhiteSpace(language))
            culture = WrittenLanguage.Detect(words, CultureInfo.GetCultureInfo(ArticleLanguages.Original));
        else if (ArticleLanguages.Culture(language.Trim()) is { } named)
            culture = named;
        else
            return new PhraseProposal(null, KnowledgeExplanations.Text("UnknownPhraseLanguage", language));
        var name = ArticleLanguages.IsOriginal(culture) ? ArticleLanguages.Original : culture.Name;
        var phrase = await store.AddAsync(new TrainingPhrase($"ph-{Guid.NewGuid():N}", articleId, name, words, PhraseState.Proposed, source, sessionId,
            by, time.GetUtcNow(), null, null), cancellationToken);
        LogProposed(phrase.Id, articleId, name, source, by);
        return new PhraseProposal(phrase, null);
    }

    /// <summary>
    /// A supervisor accepts or rejects a proposal; an accepted phrase is searched from the next question on. Null when
    /// there is no such proposal, or when <paramref name="user"/> is not a supervisor: the check lives here, so the API
    /// and the page that both decide through this refuse alike.
    /// </summary>
    public async Task<(TrainingPhrase? Phrase, bool WasProposed)> DecideAsync(ClaimsPrincipal user, string id, bool accept, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!user.IsSupervisor() || await store.GetAsync(id, cancellationToken) is null)
            return (null, false);
        var by = user.Signature();
        var decided = await store.DecideAsync(id, accept ? PhraseState.Accepted : PhraseState.Rejected, by, time.GetUtcNow(), cancellationToken);
        if (decided && accept)
            await knowledge.ReloadAsync(cancellationToken);
        if (decided)
            LogDecided(id, accept ? PhraseState.Accepted : PhraseState.Rejected, by);
        return (await store.GetAsync(id, cancellationToken), decided);
    }

    [LoggerMessage(EventId = KnowledgeEventIds.KnowledgePhraseProposed, Level = LogLevel.Information, Message = "Training phrase {PhraseId} proposed for {ArticleId} in {Language} ({Source}) by {By}")]
    private partial void LogProposed(string phraseId, string articleId, string language, PhraseSource source, string by);

    [LoggerMessage(EventId = KnowledgeEventIds.KnowledgePhraseDecided, Level = LogLevel.Information, Message = "Training phrase {PhraseId} {State} by {By}")]
    private partial void LogDecided(string phraseId, PhraseState state, string by);
}
