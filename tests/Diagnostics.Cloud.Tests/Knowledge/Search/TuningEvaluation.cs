using System.Globalization;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Knowledge.Search;

namespace Diagnostics.Cloud.Tests.Knowledge.Search;

public sealed class TuningEvaluation
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

    [Fact]
    public void Baseline()
    {
        var folder = Path.Combine(Root, "cloud", "knowledge-base");
        var articles = KnowledgeFolder.Articles(folder).Select(f => ArticleFormat.Parse(File.ReadAllText(f.Path)).Article!).ToList();
        var translations = KnowledgeFolder.Translations(folder).Select(f => TranslationFormat.Parse(File.ReadAllText(f.Path)).Translation!).ToList();
        var old = TextIndex.Build(articles.Select(a => (a.Id, OldFields(a))));
        var search = ArticleSearch.Build(articles, translations, []);
        foreach (var lang in new[] { "en", "zh", "ja" })
        {
            var lines = File.ReadAllLines(Path.Combine(Root, "tests", "Diagnostics.LoadTest", "Phrasings", $"{lang}.tuning.tsv")).Where(l => l.Length > 0).Select(l => l.Split('\t')).ToList();
            int o1 = 0, n1 = 0, n3 = 0;
            var misses = new List<string>();
            foreach (var parts in lines)
            {
                var expected = parts[0];
                if (old.Search(parts[1], 3) is [var first, ..] && first.Id == expected) o1++;
                var found = search.Search(parts[1], WrittenLanguage.Detect(parts[1], CultureInfo.GetCultureInfo("en")), 3).Select(h => h.Id).ToList();
                if (found.Count > 0 && found[0] == expected) n1++;
                if (found.Contains(expected)) n3++;
                if (found.Count == 0 || found[0] != expected) misses.Add($"{expected} <- {parts[1]} => {string.Join(",", found)}");
            }
            TestContext.Current.TestOutputHelper!.WriteLine($"{lang}: {lines.Count} old top1 {(double)o1 / lines.Count:P1}; lucene top1 {(double)n1 / lines.Count:P1} top3 {(double)n3 / lines.Count:P1}");
            foreach (var m in misses) TestContext.Current.TestOutputHelper!.WriteLine("   " + m);
        }
    }

    [Fact]
    public void Sweep()
    {
        var folder = Path.Combine(Root, "cloud", "knowledge-base");
        var articles = KnowledgeFolder.Articles(folder).Select(f => ArticleFormat.Parse(File.ReadAllText(f.Path)).Article!).ToList();
        var translations = KnowledgeFolder.Translations(folder).Select(f => TranslationFormat.Parse(File.ReadAllText(f.Path)).Translation!).ToList();
        var sets = new[] { "en", "zh", "ja" }.ToDictionary(l => l, l => File.ReadAllLines(Path.Combine(Root, "tests", "Diagnostics.LoadTest", "Phrasings", $"{l}.tuning.tsv")).Where(x => x.Length > 0).Select(x => x.Split('\t')).ToList());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ArticleSearch.Build(articles, translations, []);
        TestContext.Current.TestOutputHelper!.WriteLine($"build {clock.ElapsedMilliseconds} ms");
        var variants = new List<(string, SearchWeights)>();
        foreach (var c in (Environment.GetEnvironmentVariable("CO") ?? "0").Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)))
        foreach (var pr in (Environment.GetEnvironmentVariable("PR") ?? "0").Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)))
            variants.Add(($"c{c} pr{pr}", new SearchWeights { Grams = 1, Coordination = c, Pairs = pr }));
        var extra = File.ReadAllLines(Path.Combine(Root, "tests", "Diagnostics.Cloud.Tests", "Knowledge", "phrasings.tsv")).Skip(1).Where(x => x.Length > 0).Select(x => x.Split('\t')).Select(p => new[] { p[1], p[0] }).ToList();
        sets["old-en"] = extra;
        var phraseWeights = (Environment.GetEnvironmentVariable("PW") ?? "1.5").Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToList();
        foreach (var (name, w0) in variants)
        foreach (var pw in phraseWeights)
        {
            var w = w0 with { Phrase = pw };
            var search = ArticleSearch.Build(articles, translations, [], w);
            var line = name + $" p{pw}";
            foreach (var (lang, lines) in sets)
            {
                var ok = lines.Count(p => search.Search(p[1], WrittenLanguage.Detect(p[1], CultureInfo.GetCultureInfo("en")), 1) is [var h] && h.Id == p[0]);
                // Two-fold cross-validation on the tuning set: train on alternate lines of each article, test on the others.
                var halves = lines.GroupBy(p => p[0]).SelectMany(g => g.Select((p, i) => (p, Fold: i % 2))).ToList();
                int cv1 = 0, cv3 = 0;
                for (var fold = 0; fold < 2; fold++)
                {
                    var train = halves.Where(h => h.Fold != fold).Select(h => new SearchPhrase(h.p[0], WrittenLanguage.Detect(h.p[1], CultureInfo.GetCultureInfo("en")).Name, h.p[1])).ToList();
                    var trained = ArticleSearch.Build(articles, translations, train, w);
                    foreach (var (p, _) in halves.Where(h => h.Fold == fold))
                    {
                        var found = trained.Search(p[1], WrittenLanguage.Detect(p[1], CultureInfo.GetCultureInfo("en")), 3).Select(x => x.Id).ToList();
                        if (found.Count > 0 && found[0] == p[0]) cv1++;
                        if (found.Contains(p[0])) cv3++;
                    }
                }
                line += $"  {lang} {(double)ok / lines.Count:P1} cv {(double)cv1 / lines.Count:P1}/{(double)cv3 / lines.Count:P1}";
            }
            TestContext.Current.TestOutputHelper!.WriteLine(line);
        }
    }

    private static IEnumerable<(string Text, double Weight)> OldFields(Article article)
    {
        yield return (article.Title, 3);
        yield return (article.Summary, 2);
        yield return (string.Join(' ', article.Tags), 2);
        foreach (var symptom in article.Symptoms)
            yield return (symptom, 1.5);
        foreach (var step in article.CustomerSteps)
            yield return (step, 0.5);
        yield return (string.Join(' ', article.Applies.Codes.Select(c => c[(c.IndexOf(':', StringComparison.Ordinal) + 1)..])), 2);
    }
}
