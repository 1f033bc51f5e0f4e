namespace Diagnostics.Cloud.Knowledge.Search;

/// <summary>An accepted phrase near a question: its article, the article the text alone ranked first for it (when another), and their cosine.</summary>
public readonly record struct NearPhrase(string ArticleId, string? ConfusedWith, double Cosine);

/// <summary>
/// Accepted training phrases as examples to compare a question with (<see cref="TermVectors"/> per language): a
/// question's similarity to a phrase is the cosine of their vectors. A later customer who says what an earlier one said
/// in other words, or in fewer of the same words, lands near that phrase even when the article's own text never uses
/// them: nearest-neighbour learning beside the article text's BM25. Each phrase remembers the article the text alone
/// put first for it, when that was another one, so a question like it can count against that article too.
/// </summary>
public sealed class PhraseNeighbours
{
    private readonly Dictionary<string, (TermVectors Vectors, List<(string ArticleId, string? ConfusedWith, Dictionary<string, double> Vector)> Phrases)> _byLanguage;

    private PhraseNeighbours(Dictionary<string, (TermVectors, List<(string, string?, Dictionary<string, double>)>)> byLanguage) => _byLanguage = byLanguage;

    public static readonly PhraseNeighbours None = new([]);

    /// <summary>The phrases, each under the language its questions are searched in.</summary>
    public static PhraseNeighbours Build(IEnumerable<(string ArticleId, string Language, string Text, string? ConfusedWith)> phrases)
    {
        ArgumentNullException.ThrowIfNull(phrases);
        var byLanguage = new Dictionary<string, (TermVectors, List<(string, string?, Dictionary<string, double>)>)>(StringComparer.Ordinal);
        foreach (var group in phrases.GroupBy(p => p.Language, StringComparer.Ordinal))
        {
            var vectors = new TermVectors(group.Key, group.Select(p => p.Text));
            byLanguage[group.Key] = (vectors, [.. group.Select(p => (p.ArticleId, p.ConfusedWith, vectors.Vector(p.Text))).Where(p => p.Item3.Count > 0)]);
        }
        return new PhraseNeighbours(byLanguage);
    }

    /// <summary>Every accepted phrase of the language that shares a term with <paramref name="text"/>, with its cosine (0 to 1).</summary>
    public IReadOnlyList<NearPhrase> Near(string language, string text)
    {
        if (!_byLanguage.TryGetValue(language, out var phrases))
            return [];
        var question = phrases.Vectors.Vector(text);
        if (question.Count == 0)
            return [];
        var near = new List<NearPhrase>();
        foreach (var (articleId, confusedWith, vector) in phrases.Phrases)
        {
            var cosine = TermVectors.Cosine(question, vector);
            if (cosine > 0)
                near.Add(new NearPhrase(articleId, confusedWith, cosine));
        }
        return near;
    }
}
