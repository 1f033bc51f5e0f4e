namespace Diagnostics.Cloud.Knowledge;

/// <summary>Where a version came from: a reviewed file imported from a folder or the API, or an edit in the dashboard.</summary>
public enum ArticleOrigin
{
    Import,
    Edit,
}

/// <summary>One stored version of an article, as written.</summary>
public sealed record ArticleVersion(
    string ArticleId,
    int Version,
    string Markdown,
    string ContentHash,
    string Author,
    ArticleOrigin Origin,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PublishedAt);

/// <summary>An article's pointers: which version is live, and which (newer) one is a draft being edited.</summary>
public sealed record ArticleHead(string ArticleId, int? PublishedVersion, int? DraftVersion);

/// <summary>What an import did with one article.</summary>
public enum ImportOutcome
{
    Created,
    Updated,
    Unchanged,
}

/// <summary>Verified and failed fixes of one article on one model.</summary>
public sealed record ArticleOutcomes(string ArticleId, string Model, long Verified, long Failed);

public interface IKnowledgeStore
{
    /// <summary>
    /// Publishes <paramref name="markdown"/> as the article's newest version unless it equals the published one. A
    /// draft in progress is left as it is.
    /// </summary>
    Task<(ImportOutcome Outcome, int Version)> ImportAsync(string articleId, string markdown, string contentHash, string author, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Stores a new draft version (each save is a version of its own) and points the article's draft at it.</summary>
    Task<int> SaveDraftAsync(string articleId, string markdown, string contentHash, string author, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Publishes the current draft; null when the article has none (or does not exist).</summary>
    Task<int?> PublishDraftAsync(string articleId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The published version of every article that has one.</summary>
    Task<IReadOnlyList<ArticleVersion>> PublishedAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<ArticleHead>> HeadsAsync(CancellationToken cancellationToken);

    Task<ArticleHead?> HeadAsync(string articleId, CancellationToken cancellationToken);

    Task<ArticleVersion?> VersionAsync(string articleId, int version, CancellationToken cancellationToken);

    /// <summary>Every version of the article, newest first, without their text.</summary>
    Task<IReadOnlyList<ArticleVersion>> HistoryAsync(string articleId, CancellationToken cancellationToken);

    Task RecordOutcomeAsync(string articleId, string model, bool verified, CancellationToken cancellationToken);

    Task<IReadOnlyList<ArticleOutcomes>> OutcomesAsync(CancellationToken cancellationToken);
}
