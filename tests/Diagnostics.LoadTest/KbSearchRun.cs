using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Diagnostics.Testing;

namespace Diagnostics.LoadTest;

/// <summary>
/// Knowledge search on labelled phrasings (<c>article-id TAB phrasing</c>, UTF-8, one file per language named
/// <c>en.*.tsv</c>, <c>zh.*.tsv</c>, <c>ja.*.tsv</c>; see Phrasings/README.md), against a real cloud process with the
/// starter knowledge base: each phrasing goes to <c>GET /api/kb/search</c> as a staff member whose browser asks for the
/// file's language (the search reads the language from the script first, as for a customer), and counts when the
/// labelled article is first (top-1) or among the first three (top-3). Then latency: every phrasing searched
/// <c>--runs</c> times, interleaved with the same number of <c>GET /api/kb/match?code=</c> lookups (the same
/// sign-in, routing and JSON, no text analysis) as the reference; p50/p99 of both and their ratio.
/// </summary>
internal static class KbSearchRun
{
    public static async Task RunAsync(IReadOnlyList<string> files, int runs, CancellationToken ct)
    {
        if (files.Count == 0)
            files = [.. new[] { "en", "zh", "ja" }.Select(l => Path.Combine(RepositoryLayout.Root, "tests", "Diagnostics.LoadTest", "Phrasings", $"{l}.tuning.tsv"))];
        var sets = files.Select(Load).ToList();
        await using var cloud = await CloudProcess.StartAsync(ct, extraArguments: ["--Demo:Devices=0"]);
        var staff = await cloud.AdminHttpAsync(ct);

        Console.WriteLine();
        Console.WriteLine($"kb-search: {sets.Sum(s => s.Lines.Count)} labelled phrasings against the starter knowledge base ({cloud.BaseAddress})");
        var timed = new List<(string Question, string Language)>();
        foreach (var (file, language, lines) in sets)
        {
            var (topOne, topThree) = (0, 0);
            var misses = new List<string>();
            foreach (var (expected, phrasing) in lines)
            {
                var found = await SearchAsync(staff, phrasing, language, ct);
                topOne += found is [var first, ..] && first == expected ? 1 : 0;
                topThree += found.Contains(expected) ? 1 : 0;
                if (found is not [var top, ..] || top != expected)
                    misses.Add($"    {expected} <- \"{phrasing}\" got {string.Join(", ", found)}");
                timed.Add((phrasing, language));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {language,-7} {Path.GetFileName(file),-20} {lines.Count,4} phrasings: top-1 {(double)topOne / lines.Count,7:P1} ({topOne}), top-3 {(double)topThree / lines.Count,7:P1} ({topThree})"));
            if (Environment.GetEnvironmentVariable("KB_SEARCH_MISSES") == "1")
                misses.ForEach(Console.WriteLine);
        }

        var search = new List<double>();
        var reference = new List<double>();
        var codes = new[] { "50.1", "13.20", "ipp:media-jam", "10.00", "41.3" };
        for (var run = 0; run < runs; run++)
        {
            for (var i = 0; i < timed.Count; i++)
            {
                var clock = Stopwatch.StartNew();
                await SearchAsync(staff, timed[i].Question, timed[i].Language, ct);
                search.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                using var match = await staff.GetAsync(new Uri($"api/kb/match?code={Uri.EscapeDataString(codes[i % codes.Length])}&limit=3", UriKind.Relative), ct);
                match.EnsureSuccessStatusCode();
                await match.Content.ReadAsByteArrayAsync(ct);
                reference.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        search.Sort();
        reference.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  latency over HTTP, {search.Count} searches ({runs} runs) interleaved with as many code lookups (reference), load average {ProcessStats.LoadAverage()}:"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    search  p50 {Percentile(search, 0.50),7:N2} ms, p99 {Percentile(search, 0.99),7:N2} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    lookup  p50 {Percentile(reference, 0.50),7:N2} ms, p99 {Percentile(reference, 0.99),7:N2} ms (reference)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    ratio   p50 {Percentile(search, 0.50) / Percentile(reference, 0.50),7:N2}x,   p99 {Percentile(search, 0.99) / Percentile(reference, 0.99),7:N2}x"));
    }

    /// <summary>A phrasings file: its language from the name's first part (<c>zh.heldout.tsv</c> is Chinese), its labelled lines.</summary>
    internal static (string File, string Language, IReadOnlyList<(string ArticleId, string Phrasing)> Lines) Load(string file)
    {
        if (!File.Exists(file))
            throw new FileNotFoundException($"No phrasings file {file}", file);
        var lines = new List<(string, string)>();
        foreach (var (line, number) in File.ReadAllLines(file).Select((l, i) => (l, i + 1)))
        {
            if (line.Length == 0)
                continue;
            var parts = line.Split('\t');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Trim().Length == 0)
                throw new FormatException($"{file}:{number}: expected article-id<TAB>phrasing, got \"{line}\"");
            lines.Add((parts[0], parts[1]));
        }
        var language = Path.GetFileName(file).Split('.')[0] switch
        {
            "zh" => "zh-Hans",
            var other => other,
        };
        return (file, language, lines);
    }

    internal static async Task<List<string>> SearchAsync(HttpClient staff, string question, string language, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"api/kb/search?q={Uri.EscapeDataString(question)}&limit=3", UriKind.Relative));
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        using var response = await staff.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"GET api/kb/search: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        return [.. json.RootElement.EnumerateArray().Select(m => m.GetProperty("articleId").GetString()!)];
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
