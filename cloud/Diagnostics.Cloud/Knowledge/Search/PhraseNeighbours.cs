namespace Diagnostics.Cloud.Knowledge.Search;

/// <summary>
/// Accepted training phrases as examples to compare a question with (<see cref="TermVectors"/> per language): a
/// question's similarity to an article is its cosine with the closest of the article's phrases. A later customer who
/// says what an earlier one said in other words, or in fewer of the same words, lands near that phrase even when the
/// article's own text never uses them: nearest-neighbour learning beside the article text's BM25.
/// </summary>
public sealed class PhraseNeighbours
{
    private readonly Dictionary<string, (TermVectors Vectors, List<(string ArticleId, Dictionary<string, double> Vector)> Phrases)> _byLanguage;

    private PhraseNeighbours(Dictionary<string, (TermVectors, List<(string, Dictionary<string, double>)>)> byLanguage) => _byLanguage = byLanguage;

    public static readonly PhraseNeighbours None = new([]);

    /// <summary>The phrases, each under the language its questions are searched in.</summary>
    public static PhraseNeighbours Build(IEnumerable<(string ArticleId, string Language, string Text)> phrases)
    {
        ArgumentNullException.ThrowIfNull(phrases);
        var byLanguage = new Dictionary<string, (TermVectors, List<(string, Dictionary<string, double>)>)>(StringComparer.Ordinal);
        foreach (var group in phrases.GroupBy(p => p.Language, StringComparer.Ordinal))
        {
            var vectors = new TermVectors(group.Key, group.Select(p => p.Text));
            byLanguage[group.Key] = (vectors, [.. group.Select(p => (p.ArticleId, vectors.Vector(p.Text))).Where(p => p.Item2.Count > 0)]);
        }
        return new PhraseNeighbours(byLanguage);
    }

    /// <summary>Each article with an accepted phrase like <paramref name="text"/>: the cosine (0 to 1) of the closest one.</summary>
    public Dictionary<string, double> Similar(string language, string text)
    {
        var similar = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!_byLanguage.TryGetValue(language, out var phrases))
            return similar;
        var question = phrases.Vectors.Vector(text);
        if (question.Count == 0)
            return similar;
        foreach (var (articleId, vector) in phrases.Phrases)
        {
            var cosine = TermVectors.Cosine(question, vector);
            if (cosine > similar.GetValueOrDefault(articleId))
                similar[articleId] = cosine;
        }
        return similar;
    }
}
