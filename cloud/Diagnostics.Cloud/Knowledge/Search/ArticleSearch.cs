using System.Globalization;
using System.Text.RegularExpressions;
using Lucene.Net.Analysis;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;

namespace Diagnostics.Cloud.Knowledge.Search;

/// <summary>An accepted training phrase as search uses it: a customer's words for an article, in their language.</summary>
public sealed record SearchPhrase(string ArticleId, string Language, string Text);

/// <summary>An article that matched a text query: its score and the query words that hit (a corrected word as <c>typed~used</c>).</summary>
public sealed record TextHit(string Id, double Score, IReadOnlyList<string> Words);

/// <summary>
/// How much each part of the text counts. A title word counts more than a step word; customers' accepted words for an
/// article are a section of its text in their language. The defaults were chosen on the tuning halves of the labelled
/// phrasings (tests/Diagnostics.LoadTest/Phrasings) with the benchmarks' kb-tune run, which also reports the five-fold
/// cross-validated figure of that choice (tests/Diagnostics.Benchmarks/README.md): title 4, steps 1, character pairs
/// 0.5 and term saturation 2 were chosen in every fold, and so (2026-12-06, second pass) was a word's rarity counted
/// over whole articles.
/// </summary>
public sealed record SearchWeights
{
    public double Title { get; init; } = 4;
    public double Summary { get; init; } = 2;
    public double Tags { get; init; } = 2;
    public double Symptoms { get; init; } = 1.5;
    public double Steps { get; init; } = 1;
    /// <summary>Character pairs of CJK text, against its words.</summary>
    public double Grams { get; init; } = 0.5;
    /// <summary>A panel code found in the text (50.1, 13.20).</summary>
    public double Code { get; init; } = 6;
    /// <summary>The English text of articles for the Latin words of a question in another language ("LaserPro", "wifi").</summary>
    public double English { get; init; } = 0.3;
    /// <summary>
    /// Accepted training phrases, against the article's own text. Two-fold cross-validation on the tuning halves
    /// (tests/Diagnostics.LoadTest/README.md, kb-learn) found no weight that helps there: 1 to 10 moved top-1 by a
    /// phrasing or two at 1 and lost up to 15 points at 10; phrases as documents of their own (an article's best phrase
    /// added to its score) did no better.
    /// </summary>
    public double Phrase { get; init; } = 1;
    /// <summary>
    /// The articles' words for what a question says in customers' words (<see cref="Equivalences"/>: "chewed up" is a
    /// jam), against the question's own words.
    /// </summary>
    public double Equivalent { get; init; } = 0.7;
    /// <summary>A word found only with a typing mistake, against one found as typed.</summary>
    public double Typo { get; init; } = 0.7;
    /// <summary>The shortest word (after stemming) that may be a typing mistake for another: short words are often real words the articles lack ("last" is not "waste").</summary>
    public int TypoMinLength { get; init; } = 4;
    /// <summary>BM25's length normalization (0: none, 1: full); short fields such as titles suffer from a high value.</summary>
    public double LengthNormalization { get; init; } = 0.75;
    /// <summary>BM25's term-frequency saturation: how soon a word said again in a field stops adding.</summary>
    public double TermSaturation { get; init; } = 2;
    /// <summary>
    /// How a word found in several sections of one article counts: 1 adds the sections up, 0 takes only its best section
    /// (a word that is in an article's title, symptoms and steps is not three times the evidence).
    /// </summary>
    public double SectionTieBreaker { get; init; } = 1;
    /// <summary>
    /// Accepted phrases as neighbours: an article gains this share of the best text score times the similarity (cosine,
    /// 0 to 1) of the question to the most similar of its accepted phrases, so a paraphrase of an accepted phrase finds
    /// its article even when the article's own text says it differently. 0 turns it off.
    /// </summary>
    public double Neighbour { get; init; }
    /// <summary>
    /// Learning that discriminates: an accepted phrase whose article the text alone did not put first lifts its article by
    /// this share of the best text score times the question's similarity to it (above <see cref="NeighbourFloor"/>)…
    /// </summary>
    public double Contrast { get; init; }
    /// <summary>… and counts against the article the text put first for it by this share: a customer who said it meant
    /// the other article. 0 lifts only.</summary>
    public double ContrastAgainst { get; init; }
    /// <summary>The similarity (cosine) below which an accepted phrase is not a neighbour of a question; above it, counted from 0 to 1.</summary>
    public double NeighbourFloor { get; init; }
    /// <summary>
    /// Learning from mistakes only: an accepted phrase joins its article's text only when the article's own text did not
    /// already rank the article first for it. A phrase the text already answers adds no knowledge, only more words
    /// (often the customer's generic ones) that pull other questions towards the article. Off: in kb-tune's two-fold
    /// learning it turned Chinese and Japanese losses into no change but cost English a line (README, kb-tune).
    /// </summary>
    public bool PhrasesWhereMissed { get; init; }
    /// <summary>How much an article loses for each of the question's words it lacks: its score times (matched share)^this.</summary>
    public double Coordination { get; init; } = 1;
    /// <summary>
    /// A word's rarity counted over whole articles (any section, accepted phrases included) rather than per section: a word
    /// in one title and every article's steps is common, not rare for titles. False: BM25's rarity per section.
    /// </summary>
    public bool ArticleRarity { get; init; } = true;
}

/// <summary>
/// Free-text search over the published articles, their translations and the accepted training phrases: one Lucene
/// index in memory for all languages, with each language's text in fields of its own (<c>zh-Hans/title/w</c> for
/// words, <c>/g</c> for CJK character pairs) analyzed by <see cref="TextAnalysis"/>, panel codes in a <c>code</c> field
/// for every language, and the accepted phrases of each article in a field of their own per language. A question is searched in the fields of its
/// language (the translation language that serves it), its codes in <c>code</c>, its Latin words in English too.
/// Immutable: the knowledge base builds a new one when articles, translations or phrases change.
/// </summary>
public sealed partial class ArticleSearch
{
    private const string ArticleField = "article";
    private const string CodeField = "code";
    /// <summary>Every section of an article in one language, phrases included: not searched, only counted for a word's rarity.</summary>
    private const string AllSections = "all";
    private const int MaxQueryTerms = 40;

    private static readonly (string Name, Func<SearchWeights, double> Weight)[] Sections =
    [
        ("title", w => w.Title), ("summary", w => w.Summary), ("tags", w => w.Tags), ("symptoms", w => w.Symptoms), ("steps", w => w.Steps),
        ("phrases", w => w.Phrase),
    ];

    private static readonly Analyzer FieldAnalyzer = new LanguageFieldAnalyzer();

    private readonly IndexSearcher _searcher;
    private readonly SearchWeights _weights;
    private readonly HashSet<string> _languages;
    private readonly PhraseNeighbours _neighbours;
    private readonly Equivalences _equivalences;

    private ArticleSearch(IndexSearcher searcher, SearchWeights weights, HashSet<string> languages, PhraseNeighbours neighbours, Equivalences equivalences)
    {
        _searcher = searcher;
        _weights = weights;
        _languages = languages;
        _neighbours = neighbours;
        _equivalences = equivalences;
    }

    public static readonly ArticleSearch Empty = Build([], [], []);

    /// <summary>The languages that have text in the index, English first.</summary>
    public IReadOnlyCollection<string> Languages => _languages;

    /// <param name="equivalences">Customers' words and the articles' words for the same thing; null: <see cref="Equivalences.Starter"/>.</param>
    public static ArticleSearch Build(
        IEnumerable<Article> articles, IEnumerable<ArticleTranslation> translations, IEnumerable<SearchPhrase> phrases, SearchWeights? weights = null,
        Equivalences? equivalences = null)
    {
        ArgumentNullException.ThrowIfNull(articles);
        ArgumentNullException.ThrowIfNull(translations);
        ArgumentNullException.ThrowIfNull(phrases);
        weights ??= new SearchWeights();
        equivalences ??= Equivalences.Starter;
        var languages = new HashSet<string>(StringComparer.Ordinal) { ArticleLanguages.Original };
        var translationList = translations.ToList();
        languages.UnionWith(translationList.Select(t => t.Language));
        var articleList = articles.ToList();
        var byArticle = translationList.GroupBy(t => t.ArticleId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var known = articleList.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var phraseList = phrases.Where(p => known.Contains(p.ArticleId)).ToList();
        // The article the text alone puts first for each phrase: what learning from it has to correct.
        var firstByText = new Dictionary<SearchPhrase, string?>();
        if ((weights.PhrasesWhereMissed || weights.Contrast > 0 || weights.ContrastAgainst > 0) && phraseList.Count > 0)
        {
            var textOnly = Build(articleList, translationList, [], weights, equivalences);
            foreach (var phrase in phraseList.Distinct())
                firstByText[phrase] = ArticleLanguages.Culture(phrase.Language) is { } culture && textOnly.Search(phrase.Text, culture, 1) is [var first, ..] ? first.Id : null;
        }
        if (weights.PhrasesWhereMissed)
            phraseList = [.. phraseList.Where(p => firstByText.GetValueOrDefault(p) != p.ArticleId)];
        var phrasesByArticle = phraseList.GroupBy(p => p.ArticleId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var directory = new RAMDirectory();
        var similarity = new CoordinatedBM25(weights);
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(TextAnalysis.Version, FieldAnalyzer) { Similarity = similarity }))
        {
            foreach (var article in articleList)
            {
                var document = new Document { new StringField(ArticleField, article.Id, Field.Store.YES) };
                AddText(document, ArticleLanguages.Original, article.Title, article.Summary, article.Tags, article.Symptoms, article.CustomerSteps);
                // Codes as people type them: "50.1" in every language, "media-jam" as English words.
                var bare = article.Applies.Codes.Select(c => c[(c.IndexOf(':', StringComparison.Ordinal) + 1)..]).ToList();
                foreach (var form in bare.SelectMany(TextAnalysis.FormsOf).Distinct(StringComparer.Ordinal))
                    document.Add(new StringField(CodeField, form, Field.Store.NO));
                AddField(document, ArticleLanguages.Original, "tags", string.Join(' ', bare));
                foreach (var translation in byArticle.GetValueOrDefault(article.Id) ?? [])
                {
                    languages.Add(translation.Language);
                    AddText(document, translation.Language, translation.Title, translation.Summary, translation.Tags, translation.Symptoms, translation.CustomerSteps);
                }
                // Customers' accepted words join the article's text in their language: a later question that shares
                // them finds it, weighed by how rare each word is among all articles like every other field.
                foreach (var byLanguage in (phrasesByArticle.GetValueOrDefault(article.Id) ?? []).GroupBy(p => SearchedAs(p.Language, languages), StringComparer.Ordinal))
                {
                    languages.Add(byLanguage.Key);
                    AddField(document, byLanguage.Key, "phrases", string.Join('\n', byLanguage.Select(p => p.Text)));
                }
                writer.AddDocument(document);
            }
            writer.Commit();
        }
        var searcher = new IndexSearcher(DirectoryReader.Open(directory)) { Similarity = similarity };
        var neighbours = weights.Neighbour > 0 || weights.Contrast > 0 || weights.ContrastAgainst > 0
            ? PhraseNeighbours.Build(phraseList.Select(p => (p.ArticleId, SearchedAs(p.Language, languages), p.Text,
                firstByText.GetValueOrDefault(p) is { } first && first != p.ArticleId ? first : null)))
            : PhraseNeighbours.None;
        return new ArticleSearch(searcher, weights, languages, neighbours, equivalences);
    }

    /// <summary>
    /// Articles for what a person wrote in <paramref name="language"/>, best first: each with its score (the article's
    /// own text and its accepted phrases) and the words that matched.
    /// </summary>
    public IReadOnlyList<TextHit> Search(string text, CultureInfo language, int limit)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(language);
        var normalized = TextAnalysis.Normalize(text);
        var served = ArticleLanguages.IsOriginal(language) ? ArticleLanguages.Original : ArticleLanguages.Serving(language, _languages) ?? language.Name;
        var query = new BooleanQuery(disableCoord: false);
        var typos = new List<(string Typed, string Field)>();
        var words = TextAnalysis.Terms(TextAnalysis.Words(served), normalized).Distinct(StringComparer.Ordinal).Take(MaxQueryTerms).ToList();
        // What the question says in customers' words is searched in the articles' words too. Where the words that said
        // it are known (English), their meaning joins each one's clause, so an article with the meaning counts them as
        // matched ("chewed up" is not a question about warming up); otherwise (Chinese, Japanese) each meaning word is
        // a clause of its own.
        var meanings = _weights.Equivalent > 0 ? _equivalences.Meanings(served, normalized, words) : [];
        var alongside = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var equivalent = new List<string>();
        foreach (var (said, meant) in meanings)
        {
            var meantTerms = TextAnalysis.Terms(TextAnalysis.Words(served), meant).Except(words, StringComparer.Ordinal).ToList();
            equivalent.AddRange(meantTerms);
            foreach (var term in said)
                (alongside.TryGetValue(term, out var existing) ? existing : alongside[term] = []).AddRange(meantTerms);
        }
        equivalent = [.. equivalent.Distinct(StringComparer.Ordinal).Take(MaxQueryTerms)];
        AddSections(query, served, 'w', words, 1, typos, alongside);
        AddSections(query, served, 'w', [.. meanings.Where(m => m.Said.Count == 0)
            .SelectMany(m => TextAnalysis.Terms(TextAnalysis.Words(served), m.Meant)).Distinct(StringComparer.Ordinal).Except(words, StringComparer.Ordinal).Take(MaxQueryTerms)],
            _weights.Equivalent, typos: null);
        if (TextAnalysis.Grams(served) is { } gramAnalyzer)
        {
            var grams = TextAnalysis.Terms(gramAnalyzer, normalized).Distinct(StringComparer.Ordinal).Take(MaxQueryTerms).ToList();
            AddSections(query, served, 'g', grams, _weights.Grams, typos: null);
            var equivalentGrams = meanings.Where(m => m.Said.Count == 0).SelectMany(m => TextAnalysis.Terms(gramAnalyzer, m.Meant))
                .Distinct(StringComparer.Ordinal).Except(grams, StringComparer.Ordinal).Take(MaxQueryTerms).ToList();
            AddSections(query, served, 'g', equivalentGrams, _weights.Grams * _weights.Equivalent, typos: null);
        }
        if (served != ArticleLanguages.Original)
        {
            // Latin words in a question in another language: product names, "wifi", "app", English words.
            var latin = TextAnalysis.Terms(TextAnalysis.Words(ArticleLanguages.Original), normalized)
                .Where(t => t.All(c => c < 0x250)).Distinct(StringComparer.Ordinal).Take(MaxQueryTerms).ToList();
            AddSections(query, ArticleLanguages.Original, 'w', latin, _weights.English, typos: null);
        }
        foreach (var form in TextAnalysis.Codes(normalized))
            query.Add(new TermQuery(new Term(CodeField, form)) { Boost = (float)(_weights.Code * Rarity(CodeField, form)) }, Occur.SHOULD);
        var similar = Learnt(_neighbours.Near(served, normalized));
        if (query.Clauses.Count == 0 && similar.Count == 0)
            return [];

        // With accepted phrases to compare with, more candidates than asked for: a neighbour can lift one from further down.
        var candidates = query.Clauses.Count == 0 ? [] : _searcher.Search(query, similar.Count == 0 ? Math.Max(1, limit) : Math.Max(limit, 50)).ScoreDocs;
        var scored = candidates.Select(hit => (Id: _searcher.Doc(hit.Doc).Get(ArticleField), Score: (double)hit.Score, Doc: (int?)hit.Doc)).ToList();
        if (similar.Count > 0)
        {
            // The neighbour's share is scaled by the best text score, so it means the same for short and long questions.
            var scale = scored.Count > 0 ? scored.Max(s => s.Score) : 1;
            var bonus = (string id) => scale * similar.GetValueOrDefault(id);
            scored = [.. scored.Select(s => (s.Id, Score: s.Score + bonus(s.Id), s.Doc))
                .Concat(similar.Keys.Where(id => scored.All(s => s.Id != id)).Select(id => (Id: id, Score: bonus(id), Doc: (int?)null)))
                .Where(s => s.Score > 0)
                .OrderByDescending(s => s.Score).ThenBy(s => s.Id, StringComparer.Ordinal)];
        }
        return [.. scored.Take(Math.Max(1, limit)).Select(s => new TextHit(s.Id, s.Score, s.Doc is { } doc ? MatchedWords(query, doc, words, equivalent, typos) : []))];
    }

    /// <summary>
    /// What accepted phrases near the question add to each article, in shares of the best text score: its closest phrase
    /// (<see cref="SearchWeights.Neighbour"/>), its closest phrase the text alone had missed (<see cref="SearchWeights.Contrast"/>),
    /// less the closest phrase the text had wrongly given it (<see cref="SearchWeights.ContrastAgainst"/>).
    /// </summary>
    private Dictionary<string, double> Learnt(IReadOnlyList<NearPhrase> near)
    {
        var own = new Dictionary<string, double>(StringComparer.Ordinal);
        var missed = new Dictionary<string, double>(StringComparer.Ordinal);
        var wrong = new Dictionary<string, double>(StringComparer.Ordinal);
        var floor = Math.Clamp(_weights.NeighbourFloor, 0, 0.99);
        foreach (var phrase in near)
        {
            var similarity = Math.Max(0, (phrase.Cosine - floor) / (1 - floor));
            if (similarity <= 0)
                continue;
            Keep(own, phrase.ArticleId, similarity);
            if (phrase.ConfusedWith is { } other)
            {
                Keep(missed, phrase.ArticleId, similarity);
                Keep(wrong, other, similarity);
            }
        }
        var learnt = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var id in own.Keys.Concat(wrong.Keys).Distinct(StringComparer.Ordinal))
        {
            var value = _weights.Neighbour * own.GetValueOrDefault(id) + _weights.Contrast * missed.GetValueOrDefault(id) - _weights.ContrastAgainst * wrong.GetValueOrDefault(id);
            if (value != 0)
                learnt[id] = value;
        }
        return learnt;

        static void Keep(Dictionary<string, double> best, string id, double similarity)
        {
            if (similarity > best.GetValueOrDefault(id))
                best[id] = similarity;
        }
    }

    /// <param name="alongside">For a term, the articles' words for what it says, searched in its clause at <see cref="SearchWeights.Equivalent"/>.</param>
    private void AddSections(
        BooleanQuery query, string language, char kind, IReadOnlyList<string> terms, double factor, List<(string Typed, string Field)>? typos,
        Dictionary<string, List<string>>? alongside = null)
    {
        foreach (var term in terms)
        {
            var fields = Sections.Select(s => (Name: FieldName(language, s.Name, kind), Weight: s.Weight(_weights) * factor)).ToList();
            var known = fields.Any(f => _searcher.IndexReader.DocFreq(new Term(f.Name, term)) > 0);
            var rarity = Rarity(FieldName(language, AllSections, kind), term);
            // One clause per word, its sections inside: coordination counts the question's words an article has.
            var anySection = new DisjunctionMaxQuery((float)_weights.SectionTieBreaker);
            foreach (var (name, weight) in fields)
            {
                if (known || typos is null || !MayBeTypo(term))
                {
                    anySection.Add(new TermQuery(new Term(name, term)) { Boost = (float)(weight * rarity) });
                    continue;
                }
                // A word no article uses: the closest words they do use, one or two typing mistakes away, at a discount.
                anySection.Add(new FuzzyQuery(new Term(name, term), term.Length >= 8 ? 2 : 1, 0, 10, true) { Boost = (float)(weight * _weights.Typo * rarity) });
                typos.Add((term, name));
            }
            foreach (var meant in alongside?.GetValueOrDefault(term)?.Distinct(StringComparer.Ordinal) ?? [])
            {
                var meantRarity = Rarity(FieldName(language, AllSections, kind), meant);
                foreach (var (name, weight) in fields)
                    anySection.Add(new TermQuery(new Term(name, meant)) { Boost = (float)(weight * _weights.Equivalent * meantRarity) });
            }
            query.Add(anySection, Occur.SHOULD);
        }
    }

    /// <summary>
    /// With <see cref="SearchWeights.ArticleRarity"/>, BM25's rarity of a word over whole articles (<paramref name="field"/>
    /// holds all of an article's text in the language), the similarity's own per-section rarity being 1; without it, 1.
    /// A word no article has (a typing mistake) counts as if one article had it.
    /// </summary>
    private double Rarity(string field, string term)
    {
        if (!_weights.ArticleRarity)
            return 1;
        var articles = (double)_searcher.IndexReader.MaxDoc;
        var having = Math.Max(1, _searcher.IndexReader.DocFreq(new Term(field, term)));
        return Math.Log(1 + (articles - having + 0.5) / (having + 0.5));
    }

    private bool MayBeTypo(string term) => term.Length >= _weights.TypoMinLength && !term.Any(char.IsAsciiDigit) && term.All(c => c < 0x250);

    /// <summary>
    /// The query's terms that scored in these documents (a word found through a typo as <c>typed~used</c>, an articles'
    /// word for the customer's as <c>=used</c>).
    /// </summary>
    private List<string> MatchedWords(Query query, int doc, IReadOnlyList<string> words, IReadOnlyList<string> equivalent, List<(string Typed, string Field)> typos)
    {
        var matched = new List<string>();
        Collect(_searcher.Explain(_searcher.Rewrite(query), doc), matched);
        return [.. matched.Select(term => words.Contains(term, StringComparer.Ordinal) ? term
                : equivalent.Contains(term, StringComparer.Ordinal) ? $"={term}"
                : typos.Select(t => t.Typed).Distinct(StringComparer.Ordinal).MinBy(t => EditDistance(t, term)) is { } typed ? $"{typed}~{term}" : term)
            .Distinct(StringComparer.Ordinal)];

        static void Collect(Explanation explanation, List<string> into)
        {
            if (explanation.Value > 0 && WeightDescription().Match(explanation.Description) is { Success: true } m)
                into.Add(m.Groups["term"].Value);
            foreach (var detail in explanation.GetDetails() ?? [])
                Collect(detail, into);
        }
    }

    /// <summary>Levenshtein distance of two short words, to name which typed word a corrected term came from.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }

    // "weight(en/title/w:toner in 3)", or with a boost for a term a fuzzy query found: "weight(en/title/w:toner^1.575 in 3)".
    [GeneratedRegex(@"^weight\((?<field>[^:]+):(?<term>.+?)(?:\^[0-9.]+)? in \d+\)")]
    private static partial Regex WeightDescription();

    private static void AddText(Document document, string language, string title, string summary, IEnumerable<string> tags, IEnumerable<string> symptoms, IEnumerable<string> steps)
    {
        AddField(document, language, "title", title);
        AddField(document, language, "summary", summary);
        AddField(document, language, "tags", string.Join('\n', tags));
        AddField(document, language, "symptoms", string.Join('\n', symptoms));
        AddField(document, language, "steps", string.Join('\n', steps));
    }

    private static void AddField(Document document, string language, string section, string text)
    {
        var normalized = TextAnalysis.Normalize(text);
        foreach (var name in new[] { section, AllSections })
        {
            document.Add(new TextField(FieldName(language, name, 'w'), normalized, Field.Store.NO));
            if (TextAnalysis.UsesGrams(language))
                document.Add(new TextField(FieldName(language, name, 'g'), normalized, Field.Store.NO));
        }
    }

    /// <summary>
    /// The language whose fields a phrase joins: the one a question in the phrase's language is searched in (English for
    /// <c>en-US</c>, <c>zh-Hans</c> for <c>zh-CN</c>), else the phrase's own. Filed under <c>en-US</c>, a phrase sat in
    /// fields no question ever searched.
    /// </summary>
    private static string SearchedAs(string language, IReadOnlyCollection<string> languages) =>
        ArticleLanguages.Culture(language) is not { } culture ? language
        : ArticleLanguages.IsOriginal(culture) ? ArticleLanguages.Original
        : ArticleLanguages.Serving(culture, languages) ?? language;

    /// <summary>A text field's name: its language, its section, and <c>w</c> (words) or <c>g</c> (character pairs).</summary>
    private static string FieldName(string language, string section, char kind) => $"{language}/{section}/{kind}";

    /// <summary>Analyzes each field with its language's words or character-pairs analyzer, by the field's name.</summary>
    private sealed class LanguageFieldAnalyzer() : AnalyzerWrapper(PER_FIELD_REUSE_STRATEGY)
    {
        protected override Analyzer GetWrappedAnalyzer(string fieldName)
        {
            var parts = fieldName.Split('/');
            if (parts.Length != 3)
                return TextAnalysis.Words(ArticleLanguages.Original);
            return parts[2] switch
            {
                "g" => TextAnalysis.Grams(parts[0]) ?? TextAnalysis.Words(parts[0]),
                _ => TextAnalysis.Words(parts[0]),
            };
        }
    }

    /// <summary>
    /// BM25 with coordination: an article that has more of the question's words ranks before one that has a few of them
    /// often. A word's rarity is counted over all articles (a word only one article has is rare, whichever field holds
    /// it). A field's average length is counted over the articles that have the field: Lucene 4.8 divides by every
    /// document, so a field few articles have (accepted phrases) looked dozens of times longer than its average in the
    /// article that had it, and BM25's length normalization cut its words to a fiftieth: training phrases barely counted.
    /// </summary>
    private sealed class CoordinatedBM25(SearchWeights weights) : BM25Similarity((float)weights.TermSaturation, (float)weights.LengthNormalization)
    {
        protected override float AvgFieldLength(CollectionStatistics collectionStats)
        {
            var (length, documents) = (collectionStats.SumTotalTermFreq, collectionStats.DocCount);
            return length <= 0 || documents <= 0 ? 1f : (float)(length / (double)documents);
        }

        public override Explanation IdfExplain(CollectionStatistics collectionStats, TermStatistics termStats)
        {
            var (documents, frequency) = (collectionStats.MaxDoc, termStats.DocFreq);
            // Counted over whole articles instead: the query gives each word its rarity as a boost.
            return weights.ArticleRarity
                ? new Explanation(1, "idf(article-wide, in the boost)")
                : new Explanation(Idf(frequency, documents), $"idf(docFreq={frequency}, maxDocs={documents})");
        }

        public override float Coord(int overlap, int maxOverlap) =>
            maxOverlap == 0 || weights.Coordination == 0 ? 1 : (float)Math.Pow((double)overlap / maxOverlap, weights.Coordination);
    }
}
