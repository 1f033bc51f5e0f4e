using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Diagnostics.Cloud.Observability;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>What happened to one file or text of an import: the article's new state, or why it was refused.</summary>
public sealed record ImportedArticle(string Source, string? ArticleId, ImportOutcome? Outcome, int? Version, IReadOnlyList<string> Errors);

/// <summary>An import's results, one per file; refused files change nothing.</summary>
public sealed record ImportReport(IReadOnlyList<ImportedArticle> Articles)
{
    public int Created => Articles.Count(a => a.Outcome == ImportOutcome.Created);
    public int Updated => Articles.Count(a => a.Outcome == ImportOutcome.Updated);
    public int Unchanged => Articles.Count(a => a.Outcome == ImportOutcome.Unchanged);
    public int Refused => Articles.Count(a => a.Errors.Count > 0);
}

/// <summary>A saved draft's version, or the reasons it was refused (nothing is stored then).</summary>
public sealed record DraftResult(int? Version, IReadOnlyList<string> Errors);

/// <summary>
/// The knowledge base: imports and edits articles (every change a new version in the store; only valid articles
/// are stored) and keeps an <see cref="ArticleIndex"/> of the published ones for matching, rebuilt after each change.
/// </summary>
public sealed partial class KnowledgeBase(IKnowledgeStore store, TimeProvider time, CloudMetrics metrics, ILogger<KnowledgeBase> logger) : IDisposable
{
    /// <summary>The file in an article folder that documents the folder and is not an article.</summary>
    public const string FolderReadme = "README.md";

    private readonly SemaphoreSlim _reloading = new(1, 1);
    // Parsing is the costly part of a rebuild; a version's text never changes, so each is parsed once.
    private readonly ConcurrentDictionary<(string Id, int Version), Article> _parsed = new();
    private volatile ArticleIndex _index = ArticleIndex.Empty;

    /// <summary>The published articles as of the last change; matching reads it without touching the store.</summary>
    public ArticleIndex Index => _index;

    public async Task<ImportReport> ImportFolderAsync(string folder, string author, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The knowledge-base folder {Path.GetFullPath(folder)} does not exist.");
        var results = new List<ImportedArticle>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.md").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (string.Equals(name, FolderReadme, StringComparison.OrdinalIgnoreCase))
                continue;
            var text = await File.ReadAllTextAsync(file, cancellationToken);
            results.Add(await ImportOneAsync(name, text, Path.GetFileNameWithoutExtension(name), author, cancellationToken));
        }
        await ReloadAsync(cancellationToken);
        var report = new ImportReport(results);
        var source = Path.GetFullPath(folder);
        LogImported(source, report.Created, report.Updated, report.Unchanged, report.Refused);
        return report;
    }

    /// <summary>Imports texts sent through the API; each names its article in its header.</summary>
    public async Task<ImportReport> ImportAsync(IReadOnlyList<string> markdowns, string author, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(markdowns);
        var results = new List<ImportedArticle>();
        for (var i = 0; i < markdowns.Count; i++)
            results.Add(await ImportOneAsync($"article {i + 1}", markdowns[i] ?? "", expectedId: null, author, cancellationToken));
        await ReloadAsync(cancellationToken);
        var report = new ImportReport(results);
        LogImported("the API", report.Created, report.Updated, report.Unchanged, report.Refused);
        return report;
    }

    public async Task<DraftResult> SaveDraftAsync(string articleId, string markdown, string author, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var parsed = ArticleFormat.Parse(markdown, articleId);
        if (!parsed.IsValid)
            return new DraftResult(null, parsed.Errors);
        var version = await store.SaveDraftAsync(articleId, markdown, Hash(markdown), author, time.GetUtcNow(), cancellationToken);
        _parsed[(articleId, version)] = parsed.Article!;
        LogDraftSaved(articleId, version, author);
        return new DraftResult(version, []);
    }

    /// <summary>Publishes the article's draft; null when it has none.</summary>
    public async Task<int?> PublishAsync(string articleId, string author, CancellationToken cancellationToken)
    {
        var version = await store.PublishDraftAsync(articleId, time.GetUtcNow(), cancellationToken);
        if (version is null)
            return null;
        await ReloadAsync(cancellationToken);
        LogPublished(articleId, version.Value, author);
        return version;
    }

    /// <summary>A fix from this article was verified (or failed) on a device of this model: the rates used in ranking move.</summary>
    public async Task RecordOutcomeAsync(string articleId, string model, bool verified, CancellationToken cancellationToken)
    {
        await store.RecordOutcomeAsync(articleId, model, verified, cancellationToken);
        await ReloadAsync(cancellationToken);
    }

    /// <summary>A stored version, parsed; null when there is no such version.</summary>
    public async Task<(ArticleVersion Stored, Article Article)?> VersionAsync(string articleId, int version, CancellationToken cancellationToken)
    {
        var stored = await store.VersionAsync(articleId, version, cancellationToken);
        if (stored is null)
            return null;
        var article = Parse(stored);
        return article is null ? null : (stored, article);
    }

    /// <summary>Every article with its published title, or its draft's before a first publication.</summary>
    public async Task<IReadOnlyList<ArticleListItem>> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<ArticleListItem>();
        foreach (var head in await store.HeadsAsync(cancellationToken))
        {
            var article = _index.Find(head.ArticleId)?.Article;
            if (article is null && head.DraftVersion is { } draft)
                article = (await VersionAsync(head.ArticleId, draft, cancellationToken))?.Article;
            if (article is null)
                continue;
            items.Add(new ArticleListItem(article.Id, article.Title, head.PublishedVersion, head.DraftVersion,
                article.Applies.Codes, article.Applies.Conditions, article.Remediation?.Command));
        }
        return items;
    }

    /// <summary>The version asked for, else the published one, else the draft; null when there is none.</summary>
    public async Task<ArticleView?> ViewAsync(string articleId, int? version, CancellationToken cancellationToken)
    {
        var head = await store.HeadAsync(articleId, cancellationToken);
        var wanted = version ?? head?.PublishedVersion ?? head?.DraftVersion;
        if (head is null || wanted is null || await VersionAsync(articleId, wanted.Value, cancellationToken) is not { } found)
            return null;
        return ArticleView.Of(found.Article, found.Stored, head);
    }

    /// <summary>Every version of the article, newest first, marked live or draft; null for an unknown article.</summary>
    public async Task<IReadOnlyList<ArticleVersionView>?> HistoryAsync(string articleId, CancellationToken cancellationToken)
    {
        if (await store.HeadAsync(articleId, cancellationToken) is not { } head)
            return null;
        var history = await store.HistoryAsync(articleId, cancellationToken);
        return [.. history.Select(v => new ArticleVersionView(
            v.Version, v.Author, v.Origin, v.CreatedAt, v.PublishedAt, v.Version == head.PublishedVersion, v.Version == head.DraftVersion))];
    }

    /// <summary>Reads the published articles and the outcomes again and swaps in a new index.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await _reloading.WaitAsync(cancellationToken);
        try
        {
            var published = await store.PublishedAsync(cancellationToken);
            var outcomes = await store.OutcomesAsync(cancellationToken);
            var articles = new List<(Article, int)>(published.Count);
            foreach (var version in published)
            {
                if (Parse(version) is { } article)
                    articles.Add((article, version.Version));
            }
            _index = new ArticleIndex(articles, outcomes);
        }
        finally
        {
            _reloading.Release();
        }
    }

    private async Task<ImportedArticle> ImportOneAsync(string source, string markdown, string? expectedId, string author, CancellationToken cancellationToken)
    {
        var parsed = ArticleFormat.Parse(markdown, expectedId);
        if (!parsed.IsValid)
        {
            LogRefused(source, string.Join("; ", parsed.Errors));
            return new ImportedArticle(source, expectedId, null, null, parsed.Errors);
        }
        var article = parsed.Article!;
        var (outcome, version) = await store.ImportAsync(article.Id, markdown, Hash(markdown), author, time.GetUtcNow(), cancellationToken);
        _parsed[(article.Id, version)] = article;
        return new ImportedArticle(source, article.Id, outcome, version, []);
    }

    private Article? Parse(ArticleVersion version)
    {
        if (_parsed.TryGetValue((version.ArticleId, version.Version), out var cached))
            return cached;
        var parsed = ArticleFormat.Parse(version.Markdown, version.ArticleId);
        if (!parsed.IsValid)
        {
            // Stored versions were valid when stored; one that no longer reads (a rule tightened since) stays out of matching, loudly.
            metrics.Error("knowledge.parse");
            LogStoredVersionInvalid(version.ArticleId, version.Version, string.Join("; ", parsed.Errors));
            return null;
        }
        return _parsed[(version.ArticleId, version.Version)] = parsed.Article!;
    }

    public void Dispose() => _reloading.Dispose();

    private static string Hash(string markdown) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(markdown.Replace("\r\n", "\n", StringComparison.Ordinal))));

    [LoggerMessage(EventId = EventIds.KnowledgeImported, Level = LogLevel.Information, Message = "Knowledge base import from {Source}: {Created} created, {Updated} updated, {Unchanged} unchanged, {Refused} refused")]
    private partial void LogImported(string source, int created, int updated, int unchanged, int refused);

    [LoggerMessage(EventId = EventIds.KnowledgeArticleRefused, Level = LogLevel.Warning, Message = "Knowledge-base article {Source} refused: {Errors}")]
    private partial void LogRefused(string source, string errors);

    [LoggerMessage(EventId = EventIds.KnowledgeDraftSaved, Level = LogLevel.Information, Message = "Article {ArticleId} draft version {Version} saved by {Author}")]
    private partial void LogDraftSaved(string articleId, int version, string author);

    [LoggerMessage(EventId = EventIds.KnowledgePublished, Level = LogLevel.Information, Message = "Article {ArticleId} version {Version} published by {Author}")]
    private partial void LogPublished(string articleId, int version, string author);

    [LoggerMessage(EventId = EventIds.KnowledgeStoredVersionInvalid, Level = LogLevel.Error, Message = "Stored article {ArticleId} version {Version} no longer reads and is left out of matching: {Errors}")]
    private partial void LogStoredVersionInvalid(string articleId, int version, string errors);
}
