namespace Diagnostics.Cloud.Knowledge.Search;

/// <summary>
/// Words customers use for a printer problem that the articles say otherwise ("chewed up" for a jam, 没墨 for 墨粉用完),
/// per language, as data: <c>Equivalences/&lt;language&gt;.txt</c> beside this file (README there), one equivalence a line,
/// <c>customer words, other customer words =&gt; the articles' words  # where it comes from</c>. A question that says a
/// left side is also searched for the right side's words, at <see cref="SearchWeights.Equivalent"/>. General
/// equivalences of the domain only (vendor manuals' and the articles' own vocabulary), never a phrase mapped to an article.
/// </summary>
public sealed class Equivalences
{
    private const string ResourcePrefix = "Diagnostics.Cloud.Knowledge.Search.Equivalences.";

    /// <summary>Per language: each customer wording (its terms, or for Chinese and Japanese its text) and what it means in the articles' words.</summary>
    private readonly Dictionary<string, List<(string[] Said, string Meant)>> _byLanguage;

    private Equivalences(Dictionary<string, List<(string[], string)>> byLanguage) => _byLanguage = byLanguage;

    public static readonly Equivalences None = new([]);

    private static readonly Lazy<Equivalences> Shipped = new(() =>
    {
        var assembly = typeof(Equivalences).Assembly;
        var files = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".txt", StringComparison.Ordinal))
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return (Language: n[ResourcePrefix.Length..^".txt".Length], Text: reader.ReadToEnd());
            });
        return Parse(files);
    });

    /// <summary>The equivalences shipped with the cloud (embedded from Knowledge/Search/Equivalences/).</summary>
    public static Equivalences Starter => Shipped.Value;

    /// <summary>The languages that have equivalences.</summary>
    public IReadOnlyCollection<string> Languages => _byLanguage.Keys;

    /// <summary>The equivalence files of a folder (<c>&lt;language&gt;.txt</c>), e.g. to try an edit without building.</summary>
    public static Equivalences Load(string folder) =>
        Parse(Directory.EnumerateFiles(folder, "*.txt").Order(StringComparer.Ordinal)
            .Select(path => (Path.GetFileNameWithoutExtension(path), File.ReadAllText(path))));

    /// <summary>Reads equivalence files; a line that is not <c>words =&gt; words</c> is refused with its language and line number.</summary>
    public static Equivalences Parse(IEnumerable<(string Language, string Text)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var byLanguage = new Dictionary<string, List<(string[], string)>>(StringComparer.Ordinal);
        foreach (var (language, text) in files)
        {
            if (ArticleLanguages.Culture(language) is null)
                throw new FormatException($"equivalences: '{language}' is not a language name (the file is named after the language its questions are searched in: en, zh-Hans, ja)");
            var list = byLanguage.TryGetValue(language, out var existing) ? existing : byLanguage[language] = [];
            var number = 0;
            foreach (var raw in text.Split('\n'))
            {
                number++;
                var comment = raw.IndexOf('#', StringComparison.Ordinal);
                var line = (comment >= 0 ? raw[..comment] : raw).Trim();
                if (line.Length == 0)
                    continue;
                var parts = line.Split("=>");
                if (parts.Length != 2 || parts[1].Trim().Length == 0)
                    throw new FormatException($"equivalences {language} line {number}: expected 'customer words, … => the articles' words', got '{line}'");
                var meant = TextAnalysis.Normalize(parts[1].Trim());
                foreach (var said in parts[0].Split(',').Select(s => s.Trim()).Where(s => s.Length > 0))
                {
                    var key = Key(language, said);
                    if (key.Length == 0)
                        throw new FormatException($"equivalences {language} line {number}: '{said}' has no word search uses (only stop words)");
                    list.Add((key, meant));
                }
            }
        }
        return new Equivalences(byLanguage);
    }

    /// <summary>
    /// What the question says in the articles' words: the right side of each equivalence whose left side it contains,
    /// with the question's terms that said it. Words in a row for English and other spaced languages, after stemming
    /// ("chewed up" meets "chewing up"); text for Chinese and Japanese (吃纸 inside 打印机老是吃纸), whose words are
    /// not aligned with the question's terms (no terms given).
    /// </summary>
    public IReadOnlyList<(IReadOnlyList<string> Said, string Meant)> Meanings(string language, string normalizedText, IReadOnlyList<string> terms)
    {
        ArgumentNullException.ThrowIfNull(normalizedText);
        ArgumentNullException.ThrowIfNull(terms);
        if (!_byLanguage.TryGetValue(language, out var list))
            return [];
        var byText = TextAnalysis.UsesGrams(language);
        var lowered = byText ? normalizedText.ToLowerInvariant() : "";
        var meanings = new List<(IReadOnlyList<string>, string)>();
        foreach (var (said, meant) in list)
        {
            if (byText ? lowered.Contains(said[0], StringComparison.Ordinal) : ContainsInRow(terms, said))
                meanings.Add((byText ? [] : said, meant));
        }
        return meanings;
    }

    private static string[] Key(string language, string said) =>
        TextAnalysis.UsesGrams(language)
            ? [TextAnalysis.Normalize(said).ToLowerInvariant()]
            : [.. TextAnalysis.Terms(TextAnalysis.Words(language), said)];

    private static bool ContainsInRow(IReadOnlyList<string> terms, string[] said)
    {
        for (var start = 0; start + said.Length <= terms.Count; start++)
        {
            var all = true;
            for (var i = 0; i < said.Length && all; i++)
                all = string.Equals(terms[start + i], said[i], StringComparison.Ordinal);
            if (all)
                return true;
        }
        return false;
    }
}
