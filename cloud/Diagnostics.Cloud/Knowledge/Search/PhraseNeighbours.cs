namespace Diagnostics.Cloud.Knowledge.Search;

/// <summary>
/// Accepted training phrases as examples to compare a question with: each phrase a vector of its words and (Chinese,
/// Japanese) character pairs, weighed by how rare each is among the phrases of its language (tf-idf), and a question's
/// similarity to an article is its cosine with the closest of the article's phrases. A later customer who says what an
/// earlier one said in other words, or in fewer of the same words, lands near that phrase even when the article's own
/// text never uses them: nearest-neighbour learning beside the article text's BM25.
/// </summary>
public sealed class PhraseNeighbours
{
    private readonly Dictionary<string, Language> _byLanguage;

    private PhraseNeighbours(Dictionary<string, Language> byLanguage) => _byLanguage = byLanguage;

    public static readonly PhraseNeighbours None = new([]);

    /// <summary>The phrases, each under the language its questions are searched in.</summary>
    public static PhraseNeighbours Build(IEnumerable<(string ArticleId, string Language, string Text)> phrases)
    {
        ArgumentNullException.ThrowIfNull(phrases);
        var byLanguage = new Dictionary<string, Language>(StringComparer.Ordinal);
        foreach (var group in phrases.GroupBy(p => p.Language, StringComparer.Ordinal))
        {
            var terms = group.Select(p => (p.ArticleId, Terms: TermsOf(group.Key, p.Text))).Where(p => p.Terms.Count > 0).ToList();
            var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var term in terms.SelectMany(p => p.Terms.Keys))
                documentFrequency[term] = documentFrequency.GetValueOrDefault(term) + 1;
            var language = new Language(terms.Count, documentFrequency, []);
            foreach (var (articleId, counts) in terms)
                language.Phrases.Add((articleId, language.Vector(counts)));
            byLanguage[group.Key] = language;
        }
        return new PhraseNeighbours(byLanguage);
    }

    /// <summary>Whether any phrase was accepted in <paramref name="language"/>.</summary>
    public bool Has(string language) => _byLanguage.ContainsKey(language);

    /// <summary>Each article with an accepted phrase like <paramref name="text"/>: the cosine (0 to 1) of the closest one.</summary>
    public Dictionary<string, double> Similar(string language, string text)
    {
        var similar = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!_byLanguage.TryGetValue(language, out var phrases))
            return similar;
        var question = phrases.Vector(TermsOf(language, text));
        if (question.Count == 0)
            return similar;
        foreach (var (articleId, vector) in phrases.Phrases)
        {
            var cosine = 0d;
            foreach (var (term, weight) in question)
                cosine += vector.TryGetValue(term, out var other) ? weight * other : 0;
            if (cosine > similar.GetValueOrDefault(articleId))
                similar[articleId] = cosine;
        }
        return similar;
    }

    private static Dictionary<string, int> TermsOf(string language, string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var term in TextAnalysis.Terms(TextAnalysis.Words(language), text))
            counts[term] = counts.GetValueOrDefault(term) + 1;
        if (TextAnalysis.Grams(language) is { } grams)
            foreach (var term in TextAnalysis.Terms(grams, text))
                counts["\u0001" + term] = counts.GetValueOrDefault("\u0001" + term) + 1;
        return counts;
    }

    private sealed record Language(int Count, Dictionary<string, int> DocumentFrequency, List<(string ArticleId, Dictionary<string, double> Vector)> Phrases)
    {
        /// <summary>Unit-length tf-idf vector; a word no phrase has counts for nothing.</summary>
        public Dictionary<string, double> Vector(Dictionary<string, int> counts)
        {
            var vector = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (term, count) in counts)
                if (DocumentFrequency.TryGetValue(term, out var frequency))
                    vector[term] = (1 + Math.Log(count)) * Math.Log(1 + (double)Count / frequency);
            var length = Math.Sqrt(vector.Values.Sum(v => v * v));
            foreach (var term in vector.Keys.ToList())
                vector[term] /= length == 0 ? 1 : length;
            return vector;
        }
    }
}
