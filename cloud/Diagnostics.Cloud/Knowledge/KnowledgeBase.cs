using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Diagnostics.Cloud.Localization;
using Diagnostics.Cloud.Messaging;
using Diagnostics.Cloud.Observability;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>
/// What happened to one file or text of an import: the article's new state, or why it was refused (<see cref="Errors"/>
/// in English, as the API always answered; <see cref="ErrorsForReader"/> in the language of whoever imported).
/// </summary>
public sealed record ImportedArticle(string Source, string? ArticleId, ImportOutcome? Outcome, int? Version, IReadOnlyList<string> Errors, string? Language = null)
{
    public IReadOnlyList<string> ErrorsForReader { get; init; } = [];

    public static ImportedArticle Refused(string source, string? articleId, IReadOnlyList<LocalizedMessage> problems, string? language = null) =>
        new(source, articleId, null, null, ArticleErrors.English(problems), language) { ErrorsForReader = ArticleErrors.ForReader(problems) };
}

/// <summary>An import's results, one per file; refused files change nothing.</summary>
public sealed record ImportReport(IReadOnlyList<ImportedArticle> Articles)
{
    public int Created => Articles.Count(a => a.Outcome == ImportOutcome.Created);
    public int Updated => Articles.Count(a => a.Outcome == ImportOutcome.Updated);
    public int Unchanged => Articles.Count(a => a.Outcome == ImportOutcome.Unchanged);
    public int Refused => Articles.Count(a => a.Errors.Count > 0);
}

/// <summary>A saved draft's version, or the reasons it was refused (nothing is stored then).</summary>
public sealed record DraftResult(int? Version, IReadOnlyList<LocalizedMessage> Problems)
{
    /// <summary>The reasons in English, for logs.</summary>
    public IReadOnlyList<string> Errors => ArticleErrors.English(Problems);

    /// <summary>The reasons in the author's language (the current UI culture).</summary>
    public IReadOnlyList<string> ErrorsForReader => ArticleErrors.ForReader(Problems);
}

/// <summary>
/// The knowledge base: imports and edits articles (every change a new version in the store; only valid articles
/// are stored) and keeps an <see cref="ArticleIndex"/> of the published ones and the accepted training phrases for
/// matching, rebuilt after each change.
/// </summary>
public sealed partial class KnowledgeBase(IKnowledgeStore store, TrainingPhraseStore phrases, TimeProvider time, CloudMetrics metrics, ILogger<KnowledgeBase> logger) : IDisposable, IInstanceRelayed
{
    /// <summary>The file in an article folder that documents the folder and is not an article.</summary>
    public const string FolderReadme = KnowledgeFolder.Readme;

    private readonly SemaphoreSlim _reloading = new(1, 1);
    // Parsing is the costly part of a rebuild; a version's text never changes, so each is parsed once.
    private readonly ConcurrentDictionary<(string Key, int Version), object> _parsed = new();
    private volatile ArticleIndex _index = ArticleIndex.Empty;

    /// <summary>The published articles as of the last change; matching reads it without touching the store.</summary>
    public ArticleIndex Index => _index;

    public async Task<ImportReport> ImportFolderAsync(string folder, string author, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The knowledge-base folder {Path.GetFullPath(folder)} does not exist.");
        var results = new List<ImportedArticle>();
        // Articles before translations: a translation is checked against the article it translates.
        foreach (var file in KnowledgeFolder.Files(folder))
        {
            var text = await File.ReadAllTextAsync(file.Path, cancellationToken);
            results.Add(await ImportOneAsync(Path.GetFileName(file.Path), text, file.ArticleId, file.Language, author, cancellationToken));
        }
        await ReloadAsync(cancellationToken);
        var report = new ImportReport(results);
        var source = Path.GetFullPath(folder);
        LogImported(source, report.Created, report.Updated, report.Unchanged, report.Refused);
        return report;
    }

    /// <summary>Imports texts sent through the API; each names its article (and a translation its language) in its header.</summary>
    public async Task<ImportReport> ImportAsync(IReadOnlyList<string> markdowns, string author, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(markdowns);
        var results = new ImportedArticle[markdowns.Count];
        var order = Enumerable.Range(0, markdowns.Count).OrderBy(i => TranslationFormat.IsTranslation(markdowns[i] ?? "") ? 1 : 0);
        foreach (var i in order)
            results[i] = await ImportOneAsync($"article {i + 1}", markdowns[i] ?? "", expectedId: null, expectedLanguage: null, author, cancellationToken);
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
            return new DraftResult(null, parsed.Problems);
        var version = await store.SaveDraftAsync(articleId, markdown, Hash(markdown), author, time.GetUtcNow(), cancellationToken);
        _parsed[(articleId, version)] = parsed.Article!;
        LogDraftSaved(articleId, version, author);
        return new DraftResult(version, []);
    }

    /// <summary>Saves a draft of the article's translation into <paramref name="language"/>, checked against the article.</summary>
    public async Task<DraftResult> SaveTranslationDraftAsync(string articleId, string language, string markdown, string author, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var parsed = TranslationFormat.Parse(markdown, articleId, language);
        if (!parsed.IsValid)
            return new DraftResult(null, parsed.Problems);
        if (await CheckTranslationAsync(parsed.Translation!, cancellationToken) is { Count: > 0 } errors)
            return new DraftResult(null, errors);
        var key = ArticleLanguages.DocumentKey(articleId, language);
        var version = await store.SaveDraftAsync(key, markdown, Hash(markdown), author, time.GetUtcNow(), cancellationToken);
        _parsed[(key, version)] = parsed.Translation!;
        LogDraftSaved(key, version, author);
        return new DraftResult(version, []);
    }

    /// <summary>Publishes the article's draft (or its translation's, with <paramref name="language"/>); null when it has none.</summary>
    public async Task<int?> PublishAsync(string articleId, string author, CancellationToken cancellationToken, string? language = null)
    {
        var key = language is null ? articleId : ArticleLanguages.DocumentKey(articleId, language);
        var version = await store.PublishDraftAsync(key, time.GetUtcNow(), cancellationToken);
        if (version is null)
            return null;
        await ReloadAsync(cancellationToken);
        LogPublished(key, version.Value, author);
        return version;
    }

    /// <summary>A fix from this article was verified (or failed) on a device of this model: the rates used in ranking move.</summary>
    public async Task RecordOutcomeAsync(string articleId, string model, bool verified, CancellationToken cancellationToken)
    {
        await store.RecordOutcomeAsync(articleId, model, verified, cancellationToken);
        await ReloadOutcomesLocallyAsync(cancellationToken);
        _relay?.Invoke(OutcomesChanged);
    }

    /// <summary>A stored version, parsed; null when there is no such version.</summary>
    public async Task<(ArticleVersion Stored, Article Article)?> VersionAsync(string articleId, int version, CancellationToken cancellationToken)
    {
        var stored = await store.VersionAsync(articleId, version, cancellationToken);
        if (stored is null)
            return null;
        var article = Parse(stored) as Article;
        return article is null ? null : (stored, article);
    }

    /// <summary>Every article with its published title (or its draft's, before a first publication) and the languages it is published in.</summary>
    public async Task<IReadOnlyList<ArticleListItem>> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<ArticleListItem>();
        var index = _index;
        foreach (var head in await store.HeadsAsync(cancellationToken))
        {
            if (ArticleLanguages.Split(head.ArticleId).Language is not null)
                continue;
            var article = index.Find(head.ArticleId)?.Article;
            if (article is null && head.DraftVersion is { } draft)
                article = (await VersionAsync(head.ArticleId, draft, cancellationToken))?.Article;
            if (article is null)
                continue;
            items.Add(new ArticleListItem(article.Id, article.Title, head.PublishedVersion, head.DraftVersion,
                article.Applies.Codes, article.Applies.Conditions, article.Remediation?.Command, index.LanguagesOf(article.Id),
                article.Category, article.Applies.Models));
        }
        return items;
    }

    /// <summary>
    /// The version asked for, else the published one, else the draft; null when there is none. With a
    /// <paramref name="language"/>, the article in that language: its translation's version (asked for, published or
    /// draft) laid over the article, or the article itself marked as a fallback when it has no such translation.
    /// </summary>
    public async Task<ArticleView?> ViewAsync(string articleId, int? version, CancellationToken cancellationToken, string? language = null)
    {
        if (ArticleLanguages.Split(articleId).Language is not null || await store.HeadAsync(articleId, cancellationToken) is not { } head)
            return null;
        var translations = await TranslationsAsync(articleId, cancellationToken);
        var culture = ArticleLanguages.Culture(language);
        var served = culture is null ? null : ArticleLanguages.Serving(culture, [.. translations.Select(t => t.Language)]);
        if (served is null)
        {
            // No translation serves the reader: the article itself, marked as a fallback when another language was asked for.
            var original = await VersionAsync(articleId, version ?? head.PublishedVersion ?? head.DraftVersion ?? 0, cancellationToken);
            return original is not { } found ? null : ArticleView.Of(found.Article, found.Stored, head) with
            {
                Translations = translations,
                RequestedLanguage = language,
                IsFallback = culture is not null && !ArticleLanguages.IsOriginal(culture),
            };
        }
        var key = ArticleLanguages.DocumentKey(articleId, served);
        var translationHead = await store.HeadAsync(key, cancellationToken);
        var wanted = version ?? translationHead?.PublishedVersion ?? translationHead?.DraftVersion;
        if (translationHead is null || wanted is null || await store.VersionAsync(key, wanted.Value, cancellationToken) is not { } stored
            || Parse(stored) is not ArticleTranslation translation
            || await VersionAsync(articleId, head.PublishedVersion ?? head.DraftVersion ?? 0, cancellationToken) is not { } article)
        {
            return null;
        }
        return ArticleView.Of(translation.Apply(article.Article), stored, translationHead) with
        {
            Language = served, RequestedLanguage = language, Translations = translations,
        };
    }

    /// <summary>Every version of the article (or of its translation into <paramref name="language"/>), newest first, marked live or draft; null for an unknown one.</summary>
    public async Task<IReadOnlyList<ArticleVersionView>?> HistoryAsync(string articleId, CancellationToken cancellationToken, string? language = null)
    {
        var key = language is null ? articleId : ArticleLanguages.DocumentKey(articleId, language);
        if (await store.HeadAsync(key, cancellationToken) is not { } head)
            return null;
        var history = await store.HistoryAsync(key, cancellationToken);
        return [.. history.Select(v => new ArticleVersionView(
            v.Version, v.Author, v.Origin, v.CreatedAt, v.PublishedAt, v.Version == head.PublishedVersion, v.Version == head.DraftVersion))];
    }

    /// <summary>Each translation of the article: its versions, and whether it was published before the article's latest text.</summary>
    private async Task<IReadOnlyList<TranslationState>> TranslationsAsync(string articleId, CancellationToken cancellationToken)
    {
        var states = new List<TranslationState>();
        var heads = await store.HeadsAsync(cancellationToken);
        var original = heads.FirstOrDefault(h => h.ArticleId == articleId);
        DateTimeOffset? originalPublished = original?.PublishedVersion is { } v ? (await store.VersionAsync(articleId, v, cancellationToken))?.PublishedAt : null;
        foreach (var head in heads)
        {
            if (ArticleLanguages.Split(head.ArticleId) is not (var id, { } language) || id != articleId)
                continue;
            DateTimeOffset? published = head.PublishedVersion is { } p ? (await store.VersionAsync(head.ArticleId, p, cancellationToken))?.PublishedAt : null;
            states.Add(new TranslationState(language, head.PublishedVersion, head.DraftVersion, published is not null && originalPublished > published));
        }
        return [.. states.OrderBy(s => s.Language, StringComparer.Ordinal)];
    }

    string IInstanceRelayed.Topic => "knowledge";

    // Set by Live's InstanceSignals when other instances hold an index too and must rebuild theirs.
    Action<string?>? IInstanceRelayed.Relay { set => _relay = value; }

    private Action<string?>? _relay;

    // The relayed key when only outcomes changed: the other instances keep their text search too.
    private const string OutcomesChanged = "outcomes";

    Task IInstanceRelayed.ReceiveAsync(string? key, CancellationToken cancellationToken) =>
        key == OutcomesChanged ? ReloadOutcomesLocallyAsync(cancellationToken) : ReloadLocallyAsync(cancellationToken);

    /// <summary>
    /// Reads the published articles, their translations and the outcomes again and swaps in a new index; the other
    /// instances (when there are several) rebuild theirs too.
    /// </summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await ReloadLocallyAsync(cancellationToken);
        _relay?.Invoke(null);
    }

    /// <summary>Rebuilds this instance's index only (another instance changed what it is built from).</summary>
    internal async Task ReloadLocallyAsync(CancellationToken cancellationToken)
    {
        await _reloading.WaitAsync(cancellationToken);
        try
        {
            var published = await store.PublishedAsync(cancellationToken);
            var outcomes = await store.OutcomesAsync(cancellationToken);
            var accepted = await phrases.AcceptedAsync(cancellationToken);
            var articles = new List<(Article, int)>(published.Count);
            var translations = new List<PublishedTranslation>();
            var originalsPublished = published.Where(v => ArticleLanguages.Split(v.ArticleId).Language is null)
                .ToDictionary(v => v.ArticleId, v => v.PublishedAt, StringComparer.Ordinal);
            foreach (var version in published)
            {
                switch (Parse(version))
                {
                    case Article article:
                        articles.Add((article, version.Version));
                        break;
                    case ArticleTranslation translation:
                        translations.Add(new PublishedTranslation(translation, version.Version,
                            originalsPublished.GetValueOrDefault(translation.ArticleId) > version.PublishedAt));
                        break;
                }
            }
            _index = new ArticleIndex(articles, outcomes, translations, accepted);
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <summary>
    /// Reads the outcomes again and swaps in the current index with them, its articles and text search kept: they come
    /// from one reading of the store, so a publication that has not been reloaded yet is not half in the new index.
    /// </summary>
    private async Task ReloadOutcomesLocallyAsync(CancellationToken cancellationToken)
    {
        await _reloading.WaitAsync(cancellationToken);
        try
        {
            var outcomes = await store.OutcomesAsync(cancellationToken);
            _index = _index.WithOutcomes(outcomes);
        }
        finally
        {
            _reloading.Release();
        }
    }

    private async Task<ImportedArticle> ImportOneAsync(string source, string markdown, string? expectedId, string? expectedLanguage, string author, CancellationToken cancellationToken)
    {
        if (expectedLanguage is not null || TranslationFormat.IsTranslation(markdown))
            return await ImportTranslationAsync(source, markdown, expectedId, expectedLanguage, author, cancellationToken);
        var parsed = ArticleFormat.Parse(markdown, expectedId);
        if (!parsed.IsValid)
        {
            LogRefused(source, string.Join("; ", parsed.Errors));
            return ImportedArticle.Refused(source, expectedId, parsed.Problems);
        }
        var article = parsed.Article!;
        var (outcome, version) = await store.ImportAsync(article.Id, markdown, Hash(markdown), author, time.GetUtcNow(), cancellationToken);
        _parsed[(article.Id, version)] = article;
        return new ImportedArticle(source, article.Id, outcome, version, []);
    }

    private async Task<ImportedArticle> ImportTranslationAsync(string source, string markdown, string? expectedId, string? expectedLanguage, string author, CancellationToken cancellationToken)
    {
        var parsed = TranslationFormat.Parse(markdown, expectedId, expectedLanguage);
        var errors = parsed.IsValid ? await CheckTranslationAsync(parsed.Translation!, cancellationToken) : parsed.Problems;
        if (errors.Count > 0)
        {
            LogRefused(source, string.Join("; ", ArticleErrors.English(errors)));
            return ImportedArticle.Refused(source, expectedId, errors, expectedLanguage);
        }
        var translation = parsed.Translation!;
        var key = ArticleLanguages.DocumentKey(translation.ArticleId, translation.Language);
        var (outcome, version) = await store.ImportAsync(key, markdown, Hash(markdown), author, time.GetUtcNow(), cancellationToken);
        _parsed[(key, version)] = translation;
        return new ImportedArticle(source, translation.ArticleId, outcome, version, [], translation.Language);
    }

    /// <summary>What is wrong with a translation given the article it translates (its published text, or its draft before a first publication).</summary>
    private async Task<IReadOnlyList<LocalizedMessage>> CheckTranslationAsync(ArticleTranslation translation, CancellationToken cancellationToken)
    {
        var head = await store.HeadAsync(translation.ArticleId, cancellationToken);
        if ((head?.PublishedVersion ?? head?.DraftVersion) is not { } version || await VersionAsync(translation.ArticleId, version, cancellationToken) is not { } original)
            return [ArticleErrors.Of("NoArticleToTranslate", translation.ArticleId)];
        return translation.CheckAgainst(original.Article);
    }

    /// <summary>A stored version parsed as what its key says it is: an <see cref="Article"/> or an <see cref="ArticleTranslation"/>; null when it no longer reads.</summary>
    private object? Parse(ArticleVersion version)
    {
        if (_parsed.TryGetValue((version.ArticleId, version.Version), out var cached))
            return cached;
        var (articleId, language) = ArticleLanguages.Split(version.ArticleId);
        IReadOnlyList<string> errors;
        object? parsed;
        if (language is null)
        {
            var article = ArticleFormat.Parse(version.Markdown, articleId);
            (parsed, errors) = (article.Article, article.Errors);
        }
        else
        {
            var translation = TranslationFormat.Parse(version.Markdown, articleId, language);
            (parsed, errors) = (translation.Translation, translation.Errors);
        }
        if (parsed is null)
        {
            // Stored versions were valid when stored; one that no longer reads (a rule tightened since) stays out of matching, loudly.
            metrics.Error("knowledge.parse");
            LogStoredVersionInvalid(version.ArticleId, version.Version, string.Join("; ", errors));
            return null;
        }
        return _parsed[(version.ArticleId, version.Version)] = parsed;
    }

    public void Dispose() => _reloading.Dispose();

    private static string Hash(string markdown) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(markdown.Replace("\r\n", "\n", StringComparison.Ordinal))));

    [LoggerMessage(EventId = KnowledgeEventIds.KnowledgeImported, Level = LogLevel.Information, Message = "Knowledge base import from {Source}: {Created} created, {Updated} updated, {Unchanged} unchanged, {Refused} refused")]
    private partial void LogImported(string source, int created, int updated, int unchanged, int refused);

    [LoggerMessage(EventId = KnowledgeEventIds.KnowledgeArticleRefused, Level = LogLevel.Warning, Message = "Knowledge-base article {Source} refused: {Errors}")]
    private partial void LogRefused(string source, string errors);

    [LoggerMessage(EventId = KnowledgeEventIds.KnowledgeDraftSaved, Level = LogLevel.Information, Message = "Article {ArticleId} draft version {Version} saved by {Author}")]
    private partial void LogDraftSaved(string articleId, int version, string author);

    [LoggerMessage(EventId = KnowledgeEventIds.KnowledgePublished, Level = LogLevel.Information, Message = "Article {ArticleId} version {Version} published by {Author}")]
    private partial void LogPublished(string articleId, int version, string author);

    [LoggerMessage(EventId = KnowledgeEventIds.KnowledgeStoredVersionInvalid, Level = LogLevel.Error, Message = "Stored article {ArticleId} version {Version} no longer reads and is left out of matching: {Errors}")]
    private partial void LogStoredVersionInvalid(string articleId, int version, string errors);
}
