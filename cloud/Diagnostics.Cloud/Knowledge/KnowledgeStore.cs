using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Knowledge;

internal sealed class KnowledgeStore(Database database) : IKnowledgeStore
{
    private const string VersionColumns = "article_id, version, markdown, content_hash, author, origin, created_at_ms, published_at_ms";

    public async Task<(ImportOutcome Outcome, int Version)> ImportAsync(
        string articleId, string markdown, string contentHash, string author, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var session = await database.BeginAsync(cancellationToken);
        await LockArticleAsync(session, articleId, cancellationToken);
        var head = await HeadAsync(session, articleId, cancellationToken);
        if (head?.PublishedVersion is { } published
            && await session.QueryFirstOrDefaultAsync<string>(
                "SELECT content_hash FROM kb_article_versions WHERE article_id = @articleId AND version = @published;",
                new { articleId, published }, cancellationToken) == contentHash)
        {
            return (ImportOutcome.Unchanged, published);
        }
        var version = await AddVersionAsync(session, new ArticleVersion(articleId, 0, markdown, contentHash, author, ArticleOrigin.Import, at, at), cancellationToken);
        await PointAtAsync(session, articleId, "published_version", version, cancellationToken);
        await session.CommitAsync(cancellationToken);
        return (head?.PublishedVersion is null ? ImportOutcome.Created : ImportOutcome.Updated, version);
    }

    public async Task<int> SaveDraftAsync(string articleId, string markdown, string contentHash, string author, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var session = await database.BeginAsync(cancellationToken);
        await LockArticleAsync(session, articleId, cancellationToken);
        var version = await AddVersionAsync(session, new ArticleVersion(articleId, 0, markdown, contentHash, author, ArticleOrigin.Edit, at, null), cancellationToken);
        await PointAtAsync(session, articleId, "draft_version", version, cancellationToken);
        await session.CommitAsync(cancellationToken);
        return version;
    }

    public async Task<int?> PublishDraftAsync(string articleId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var session = await database.BeginAsync(cancellationToken);
        if (await HeadAsync(session, articleId, cancellationToken) is not { DraftVersion: { } draft })
            return null;
        await session.ExecuteAsync("""
            UPDATE kb_article_versions SET published_at_ms = @at WHERE article_id = @articleId AND version = @draft;
            UPDATE kb_articles SET published_version = @draft, draft_version = NULL WHERE id = @articleId;
            """, new { articleId, draft, at }, cancellationToken);
        await session.CommitAsync(cancellationToken);
        return draft;
    }

    public Task<IReadOnlyList<ArticleVersion>> PublishedAsync(CancellationToken cancellationToken) =>
        database.QueryAsync<ArticleVersion>($"""
            SELECT {Schema.Qualified(VersionColumns, "v")} FROM kb_articles a
            JOIN kb_article_versions v ON v.article_id = a.id AND v.version = a.published_version
            ORDER BY a.id;
            """, null, cancellationToken);

    public Task<IReadOnlyList<ArticleHead>> HeadsAsync(CancellationToken cancellationToken) =>
        database.QueryAsync<ArticleHead>($"{HeadSelect} ORDER BY id;", null, cancellationToken);

    public async Task<ArticleHead?> HeadAsync(string articleId, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        return await HeadAsync(session, articleId, cancellationToken);
    }

    public Task<ArticleVersion?> VersionAsync(string articleId, int version, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<ArticleVersion>(
            $"SELECT {VersionColumns} FROM kb_article_versions WHERE article_id = @articleId AND version = @version;", new { articleId, version }, cancellationToken);

    public Task<IReadOnlyList<ArticleVersion>> HistoryAsync(string articleId, CancellationToken cancellationToken) =>
        database.QueryAsync<ArticleVersion>(
            $"SELECT {VersionColumns.Replace("markdown", "'' AS markdown", StringComparison.Ordinal)} FROM kb_article_versions WHERE article_id = @articleId ORDER BY version DESC;",
            new { articleId }, cancellationToken);

    public Task RecordOutcomeAsync(string articleId, string model, bool verified, CancellationToken cancellationToken) =>
        database.ExecuteAsync(verified
            ? "INSERT INTO kb_outcomes (article_id, model, verified) VALUES (@articleId, @model, 1) ON CONFLICT (article_id, model) DO UPDATE SET verified = kb_outcomes.verified + 1;"
            : "INSERT INTO kb_outcomes (article_id, model, failed) VALUES (@articleId, @model, 1) ON CONFLICT (article_id, model) DO UPDATE SET failed = kb_outcomes.failed + 1;",
            new { articleId, model }, cancellationToken);

    public Task<IReadOnlyList<ArticleOutcomes>> OutcomesAsync(CancellationToken cancellationToken) =>
        database.QueryAsync<ArticleOutcomes>("SELECT article_id, model, verified, failed FROM kb_outcomes;", null, cancellationToken);

    private const string HeadSelect = "SELECT id AS article_id, published_version, draft_version FROM kb_articles";

    private static Task<ArticleHead?> HeadAsync(DbSession session, string articleId, CancellationToken cancellationToken) =>
        session.QueryFirstOrDefaultAsync<ArticleHead>($"{HeadSelect} WHERE id = @articleId;", new { articleId }, cancellationToken);

    /// <summary>
    /// Takes the article's row lock for the rest of the transaction, making the row when the article is new (it is rolled
    /// back with the transaction when nothing is stored). Two writers of one article (instances importing the bundled
    /// articles as they start together on one database, two editors saving a draft) then number their versions one after
    /// the other instead of both taking the same next number. SQLite's writers take turns anyway.
    /// </summary>
    private static Task<int> LockArticleAsync(DbSession session, string articleId, CancellationToken cancellationToken) =>
        session.ExecuteAsync("""
            INSERT INTO kb_articles (id) VALUES (@articleId)
            ON CONFLICT (id) DO UPDATE SET published_version = kb_articles.published_version;
            """, new { articleId }, cancellationToken);

    /// <summary>Points the article's published or draft version at <paramref name="version"/>, creating the article if it is new.</summary>
    private static Task<int> PointAtAsync(DbSession session, string articleId, string pointer, int version, CancellationToken cancellationToken) =>
        // The column name is one of the two literals the callers pass, never input.
        session.ExecuteAsync($"INSERT INTO kb_articles (id, {pointer}) VALUES (@articleId, @version) ON CONFLICT (id) DO UPDATE SET {pointer} = excluded.{pointer};",
            new { articleId, version }, cancellationToken);

    /// <summary>Stores <paramref name="draft"/> as the article's next version; answers its number.</summary>
    private static async Task<int> AddVersionAsync(DbSession session, ArticleVersion draft, CancellationToken cancellationToken)
    {
        var version = await session.QueryFirstOrDefaultAsync<int>(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM kb_article_versions WHERE article_id = @ArticleId;", draft, cancellationToken);
        await session.ExecuteAsync($"""
            INSERT INTO kb_article_versions ({VersionColumns})
            VALUES (@ArticleId, @Version, @Markdown, @ContentHash, @Author, @Origin, @CreatedAt, @PublishedAt);
            """, draft with { Version = version }, cancellationToken);
        return version;
    }
}
