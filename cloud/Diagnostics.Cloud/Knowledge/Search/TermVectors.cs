namespace Diagnostics.Cloud.Knowledge.Search;

/// <summary>
/// Short texts of one language as tf-idf vectors of their words and (Chinese, Japanese) character pairs, from
/// <see cref="TextAnalysis"/>, weighed by how rare each term is among the texts given: the similarity of two customer
/// questions, or of a question and an accepted phrase, is the cosine of their vectors (0 to 1).
/// </summary>
public sealed class TermVectors
{
    private const string GramPrefix = "\u0001";
    private readonly string _language;
    private readonly int _count;
    private readonly Dictionary<string, int> _documentFrequency;

    public TermVectors(string language, IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        _language = language;
        _documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            _count++;
            foreach (var term in TermsOf(language, text).Keys)
                _documentFrequency[term] = _documentFrequency.GetValueOrDefault(term) + 1;
        }
    }

    /// <summary>The unit-length vector of a text; a term none of the texts has counts for nothing.</summary>
    public Dictionary<string, double> Vector(string text)
    {
        var vector = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (term, count) in TermsOf(_language, text))
            if (_documentFrequency.TryGetValue(term, out var frequency))
                vector[term] = (1 + Math.Log(count)) * Math.Log(1 + (double)_count / frequency);
        var length = Math.Sqrt(vector.Values.Sum(v => v * v));
        foreach (var term in vector.Keys.ToList())
            vector[term] /= length == 0 ? 1 : length;
        return vector;
    }

    /// <summary>The cosine of two unit vectors.</summary>
    public static double Cosine(Dictionary<string, double> a, Dictionary<string, double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        var cosine = 0d;
        foreach (var (term, weight) in small)
            cosine += large.TryGetValue(term, out var other) ? weight * other : 0;
        return cosine;
    }

    private static Dictionary<string, int> TermsOf(string language, string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var term in TextAnalysis.Terms(TextAnalysis.Words(language), text))
            counts[term] = counts.GetValueOrDefault(term) + 1;
        if (TextAnalysis.Grams(language) is { } grams)
            foreach (var term in TextAnalysis.Terms(grams, text))
                counts[GramPrefix + term] = counts.GetValueOrDefault(GramPrefix + term) + 1;
        return counts;
    }
}
