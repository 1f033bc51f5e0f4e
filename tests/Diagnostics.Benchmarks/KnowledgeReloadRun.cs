using System.Diagnostics;
using System.Globalization;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Knowledge.Search;
using Diagnostics.Testing;

namespace Diagnostics.Benchmarks;

/// <summary>
/// What <c>KnowledgeBase.ReloadAsync</c> rebuilds after every publication (the <see cref="ArticleIndex"/> of every
/// published article, its translations and the accepted training phrases, in every language), built with the shipped
/// per-language equivalence lists (A, what the cloud does) and without any (B), alternating A and B with the order
/// reversed every other round so a change of load on the machine falls on both. Then the cost of one question's search
/// with and without them, where the lists are read. Also what recording a fix's outcome costs now that the index keeps
/// its text search, against the full rebuild it used to be. Reads the starter articles and their translations from
/// cloud/knowledge-base and the tuning phrasings (tests/Diagnostics.LoadTest/Phrasings) as accepted phrases.
/// </summary>
internal static class KnowledgeReloadRun
{
    private static readonly string[] PhrasingFiles = ["en", "zh", "ja"];

    public static void Run(int rounds)
    {
        var root = RepositoryLayout.Root;
        var folder = Path.Combine(root, "cloud", "knowledge-base");
        var articles = KnowledgeFolder.Articles(folder).Select(f => (ArticleFormat.Parse(File.ReadAllText(f.Path)).Article!, 1)).ToList();
        var translations = KnowledgeFolder.Translations(folder).Select(f => new PublishedTranslation(TranslationFormat.Parse(File.ReadAllText(f.Path)).Translation!, 1, false)).ToList();
        var questions = PhrasingFiles.SelectMany(file => File.ReadAllLines(Path.Combine(root, "tests", "Diagnostics.LoadTest", "Phrasings", $"{file}.tuning.tsv"))
            .Where(l => l.Length > 0).Select(l => l.Split('\t')).Select(parts => new SearchPhrase(parts[0], file == "zh" ? "zh-Hans" : file, parts[1]))).ToList();
        var starter = Equivalences.Starter;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kb-reload: {articles.Count} articles, {translations.Count} translations, {questions.Count} accepted phrases, equivalences for {string.Join(", ", starter.Languages)}; {rounds} rounds, A/B alternating (ms)"));

        foreach (var (name, phrases) in new (string, IReadOnlyList<SearchPhrase>)[] { ("no accepted phrases", []), ($"{questions.Count} accepted phrases", questions) })
        {
            ArticleIndex WithLists() => new(articles, [], translations, phrases);
            ArticleIndex WithoutLists() => new(articles, [], translations, phrases,
                ArticleSearch.Build(articles.Select(a => a.Item1), translations.Select(t => t.Translation), phrases, equivalences: Equivalences.None));
            Report($"rebuild, {name}", Alternate(rounds, () => WithLists(), () => WithoutLists()));
        }

        // Recording a fix's outcome: the index with the new outcomes and its text search kept (A, what the cloud does)
        // against building it all again (B, what it did before), with every accepted phrase.
        var outcomes = new[] { new ArticleOutcomes(articles[0].Item1.Id, "Acme LaserPro 500", 1, 0) };
        var current = new ArticleIndex(articles, [], translations, questions);
        Report("record an outcome: keep search vs rebuild", Alternate(rounds,
            () => current.WithOutcomes(outcomes), () => _ = new ArticleIndex(articles, outcomes, translations, questions)),
            "A keep search", "B rebuild");

        var english = CultureInfo.GetCultureInfo("en");
        var withLists = ArticleSearch.Build(articles.Select(a => a.Item1), translations.Select(t => t.Translation), [], equivalences: starter);
        var withoutLists = ArticleSearch.Build(articles.Select(a => a.Item1), translations.Select(t => t.Translation), [], equivalences: Equivalences.None);
        void SearchAll(ArticleSearch search)
        {
            foreach (var question in questions)
                search.Search(question.Text, WrittenLanguage.Detect(question.Text, english), 3);
        }
        Report($"search all {questions.Count} phrasings once", Alternate(rounds, () => SearchAll(withLists), () => SearchAll(withoutLists)));
    }

    /// <summary>Times A and B once per round each, after two warm-up calls of each; the order flips every round.</summary>
    private static (List<double> A, List<double> B) Alternate(int rounds, Action a, Action b)
    {
        for (var i = 0; i < 2; i++)
        {
            a();
            b();
        }
        var timesA = new List<double>();
        var timesB = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (action, times) in round % 2 == 0 ? [(a, timesA), (b, timesB)] : new[] { (b, timesB), (a, timesA) })
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var watch = Stopwatch.StartNew();
                action();
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        return (timesA, timesB);
    }

    private static void Report(string what, (List<double> A, List<double> B) times, string a = "A with lists", string b = "B without")
    {
        var ratios = times.A.Zip(times.B, (timeA, timeB) => timeA / timeB).Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {what,-40} {a}: median {Median(times.A),8:F1} (range {times.A.Min():F1}–{times.A.Max():F1})   "
            + $"{b}: median {Median(times.B),8:F1} (range {times.B.Min():F1}–{times.B.Max():F1})   "
            + $"A/B per round: median {Median(ratios):F2} (range {ratios[0]:F2}–{ratios[^1]:F2})"));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
