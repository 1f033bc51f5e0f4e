using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using Diagnostics.Cloud.Knowledge.Search;
using Diagnostics.Cloud.Localization;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>How an article came to match.</summary>
public enum MatchKind
{
    /// <summary>The device's own code is among the article's codes.</summary>
    Code,
    /// <summary>The normalized condition is among the article's conditions.</summary>
    Condition,
    /// <summary>Words of a free-text question.</summary>
    Text,
}

/// <summary>
/// An article that fits a problem, its score and every reason for it (<see cref="MatchReasons"/>), so an agent can see
/// why it ranks where it does.
/// </summary>
public sealed record ArticleMatch(Article Article, int Version, MatchKind Kind, double Score, double SuccessRate, IReadOnlyList<LocalizedMessage> Why)
{
    /// <summary>The reasons in English, as the API's <c>reasons</c> and stored fix proposals carry them.</summary>
    public IReadOnlyList<string> Reasons => [.. Why.Select(reason => reason.Invariant)];

    /// <summary>The reasons in the reader's language (the current UI culture), numbers in the reader's culture.</summary>
    public IReadOnlyList<string> ReasonsForReader => [.. Why.Select(reason => reason.ForReader)];
}

/// <summary>A problem to match: a device's code and normalized condition, with its model and firmware when known.</summary>
public sealed record ProblemQuery(string? Code, string? Condition, string? Model = null, string? Firmware = null);

/// <summary>
/// The published articles, indexed for matching: by code, by condition and by words. Immutable; the knowledge base
/// builds a new one after each change and swaps it in, so matching never waits for the store.
/// </summary>
public sealed class ArticleIndex
{
    /// <summary>Pseudo-observations behind the smoothed rates: how many outcomes it takes to move an estimate halfway.</summary>
    public const double PriorWeight = 4;

    /// <summary>Within a tier, an article written for the device's model goes before a general one when their rates are close.</summary>
    private const double ModelSpecificBonus = 0.1;

    /// <summary>
    /// A free-text match about one of the device's active problems gains this share of the best text score, by the
    /// problem's severity: when a customer says "it stopped", an error explains it better than a warning.
    /// </summary>
    private static double ActiveProblemBoost(Severity severity) => severity switch
    {
        Severity.Error => 0.5,
        Severity.Warning => 0.3,
        _ => 0.15,
    };

    private readonly FrozenDictionary<string, (Article Article, int Version)> _articles;
    private readonly FrozenDictionary<string, string[]> _byCode;
    private readonly FrozenDictionary<string, string[]> _byCondition;
    private readonly FrozenDictionary<string, (long Verified, long Failed)> _overall;
    private readonly FrozenDictionary<(string, string), (long Verified, long Failed)> _byModel;
    private readonly ArticleSearch _text;
    private readonly FrozenDictionary<string, FrozenDictionary<string, PublishedTranslation>> _translations;
    // Per reader culture's name: each article's title as that reader reads it → the article (FindByTitle).
    private readonly ConcurrentDictionary<string, FrozenDictionary<string, string>> _titles = new(StringComparer.Ordinal);

    public static readonly ArticleIndex Empty = new([], []);

    /// <param name="translations">The published translations; one whose article is not among <paramref name="articles"/> is left out.</param>
    /// <param name="phrases">Accepted training phrases: customers' own words for articles, found by later questions like them.</param>
    /// <param name="search">
    /// The text search of an earlier index over the same articles, translations and phrases (only outcomes changed),
    /// so it is not built again; null to build it.
    /// </param>
    public ArticleIndex(
        IEnumerable<(Article Article, int Version)> articles, IEnumerable<ArticleOutcomes> outcomes, IEnumerable<PublishedTranslation>? translations = null,
        IEnumerable<SearchPhrase>? phrases = null, ArticleSearch? search = null)
    {
        ArgumentNullException.ThrowIfNull(articles);
        ArgumentNullException.ThrowIfNull(outcomes);
        var list = articles.ToList();
        var ids = list.Select(a => a.Article.Id).ToHashSet(StringComparer.Ordinal);
        _translations = (translations ?? []).Where(t => ids.Contains(t.Translation.ArticleId))
            .GroupBy(t => t.Translation.ArticleId, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToFrozenDictionary(t => t.Translation.Language, StringComparer.Ordinal), StringComparer.Ordinal);
        _articles = list.ToFrozenDictionary(a => a.Article.Id, StringComparer.Ordinal);
        _byCode = list
            .SelectMany(a => a.Article.Applies.Codes.Select(code => (Code: code, a.Article.Id)))
            .GroupBy(x => x.Code, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(g => g.Key, g => g.Select(x => x.Id).ToArray(), StringComparer.OrdinalIgnoreCase);
        _byCondition = list
            .SelectMany(a => a.Article.Applies.Conditions.Select(condition => (Condition: condition, a.Article.Id)))
            .GroupBy(x => x.Condition, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Select(x => x.Id).ToArray(), StringComparer.Ordinal);
        var outcomeList = outcomes.ToList();
        _overall = outcomeList
            .GroupBy(o => o.ArticleId, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => (g.Sum(o => o.Verified), g.Sum(o => o.Failed)), StringComparer.Ordinal);
        _byModel = outcomeList.ToFrozenDictionary(o => (o.ArticleId, o.Model.ToUpperInvariant()), o => (o.Verified, o.Failed));
        _text = search ?? ArticleSearch.Build(list.Select(a => a.Article),
            _translations.Values.SelectMany(byLanguage => byLanguage.Values.Select(t => t.Translation)), phrases ?? []);
    }

    public int Count => _articles.Count;

    /// <summary>
    /// This index's articles, translations and text search with other outcomes: recording a fix's result changes only
    /// the rates, and building the text search again is most of a rebuild's cost.
    /// </summary>
    public ArticleIndex WithOutcomes(IEnumerable<ArticleOutcomes> outcomes) =>
        new(_articles.Values, outcomes, _translations.Values.SelectMany(byLanguage => byLanguage.Values), search: _text);

    /// <summary>The free-text search this index answers with; reusable by an index over the same texts.</summary>
    public ArticleSearch TextSearch => _text;

    public IEnumerable<(Article Article, int Version)> Articles => _articles.Values;

    public (Article Article, int Version)? Find(string id) => _articles.TryGetValue(id, out var found) ? found : null;

    /// <summary>
    /// The published article whose title, as a reader of <paramref name="culture"/> reads it (<see cref="Localize"/>), is
    /// <paramref name="title"/>: stored lines name an article only by a title. Each culture's titles are listed once per
    /// index (an index never changes; a new version is a new index), not localized again for every line read; where two
    /// articles read alike, the first of <see cref="Articles"/> is the one, as a scan would find it.
    /// </summary>
    public (Article Article, int Version)? FindByTitle(string title, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(culture);
        var titles = _titles.GetOrAdd(culture.Name, _ => TitlesFor(culture));
        return titles.TryGetValue(title, out var id) ? _articles[id] : null;
    }

    private FrozenDictionary<string, string> TitlesFor(CultureInfo culture)
    {
        var titles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (article, _) in _articles.Values)
            titles.TryAdd(Localize(article, culture).Article.Title, article.Id);
        return titles.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The languages the article is published in besides English, in name order.</summary>
    public IReadOnlyList<string> LanguagesOf(string articleId) =>
        _translations.TryGetValue(articleId, out var byLanguage) ? [.. byLanguage.Keys.Order(StringComparer.Ordinal)] : [];

    /// <summary>
    /// The article as a reader of <paramref name="culture"/> reads it: its published translation serving that culture,
    /// else the article itself marked as a fallback (English shown to someone who asked for another language).
    /// </summary>
    public LocalizedArticle Localize(Article article, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(article);
        ArgumentNullException.ThrowIfNull(culture);
        if (ArticleLanguages.IsOriginal(culture) || culture.Name.Length == 0)
            return new LocalizedArticle(article, ArticleLanguages.Original, IsFallback: false, Outdated: false);
        if (_translations.TryGetValue(article.Id, out var byLanguage) && ArticleLanguages.Serving(culture, byLanguage.Keys) is { } language)
        {
            var published = byLanguage[language];
            return new LocalizedArticle(published.Translation.Apply(article), language, IsFallback: false, published.Outdated);
        }
        return new LocalizedArticle(article, ArticleLanguages.Original, IsFallback: true, Outdated: false);
    }

    /// <summary>
    /// Articles for a device problem: exact code matches first, then matches on the normalized condition, each tier
    /// limited to articles that cover the model and firmware, and ranked within the tier by smoothed success rate.
    /// </summary>
    public IReadOnlyList<ArticleMatch> Match(ProblemQuery query, int limit = 5)
    {
        ArgumentNullException.ThrowIfNull(query);
        // Score every candidate cheaply, then explain only the ones returned: with thousands of articles on one common
        // code, building every candidate's reasons would cost more than the ranking.
        var candidates = new List<(string Id, MatchKind Kind, double Score)>();
        var target = new Target(query.Model, query.Firmware);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(query.Code) && _byCode.TryGetValue(query.Code, out var byCode))
            AddTier(byCode, MatchKind.Code);
        if (!string.IsNullOrEmpty(query.Condition) && _byCondition.TryGetValue(query.Condition, out var byCondition))
            AddTier(byCondition, MatchKind.Condition);
        var matches = new List<ArticleMatch>(Math.Min(limit, candidates.Count));
        foreach (var (id, kind, score) in candidates
            .OrderByDescending(c => c.Score).ThenBy(c => c.Id, StringComparer.Ordinal).Take(limit))
        {
            var (article, version) = _articles[id];
            var reasons = new List<LocalizedMessage>
            {
                kind == MatchKind.Code ? MatchReasons.ExactCode(query.Code) : MatchReasons.SameCondition(query.Condition),
            };
            Explain(article, target, reasons);
            var rate = SuccessRate(id, target, reasons);
            matches.Add(new ArticleMatch(article, version, kind, Math.Round(score, 4), rate, reasons));
        }
        return matches;

        void AddTier(string[] ids, MatchKind kind)
        {
            foreach (var id in ids)
            {
                if (!seen.Add(id))
                    continue;
                var article = _articles[id].Article;
                if (!target.Covers(article))
                    continue;
                var rate = SuccessRate(id, target, reasons: null);
                var specific = article.Applies.Models.Count > 0 ? ModelSpecificBonus : 0;
                // Tiers never mix: every code match scores above every condition match.
                candidates.Add((id, kind, (kind == MatchKind.Code ? 2 : 1) + (rate + specific) / (1 + ModelSpecificBonus)));
            }
        }
    }

    /// <summary>
    /// Articles for what a person typed, in the fields of the language they wrote in (<paramref name="language"/>, or
    /// read from the text's script): BM25 over titles, summaries, tags, symptoms and steps, panel codes in any script,
    /// accepted training phrases. When the device is known, articles about its active problems (by code or
    /// condition) gain, and articles that do not cover its model drop out.
    /// </summary>
    public IReadOnlyList<ArticleMatch> Search(string text, DeviceContext? device = null, int limit = 5, CultureInfo? language = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hits = _text.Search(text, language ?? WrittenLanguage.Detect(text, CultureInfo.GetCultureInfo(ArticleLanguages.Original)), Math.Max(limit * 4, 20));
        var best = hits.Count == 0 ? 1 : hits[0].Score;
        var deviceTarget = device is null ? null : new Target(device.Model, device.Firmware);
        var results = new List<ArticleMatch>();
        foreach (var hit in hits)
        {
            var (article, version) = _articles[hit.Id];
            var reasons = new List<LocalizedMessage> { MatchReasons.Words(hit.Words, hit.Score) };
            var score = hit.Score / best;
            if (device is not null)
            {
                if (!deviceTarget!.Covers(article))
                    continue;
                Explain(article, deviceTarget, reasons);
                if (device.Problems.Where(p => AboutProblem(article, p)).OrderByDescending(p => p.Severity).FirstOrDefault() is { } problem)
                {
                    score += ActiveProblemBoost(problem.Severity);
                    reasons.Add(MatchReasons.ReportedNow(problem.Code, problem.Condition));
                }
            }
            results.Add(new ArticleMatch(article, version, MatchKind.Text, Math.Round(score, 4), SuccessRate(article.Id, deviceTarget ?? new Target(null, null), null), reasons));
        }
        // Active problems the words missed entirely still deserve a place when the device is known: a customer saying
        // "it doesn't work" about a jammed printer wants the jam article.
        if (device is not null)
        {
            foreach (var problem in device.Problems)
            {
                foreach (var match in Match(new ProblemQuery(problem.Code, problem.Condition, device.Model, device.Firmware), limit: 1))
                {
                    if (results.Exists(r => r.Article.Id == match.Article.Id))
                        continue;
                    results.Add(match with { Kind = MatchKind.Text, Score = ActiveProblemBoost(problem.Severity), Why = [.. match.Why, MatchReasons.ReportedNowNotInWords()] });
                }
            }
        }
        return [.. results.OrderByDescending(r => r.Score).ThenBy(r => r.Article.Id, StringComparer.Ordinal).Take(limit)];
    }

    private static bool AboutProblem(Article article, DeviceProblem problem) =>
        article.Applies.Codes.Contains(problem.Code, StringComparer.OrdinalIgnoreCase) || article.Applies.Conditions.Contains(problem.Condition, StringComparer.Ordinal);

    /// <summary>The device a match is for, read once per query: matching checks it against many articles.</summary>
    private sealed class Target(string? model, string? firmware)
    {
        public string? Model { get; } = model;
        public string? Firmware { get; } = firmware;
        public string? ModelKey { get; } = model?.ToUpperInvariant();
        private readonly int[] _version = FirmwareRange.TryParseVersion(firmware, out var version) ? version : [];

        public bool Covers(Article article) => article.Applies.CoversModel(Model) && article.Applies.Firmware.Covers(_version);
    }

    private static void Explain(Article article, Target target, List<LocalizedMessage> reasons)
    {
        if (article.Applies.Models.Count > 0)
            reasons.Add(MatchReasons.WrittenFor(target.Model));
        if (!article.Applies.Firmware.IsAny)
            reasons.Add(MatchReasons.FirmwareIn(target.Firmware, article.Applies.Firmware));
    }

    /// <summary>How often the article's fix was tried on any model and how often that was verified to fix the problem.</summary>
    public (long Tried, long Verified) Results(string articleId)
    {
        var (verified, failed) = _overall.GetValueOrDefault(articleId);
        return (verified + failed, verified);
    }

    /// <summary>
    /// The share of verified fixes on this model, pulled towards the article's share on all models, which is itself
    /// pulled towards one half: a new article starts at 0.5, not at 0, and a few results move it only part of the way.
    /// </summary>
    private double SuccessRate(string articleId, Target target, List<LocalizedMessage>? reasons)
    {
        var model = target.Model;
        var (allVerified, allFailed) = _overall.GetValueOrDefault(articleId);
        var overall = (allVerified + PriorWeight * 0.5) / (allVerified + allFailed + PriorWeight);
        var (verified, failed) = target.ModelKey is null ? (0, 0) : _byModel.GetValueOrDefault((articleId, target.ModelKey));
        var rate = (verified + PriorWeight * overall) / (verified + failed + PriorWeight);
        if (reasons is null)
            return Math.Round(rate, 4);
        reasons.Add(verified + failed > 0
            ? MatchReasons.FixedOnModel(verified, verified + failed, model, allVerified, allVerified + allFailed, rate)
            : allVerified + allFailed > 0
                ? MatchReasons.NoResultsOnModel(model, allVerified, allVerified + allFailed, rate)
                : MatchReasons.NoResults(0.5));
        return Math.Round(rate, 4);
    }
}

/// <summary>An article in the language it is shown in, and whether that is English standing in for a missing translation.</summary>
public sealed record LocalizedArticle(Article Article, string Language, bool IsFallback, bool Outdated);

/// <summary>A device's active problem: its code and normalized condition.</summary>
public sealed record DeviceProblem(string Code, string Condition, Severity Severity);

/// <summary>What is known about the device a question is about.</summary>
public sealed record DeviceContext(string? Model, string? Firmware, IReadOnlyList<DeviceProblem> Problems);
