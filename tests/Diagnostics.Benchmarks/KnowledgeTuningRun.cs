using System.Globalization;
using System.Text.Json;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Knowledge.Search;
using Diagnostics.Testing;

namespace Diagnostics.Benchmarks;

/// <summary>
/// Search weights tried on the tuning halves of the labelled phrasings (tests/Diagnostics.LoadTest/Phrasings, never a
/// held-out file), in process. For each setting of a grid (one JSON <see cref="SearchWeights"/> a line): top-1 per
/// language without training phrases ("plain"), and after learning by two-fold cross-validation (each article's lines
/// alternate between folds; one fold's lines accepted as training phrases, the other fold searched: "learnt").
/// Then an honest estimate of what choosing among the settings is worth: five folds by each article's lines; for each
/// fold the setting with the best mean top-1 on the other four is chosen and scored on this one. A plain figure far
/// above its cross-validated one means the setting fits these lines rather than customers.
/// </summary>
internal static class KnowledgeTuningRun
{
    private const int SelectionFolds = 5;
    private static readonly string[] FileLanguages = ["en", "zh", "ja"];
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    private sealed record Labelled(string File, int Index, string ArticleId, string Text, int Position);

    public static void Run(string? gridFile)
    {
        var root = RepositoryLayout.Root;
        gridFile ??= Path.Combine(root, "tests", "Diagnostics.Benchmarks", "search-weights.grid");
        var folder = Path.Combine(root, "cloud", "knowledge-base");
        var articles = KnowledgeFolder.Articles(folder).Select(f => ArticleFormat.Parse(File.ReadAllText(f.Path)).Article!).ToList();
        var translations = KnowledgeFolder.Translations(folder).Select(f => TranslationFormat.Parse(File.ReadAllText(f.Path)).Translation!).ToList();
        var lines = FileLanguages.SelectMany(language => Load(Path.Combine(root, "tests", "Diagnostics.LoadTest", "Phrasings", $"{language}.tuning.tsv"), language)).ToList();
        var settings = File.ReadAllLines(gridFile).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var english = CultureInfo.GetCultureInfo("en");
        // Read from the source folder, not the built program, so an edit to the data is tried without building.
        var equivalences = Equivalences.Load(Path.Combine(root, "cloud", "Diagnostics.Cloud", "Knowledge", "Search", "Equivalences"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kb-tune: {lines.Count} tuning phrasings, {articles.Count} articles, {settings.Count} settings from {gridFile}"));

        var plain = new List<bool[]>();
        var learnt = new List<bool[]>();
        var learntFromFour = new List<bool[]>();
        foreach (var setting in settings)
        {
            var weights = JsonSerializer.Deserialize<SearchWeights>(setting, Json) ?? throw new InvalidOperationException($"not a setting: {setting}");
            var untrained = ArticleSearch.Build(articles, translations, [], weights, equivalences);
            var trained = Enumerable.Range(0, 2).Select(fold => ArticleSearch.Build(articles, translations,
                lines.Where(l => l.Position % 2 == fold).Select(l => new SearchPhrase(l.ArticleId, PhraseLanguage(l.File), l.Text)), weights, equivalences)).ToList();
            // Learning from four folds, scored on the fifth: closer to learning from a whole tuning half.
            var trainedOnFour = Enumerable.Range(0, SelectionFolds).Select(fold => ArticleSearch.Build(articles, translations,
                lines.Where(l => l.Position % SelectionFolds != fold).Select(l => new SearchPhrase(l.ArticleId, PhraseLanguage(l.File), l.Text)), weights, equivalences)).ToList();
            bool First(ArticleSearch search, Labelled line) =>
                search.Search(line.Text, WrittenLanguage.Detect(line.Text, english), 1) is [var hit, ..] && hit.Id == line.ArticleId;
            plain.Add([.. lines.Select(l => First(untrained, l))]);
            learnt.Add([.. lines.Select(l => First(trained[1 - l.Position % 2], l))]);
            learntFromFour.Add([.. lines.Select(l => First(trainedOnFour[l.Position % SelectionFolds], l))]);
            Console.WriteLine($"  {setting,-70} plain {Figures(lines, plain[^1])} | learnt {Figures(lines, learnt[^1])} | learnt 4/5 {Figures(lines, learntFromFour[^1])}");
            Console.WriteLine($"  {"",-70} top-3 {Figures(lines, [.. lines.Select(l => Within(untrained, l, 3))])} | learnt {Figures(lines, [.. lines.Select(l => Within(trained[1 - l.Position % 2], l, 3))])} | learnt 4/5 {Figures(lines, [.. lines.Select(l => Within(trainedOnFour[l.Position % SelectionFolds], l, 3))])}");
            if (settings.Count == 1 || Environment.GetEnvironmentVariable("KB_TUNE_MISSES") == "1")
                Misses(lines, untrained, trained, english);
        }

        Console.WriteLine("five-fold selection (chosen on four folds, scored on the fifth):");
        Report("plain", lines, settings, plain);
        Report("learnt", lines, settings, learnt);
        Report("learnt 4/5", lines, settings, learntFromFour);
    }

    private static bool Within(ArticleSearch search, Labelled line, int top) =>
        search.Search(line.Text, WrittenLanguage.Detect(line.Text, CultureInfo.GetCultureInfo("en")), top).Take(top).Any(h => h.Id == line.ArticleId);

    /// <summary>Each line the first answer misses, plain and learnt: what came first instead, and where its own article stood.</summary>
    private static void Misses(List<Labelled> lines, ArticleSearch untrained, List<ArticleSearch> trained, CultureInfo english)
    {
        foreach (var (name, searchOf) in new (string, Func<Labelled, ArticleSearch>)[] { ("plain", _ => untrained), ("learnt", l => trained[1 - l.Position % 2]) })
            foreach (var line in lines)
            {
                var hits = searchOf(line).Search(line.Text, WrittenLanguage.Detect(line.Text, english), 10);
                if (hits is [var first, ..] && first.Id == line.ArticleId)
                    continue;
                var rank = hits.Select((h, i) => (h, i)).FirstOrDefault(x => x.h.Id == line.ArticleId).i;
                var own = hits.Any(h => h.Id == line.ArticleId) ? (rank + 1).ToString(CultureInfo.InvariantCulture) : "-";
                Console.WriteLine($"    miss {name} {line.File} {line.ArticleId} -> {(hits.Count > 0 ? hits[0].Id : "(none)")} own#{own} words[{(hits.Count > 0 ? string.Join(',', hits[0].Words) : "")}] | {line.Text}");
            }
    }

    private static void Report(string name, List<Labelled> lines, List<string> settings, List<bool[]> hits)
    {
        var chosen = new bool[lines.Count];
        var picks = new List<int>();
        for (var fold = 0; fold < SelectionFolds; fold++)
        {
            var best = Enumerable.Range(0, settings.Count).MaxBy(s => MeanTopOne(lines, hits[s], l => l.Position % SelectionFolds != fold));
            picks.Add(best);
            foreach (var line in lines.Where(l => l.Position % SelectionFolds == fold))
                chosen[line.Index] = hits[best][line.Index];
        }
        var onAll = Enumerable.Range(0, settings.Count).MaxBy(s => MeanTopOne(lines, hits[s], _ => true));
        Console.WriteLine($"  {name}: cross-validated {Figures(lines, chosen)} (settings chosen per fold: {string.Join(", ", picks.Select(p => p + 1))})");
        Console.WriteLine($"  {name}: best on all lines, setting {onAll + 1} {settings[onAll]}: {Figures(lines, hits[onAll])}");
    }

    /// <summary>The mean over languages of top-1 on the lines <paramref name="where"/> selects (each language counts alike).</summary>
    private static double MeanTopOne(List<Labelled> lines, bool[] hits, Func<Labelled, bool> where) =>
        lines.Where(where).GroupBy(l => l.File, StringComparer.Ordinal).Average(g => g.Count(l => hits[l.Index]) / (double)g.Count());

    private static string Figures(List<Labelled> lines, bool[] hits) =>
        string.Join("  ", lines.GroupBy(l => l.File, StringComparer.Ordinal).Select(g =>
            string.Create(CultureInfo.InvariantCulture, $"{g.Key} {100.0 * g.Count(l => hits[l.Index]) / g.Count(),5:F1}")));

    private static string PhraseLanguage(string file) => file == "zh" ? "zh-Hans" : file;

    /// <summary>A phrasings file; each line numbered in the whole run and by its place among its article's lines.</summary>
    private static IEnumerable<Labelled> Load(string path, string language)
    {
        var start = LoadedSoFar;
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => l.Split('\t')).ToList();
        LoadedSoFar += lines.Count;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        return [.. lines.Select((parts, i) =>
        {
            var position = seen.GetValueOrDefault(parts[0]);
            seen[parts[0]] = position + 1;
            return new Labelled(language, start + i, parts[0], parts[1], position);
        })];
    }

    private static int LoadedSoFar;
}
