using System.Collections.Frozen;
using System.Text;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>
/// Okapi BM25 over articles' fields, each field weighted (BM25F-style: weighted term frequencies, one length
/// normalization per document). Words are lowercased, folded to a light stem, and stop words dropped; a query word
/// the articles never use is matched to the closest words they do use (one or two typing mistakes), at a discount.
/// </summary>
public sealed class TextIndex
{
    private const double K1 = 1.2;
    private const double B = 0.75;
    private const double TypoDiscount = 0.7;

    private readonly string[] _ids;
    private readonly double[] _lengths;
    private readonly double _averageLength;
    private readonly FrozenDictionary<string, (int Document, double Frequency)[]> _postings;
    private readonly FrozenDictionary<int, string[]> _termsByLength;

    private TextIndex(string[] ids, double[] lengths, Dictionary<string, List<(int, double)>> postings)
    {
        _ids = ids;
        _lengths = lengths;
        _averageLength = lengths.Length == 0 ? 1 : Math.Max(1, lengths.Average());
        _postings = postings.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        _termsByLength = postings.Keys.GroupBy(t => t.Length).ToFrozenDictionary(g => g.Key, g => g.ToArray());
    }

    public int Count => _ids.Length;

    /// <summary>A document: its id and its fields, each with a weight (a title word counts more than a step word).</summary>
    public static TextIndex Build(IEnumerable<(string Id, IEnumerable<(string Text, double Weight)> Fields)> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var ids = new List<string>();
        var lengths = new List<double>();
        var postings = new Dictionary<string, List<(int, double)>>(StringComparer.Ordinal);
        foreach (var (id, fields) in documents)
        {
            var document = ids.Count;
            ids.Add(id);
            var frequencies = new Dictionary<string, double>(StringComparer.Ordinal);
            var length = 0.0;
            foreach (var (text, weight) in fields)
            {
                foreach (var term in Terms(text))
                {
                    frequencies[term] = frequencies.GetValueOrDefault(term) + weight;
                    length += weight;
                }
            }
            lengths.Add(length);
            foreach (var (term, frequency) in frequencies)
            {
                if (!postings.TryGetValue(term, out var list))
                    postings[term] = list = [];
                list.Add((document, frequency));
            }
        }
        return new TextIndex([.. ids], [.. lengths], postings);
    }

    /// <summary>Scores of the documents that share a word with the query, highest first; each with the words that matched.</summary>
    public IReadOnlyList<TextHit> Search(string query, int limit)
    {
        ArgumentNullException.ThrowIfNull(query);
        var scores = new Dictionary<int, (double Score, List<string> Words)>();
        foreach (var word in Terms(query).Distinct(StringComparer.Ordinal))
        {
            foreach (var (term, discount) in Expand(word))
            {
                var postings = _postings[term];
                var idf = Math.Log(1 + (_ids.Length - postings.Length + 0.5) / (postings.Length + 0.5));
                foreach (var (document, frequency) in postings)
                {
                    var norm = frequency * (K1 + 1) / (frequency + K1 * (1 - B + B * _lengths[document] / _averageLength));
                    var score = discount * idf * norm;
                    if (!scores.TryGetValue(document, out var entry))
                        scores[document] = entry = (0, []);
                    entry.Words.Add(term == word ? word : $"{word}~{term}");
                    scores[document] = (entry.Score + score, entry.Words);
                }
            }
        }
        return [.. scores
            .OrderByDescending(s => s.Value.Score)
            .ThenBy(s => _ids[s.Key], StringComparer.Ordinal)
            .Take(limit)
            .Select(s => new TextHit(_ids[s.Key], s.Value.Score, s.Value.Words))];
    }

    /// <summary>The word itself when an article uses it, otherwise the closest words articles use (typing mistakes).</summary>
    private IEnumerable<(string Term, double Discount)> Expand(string word)
    {
        if (_postings.ContainsKey(word))
            return [(word, 1.0)];
        if (word.Length < 4 || word.Any(char.IsAsciiDigit))
            return [];
        var allowed = word.Length >= 8 ? 2 : 1;
        var best = new List<string>();
        var bestDistance = allowed + 1;
        for (var length = word.Length - allowed; length <= word.Length + allowed; length++)
        {
            if (!_termsByLength.TryGetValue(length, out var terms))
                continue;
            foreach (var term in terms)
            {
                var distance = EditDistance(word, term, bestDistance);
                if (distance < bestDistance)
                {
                    bestDistance = distance;
                    best.Clear();
                }
                if (distance == bestDistance)
                    best.Add(term);
            }
        }
        return bestDistance <= allowed ? best.Select(t => (t, TypoDiscount)) : [];
    }

    /// <summary>Optimal string alignment distance (a swap of neighbours counts one), giving up above <paramref name="ceiling"/>.</summary>
    internal static int EditDistance(string a, string b, int ceiling)
    {
        if (Math.Abs(a.Length - b.Length) > ceiling)
            return ceiling + 1;
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMinimum = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    current[j] = Math.Min(current[j], previous2[j - 2] + 1);
                rowMinimum = Math.Min(rowMinimum, current[j]);
            }
            if (rowMinimum > ceiling)
                return ceiling + 1;
            (previous2, previous, current) = (previous, current, previous2);
        }
        return previous[b.Length];
    }

    /// <summary>Lowercased words, stop words dropped, each folded to a light stem; numbers with dots (<c>50.1</c>) stay whole.</summary>
    public static IEnumerable<string> Terms(string text)
    {
        var word = new StringBuilder();
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            var keepsNumber = c == '.' && word.Length > 0 && char.IsAsciiDigit(word[^1]) && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]);
            if (char.IsLetterOrDigit(c) || keepsNumber)
            {
                word.Append(char.ToLowerInvariant(c));
                continue;
            }
            if (c is '\'' or '’' && word.Length > 0)
            {
                // "there's", "printer's": the 's adds nothing; "won't" → "wont", "doesn't" → "doesnt".
                if (i + 1 < text.Length && char.ToLowerInvariant(text[i + 1]) == 's' && (i + 2 >= text.Length || !char.IsLetter(text[i + 2])))
                    i++;
                continue;
            }
            if (word.Length == 0)
                continue;
            var raw = word.ToString();
            word.Clear();
            if (StopWords.Contains(raw))
                continue;
            yield return Stem(raw);
        }
    }

    /// <summary>A light English stemmer: enough to meet "jammed", "jams" and "jamming" at "jam", cheap and predictable.</summary>
    internal static string Stem(string word)
    {
        if (word.Length <= 3 || word.Any(char.IsAsciiDigit))
            return word;
        string Strip(string w, int count) => w[..^count];
        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length > 4)
            word = Strip(word, 3) + "y";
        else if (word.EndsWith("sses", StringComparison.Ordinal))
            word = Strip(word, 2);
        else if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal) && !word.EndsWith("is", StringComparison.Ordinal))
            word = Strip(word, 1);
        foreach (var suffix in (string[])["ing", "ed", "ly"])
        {
            if (word.EndsWith(suffix, StringComparison.Ordinal) && word.Length - suffix.Length >= 3)
            {
                word = Strip(word, suffix.Length);
                // "jamm" → "jam", "stopp" → "stop": a doubled last consonant from the suffix.
                if (word.Length >= 3 && word[^1] == word[^2] && !"lsz".Contains(word[^1], StringComparison.Ordinal) && !"aeiou".Contains(word[^1], StringComparison.Ordinal))
                    word = word[..^1];
                break;
            }
        }
        if (word.EndsWith('e') && word.Length >= 4)
            word = word[..^1];
        return word;
    }

    private static readonly FrozenSet<string> StopWords = new[]
    {
        "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "with", "from", "into", "onto",
        "is", "are", "was", "were", "be", "been", "am", "it", "its", "this", "that", "these", "those", "there", "here",
        "i", "me", "my", "we", "our", "you", "your", "he", "she", "they", "them", "their", "what", "which", "who", "whom",
        "do", "does", "did", "done", "have", "has", "had", "so", "just", "very", "can", "could", "would", "should", "will",
        "please", "help", "hi", "hello", "thank", "thanks", "get", "got", "keep", "kept", "still", "again", "now", "all",
        "any", "some", "when", "then", "than", "too", "also", "about", "as", "how", "why", "one", "im", "ive",
    }.ToFrozenSet(StringComparer.Ordinal);
}

/// <summary>A document that matched a text query: its score and the query words that hit (a corrected word as <c>typed~used</c>).</summary>
public sealed record TextHit(string Id, double Score, IReadOnlyList<string> Words);
