using System.Globalization;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Knowledge;

public sealed record ApplicabilityView(IReadOnlyList<string> Codes, IReadOnlyList<string> Conditions, IReadOnlyList<string> Models, string Firmware);

public sealed record VerifyView(string Clears, TimeSpan Within);

public sealed record RemediationView(string Command, ConsentAction Action, IReadOnlyDictionary<string, string> Parameters, string Describe, VerifyView? Verify)
{
    public static RemediationView Of(Remediation remediation) => new(
        remediation.Command, remediation.Action, remediation.Parameters, remediation.Describe,
        remediation.VerifyClears is { } clears && remediation.VerifyWithin is { } within ? new VerifyView(clears, within) : null);
}

/// <summary>
/// One version of an article, parsed, with its text and where the article's pointers are. In another language: the
/// translation's version and text laid over the article (<see cref="Language"/> says which), or the article itself
/// with <see cref="IsFallback"/> set when it has no translation into <see cref="RequestedLanguage"/>.
/// </summary>
public sealed record ArticleView(
    string Id,
    int Version,
    int? PublishedVersion,
    int? DraftVersion,
    string Title,
    string Summary,
    ApplicabilityView Applies,
    RemediationView? Remediation,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Symptoms,
    IReadOnlyList<string> CustomerSteps,
    IReadOnlyList<string> AgentNotes,
    string Author,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PublishedAt,
    string Markdown)
{
    /// <summary>The language of the texts shown: English for the article itself, else the translation's.</summary>
    public string Language { get; init; } = ArticleLanguages.Original;

    /// <summary>The language the reader asked for; null when none was asked for.</summary>
    public string? RequestedLanguage { get; init; }

    /// <summary>True when a language was asked for that the article has no translation into: the reader sees English.</summary>
    public bool IsFallback { get; init; }

    /// <summary>The article's translations, published or in draft.</summary>
    public IReadOnlyList<TranslationState> Translations { get; init; } = [];

    /// <summary>The shelf the article sits on (<see cref="ArticleCategory"/>).</summary>
    public string Category { get; init; } = ArticleCategory.Other;

    /// <summary>
    /// The texts as the reader reads them (<see cref="ArticleReading"/>), beside the article's own above: set where a
    /// reader asks (<c>GET /api/kb/articles/{id}</c>), null elsewhere.
    /// </summary>
    public ArticleReading? ForReader { get; init; }

    public static ArticleView Of(Article article, ArticleVersion stored, ArticleHead head) => new(
        article.Id, stored.Version, head.PublishedVersion, head.DraftVersion, article.Title, article.Summary,
        new ApplicabilityView(article.Applies.Codes, article.Applies.Conditions, article.Applies.Models, article.Applies.Firmware.Text),
        article.Remediation is null ? null : RemediationView.Of(article.Remediation),
        article.Tags, article.Symptoms, article.CustomerSteps, article.AgentNotes,
        stored.Author, stored.CreatedAt, stored.PublishedAt, stored.Markdown)
    {
        Category = article.Category,
    };
}

/// <summary>
/// One translation of an article: its published and draft versions, and whether it is outdated (published before the
/// article's current text, so it may say something the article no longer does).
/// </summary>
public sealed record TranslationState(string Language, int? PublishedVersion, int? DraftVersion, bool Outdated);

/// <summary>A published translation as matching and the assistant use it.</summary>
public sealed record PublishedTranslation(ArticleTranslation Translation, int Version, bool Outdated);

/// <summary>
/// An article in a list: its published title (or its draft's, before a first publication), its category, the models it
/// is limited to (none: every model), and the languages it is published in besides English. Where a reader asks
/// (<c>GET /api/kb/articles</c>), <see cref="TitleForReader"/> is the title of its translation for the reader in
/// <see cref="Language"/>, or the English title with <see cref="IsFallback"/> set (<see cref="ArticleReading"/>).
/// </summary>
public sealed record ArticleListItem(
    string Id, string Title, int? PublishedVersion, int? DraftVersion, IReadOnlyList<string> Codes, IReadOnlyList<string> Conditions, string? RemediationCommand,
    IReadOnlyList<string> Languages, string Category, IReadOnlyList<string> Models)
{
    public string? TitleForReader { get; init; }

    /// <summary>The language of <see cref="TitleForReader"/>.</summary>
    public string? Language { get; init; }

    public bool IsFallback { get; init; }
}

public sealed record ArticleVersionView(int Version, string Author, ArticleOrigin Origin, DateTimeOffset CreatedAt, DateTimeOffset? PublishedAt, bool IsPublished, bool IsDraft);

/// <summary>
/// A match as the API answers it: <see cref="Reasons"/> in English, as clients have always read them, and
/// <see cref="ReasonsForReader"/>, the same reasons in the reader's language (account preference, then Accept-Language).
/// The title, summary and what the remediation does are the article's published translation for the reader (as
/// <c>GET /api/kb/articles/{id}</c> serves one); <see cref="Language"/> says which, and <see cref="IsFallback"/> that
/// they are the English article shown because it has no translation for the reader.
/// </summary>
public sealed record MatchView(
    string ArticleId, int Version, string Title, string Summary, MatchKind Kind, double Score, double SuccessRate,
    IReadOnlyList<string> Reasons, RemediationView? Remediation)
{
    public IReadOnlyList<string> ReasonsForReader { get; init; } = [];

    /// <summary>The language of <see cref="Title"/>, <see cref="Summary"/> and the remediation's describe.</summary>
    public string Language { get; init; } = ArticleLanguages.Original;

    public bool IsFallback { get; init; }

    /// <summary>Worded while the request's culture is the reader's (<paramref name="reader"/>).</summary>
    public static MatchView Of(ArticleMatch match, ArticleIndex index, CultureInfo reader)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(index);
        var shown = index.Localize(match.Article, reader);
        return new MatchView(
            match.Article.Id, match.Version, shown.Article.Title, shown.Article.Summary, match.Kind, match.Score, match.SuccessRate,
            match.Reasons, shown.Article.Remediation is null ? null : RemediationView.Of(shown.Article.Remediation))
        {
            ReasonsForReader = match.ReasonsForReader,
            Language = shown.Language,
            IsFallback = shown.IsFallback,
        };
    }
}

public sealed record DraftRequest(string? Markdown);

public sealed record DraftSaved(string ArticleId, int Version);

public sealed record Published(string ArticleId, int Version);

public sealed record ImportRequest(IReadOnlyList<string>? Articles);
