using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Diagnostics.Cloud.Knowledge;

namespace Diagnostics.Benchmarks;

/// <summary>
/// A knowledge base of any size for measuring matching: the starter articles (shipped beside the cloud) as they are,
/// then variants of them for other vendors' models, codes and firmware ranges, as a maker with many product lines
/// would have. Seeded, so every run builds the same one.
/// </summary>
internal static class SyntheticKnowledge
{
    public const int Vendors = 50;
    public const int ModelsPerVendor = 8;

    public static IReadOnlyList<Article> Starter()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "knowledge-base");
        var articles = new List<Article>();
        foreach (var file in KnowledgeFolder.Articles(folder).Select(f => f.Path))
        {
            var parsed = ArticleFormat.Parse(File.ReadAllText(file), Path.GetFileNameWithoutExtension(file));
            articles.Add(parsed.Article ?? throw new InvalidOperationException($"{file}: {string.Join("; ", parsed.Errors)}"));
        }
        return articles;
    }

    public static ArticleIndex Index(int size, IReadOnlyList<Article> starter)
    {
        var random = new Random(42);
        var articles = new List<(Article, int)>(size);
        articles.AddRange(starter.Take(size).Select(a => (a, 1)));
        while (articles.Count < size)
        {
            var template = starter[random.Next(starter.Count)];
            var vendor = random.Next(Vendors);
            var models = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Model(vendor, random.Next(ModelsPerVendor))).Distinct().ToList();
            var major = random.Next(1, 6);
            var firmware = random.Next(3) == 0 ? "" : $">={major}.0 <{major + 1}.0";
            if (!FirmwareRange.TryParse(firmware, out var range, out var error))
                throw new InvalidOperationException(error);
            var variant = template with
            {
                Id = $"{template.Id}-v{articles.Count}",
                Title = $"{template.Title} on {models[0]}",
                Applies = new Applicability(
                    [.. template.Applies.Codes, PanelCode(vendor, random)],
                    template.Applies.Conditions,
                    models,
                    range),
            };
            articles.Add((variant, 1));
        }
        return new ArticleIndex(articles, []);
    }

    public static string Model(int vendor, int model) => $"Vendor{vendor} Model {model}";

    public static string PanelCode(int vendor, Random random) =>
        string.Create(CultureInfo.InvariantCulture, $"vendor{vendor}:{random.Next(10, 99)}.{random.Next(0, 20)}");

    /// <summary>Problems as devices report them: a standard code and its condition, or a vendor panel code, on some model and firmware.</summary>
    public static IReadOnlyList<ProblemQuery> Problems(int count, IReadOnlyList<Article> starter)
    {
        var random = new Random(7);
        var codes = starter.SelectMany(a => a.Applies.Codes.Select(c => (Code: c, Condition: a.Applies.Conditions.Count > 0 ? a.Applies.Conditions[0] : ""))).ToList();
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            var vendor = random.Next(Vendors);
            var (code, condition) = codes[random.Next(codes.Count)];
            if (random.Next(4) == 0)
                code = PanelCode(vendor, random);
            return new ProblemQuery(code, condition, Model(vendor, random.Next(ModelsPerVendor)), $"{random.Next(1, 6)}.{random.Next(0, 9)}.0");
        })];
    }
}

/// <summary>Mean cost and allocations of matching one event, and of one free-text search, against knowledge bases of growing size.</summary>
[MemoryDiagnoser]
public class KnowledgeMatchingBenchmarks
{
    private ArticleIndex _index = null!;
    private IReadOnlyList<ProblemQuery> _problems = null!;
    private int _next;

    [Params(45, 1_000, 10_000)]
    public int Articles { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var starter = SyntheticKnowledge.Starter();
        _index = SyntheticKnowledge.Index(Articles, starter);
        _problems = SyntheticKnowledge.Problems(1_000, starter);
    }

    [Benchmark]
    public int MatchEvent() => _index.Match(_problems[_next++ % _problems.Count]).Count;

    [Benchmark]
    public int SearchText() => _index.Search("the paper is all scrunched up inside and it wont print", limit: 5).Count;
}

/// <summary>
/// Latency of matching one event at a time, p50 and p99 over many events, with the starter knowledge base as the
/// reference measured in the same run: <c>dotnet run -c Release --project tests/Diagnostics.Benchmarks -- kb-latency</c>.
/// </summary>
internal static class KnowledgeLatencyRun
{
    public static void Run(int articles, int events)
    {
        var starter = SyntheticKnowledge.Starter();
        var problems = SyntheticKnowledge.Problems(events, starter);
        var phrasings = new[]
        {
            "the paper is all scrunched up inside", "printouts are really pale", "error 50.1 on the screen", "it says the lid is open",
            "printer is offline again", "jobs stuck in the queue", "tray is empty but I filled it", "toner cartrige not recognised",
        };
        var reference = Measure(SyntheticKnowledge.Index(starter.Count, starter), problems, phrasings);
        var building = Stopwatch.StartNew();
        var large = SyntheticKnowledge.Index(articles, starter);
        var buildSeconds = building.Elapsed.TotalSeconds;
        var measured = Measure(large, problems, phrasings);

        Console.WriteLine($"kb-latency: {events:N0} events and {events:N0} free-text questions, one at a time, after a warm-up (microseconds)");
        Console.WriteLine($"  {"knowledge base",-22} {"match p50",10} {"match p99",10} {"search p50",11} {"search p99",11}");
        Console.WriteLine($"  {starter.Count + " articles (reference)",-22} {reference.MatchP50,10:N1} {reference.MatchP99,10:N1} {reference.SearchP50,11:N1} {reference.SearchP99,11:N1}");
        Console.WriteLine($"  {articles.ToString("N0", CultureInfo.InvariantCulture) + " articles",-22} {measured.MatchP50,10:N1} {measured.MatchP99,10:N1} {measured.SearchP50,11:N1} {measured.SearchP99,11:N1}");
        Console.WriteLine($"  {"ratio",-22} {measured.MatchP50 / reference.MatchP50,9:N1}x {measured.MatchP99 / reference.MatchP99,9:N1}x {measured.SearchP50 / reference.SearchP50,10:N1}x {measured.SearchP99 / reference.SearchP99,10:N1}x");
        Console.WriteLine($"  building the index of {articles:N0} articles took {buildSeconds:N2} s");
    }

    private static (double MatchP50, double MatchP99, double SearchP50, double SearchP99) Measure(ArticleIndex index, IReadOnlyList<ProblemQuery> problems, string[] phrasings)
    {
        foreach (var problem in problems.Take(500))
            index.Match(problem);
        foreach (var phrasing in phrasings)
            index.Search(phrasing);
        var match = new List<double>(problems.Count);
        var search = new List<double>(problems.Count);
        for (var i = 0; i < problems.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            index.Match(problems[i]);
            match.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            started = Stopwatch.GetTimestamp();
            index.Search(phrasings[i % phrasings.Length]);
            search.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }
        return (Percentile(match, 50), Percentile(match, 99), Percentile(search, 50), Percentile(search, 99));
    }

    private static double Percentile(List<double> samples, int percent)
    {
        var sorted = samples.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
