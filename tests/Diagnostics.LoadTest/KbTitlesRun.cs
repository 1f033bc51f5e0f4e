using System.Diagnostics;
using System.Globalization;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Testing;

namespace Diagnostics.LoadTest;

/// <summary>
/// Finding the article a stored line quotes by its title (<see cref="ArticleWording.OfTitle"/>), in process: the starter
/// knowledge base and its translations (copied <c>--copies</c> times under other ids and titles, for a bigger base)
/// in one <see cref="ArticleIndex"/>, every article's Chinese title looked up <c>--runs</c> times for a Japanese reader.
/// The reference, in the same run and interleaved, is the lookup as it was before the index kept its titles: localize
/// every article until one's title is the quoted one. Prints the median time per lookup of both, their ratio, the cost
/// of the first lookup of a fresh index (which lists that culture's titles) and the load average.
/// </summary>
internal static class KbTitlesRun
{
    private static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-Hans");
    private static readonly CultureInfo Japanese = CultureInfo.GetCultureInfo("ja");

    public static void Run(int copies, int runs)
    {
        var folder = Path.Combine(RepositoryLayout.Root, "cloud", "knowledge-base");
        var articles = KnowledgeFolder.Articles(folder)
            .Select(f => ArticleFormat.Parse(File.ReadAllText(f.Path), f.ArticleId).Article ?? throw new InvalidOperationException($"{f.Path} does not parse"))
            .ToList();
        var translations = KnowledgeFolder.Translations(folder)
            .Select(f => TranslationFormat.Parse(File.ReadAllText(f.Path), f.ArticleId, f.Language).Translation ?? throw new InvalidOperationException($"{f.Path} does not parse"))
            .ToList();
        var allArticles = Enumerable.Range(0, copies).SelectMany(copy => articles.Select(a => copy == 0 ? a : a with { Id = $"{a.Id}-copy{copy}", Title = $"{a.Title} ({copy})" })).ToList();
        var allTranslations = Enumerable.Range(0, copies).SelectMany(copy => translations.Select(t =>
            copy == 0 ? t : t with { ArticleId = $"{t.ArticleId}-copy{copy}", Title = $"{t.Title} ({copy})" })).ToList();
        ArticleIndex NewIndex() => new(allArticles.Select(a => (a, 1)), [], allTranslations.Select(t => new PublishedTranslation(t, 1, false)));
        var index = NewIndex();
        var quoted = allArticles.Select(a => index.Localize(a, Chinese).Article.Title).ToList();

        var mapped = new List<double>();
        var scanned = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            foreach (var title in quoted)
            {
                var clock = Stopwatch.StartNew();
                var found = ArticleWording.OfTitle(index, title, Chinese, Japanese);
                mapped.Add(clock.Elapsed.TotalMicroseconds);
                clock.Restart();
                var reference = ScanAllArticles(index, title, Chinese, Japanese);
                scanned.Add(clock.Elapsed.TotalMicroseconds);
                if (found?.Title != reference?.Title)
                    throw new InvalidOperationException($"the lookups disagree on \"{title}\": {found?.Title} against {reference?.Title}");
            }
        }
        var firstLookups = new List<double>();
        for (var run = 0; run < Math.Min(runs, 20); run++)
        {
            var fresh = NewIndex();
            var clock = Stopwatch.StartNew();
            ArticleWording.OfTitle(fresh, quoted[^1], Chinese, Japanese);
            firstLookups.Add(clock.Elapsed.TotalMicroseconds);
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kb-titles: {allArticles.Count} articles, {allTranslations.Count} translations, {quoted.Count} Chinese titles x {runs} runs (load average {ProcessStats.LoadAverage()}; {Environment.ProcessorCount} cores)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  title map (OfTitle):            p50 {Percentile(mapped, 0.5),9:0.0} us  p99 {Percentile(mapped, 0.99),9:0.0} us"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  reference (localize every one): p50 {Percentile(scanned, 0.5),9:0.0} us  p99 {Percentile(scanned, 0.99),9:0.0} us"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  ratio p50 map/reference {Percentile(mapped, 0.5) / Percentile(scanned, 0.5):0.000}; a fresh index's first lookup (lists the culture's titles) p50 {Percentile(firstLookups, 0.5):0.0} us"));
    }

    /// <summary>The lookup before the index kept its titles: every article localized for each quoted line.</summary>
    private static FixWording? ScanAllArticles(ArticleIndex index, string keptTitle, CultureInfo from, CultureInfo reader)
    {
        foreach (var (article, _) in index.Articles)
        {
            if (index.Localize(article, from).Article.Title == keptTitle)
                return ArticleWording.Of(index, article.Id, keptTitle, null, reader);
        }
        return null;
    }

    private static double Percentile(List<double> values, double share)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(share * sorted.Count))];
    }
}
