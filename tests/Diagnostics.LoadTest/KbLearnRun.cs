using System.Globalization;
using System.Net.Http.Json;
using Diagnostics.Testing;

namespace Diagnostics.LoadTest;

/// <summary>
/// Learning measured by two-fold cross-validation on labelled phrasings (the tuning halves by default): each article's
/// lines of a file are split alternately into fold A and fold B. For each fold, against a fresh cloud with the starter
/// knowledge base: search the other fold's lines (before), propose every line of this fold as a training phrase for
/// its article through <c>POST /api/kb/articles/{id}/phrases</c> and accept it as a supervisor
/// (<c>POST /api/kb/phrases/{id}/accept</c>, the path a solved conversation's words take), then search the other fold
/// again (after). Top-1 and top-3 per language, both folds summed: no line is ever searched with its own words learnt.
/// </summary>
internal static class KbLearnRun
{
    public static async Task RunAsync(IReadOnlyList<string> files, CancellationToken ct)
    {
        if (files.Count == 0)
            files = [.. new[] { "en", "zh", "ja" }.Select(l => Path.Combine(RepositoryLayout.Root, "tests", "Diagnostics.LoadTest", "Phrasings", $"{l}.tuning.tsv"))];
        var sets = files.Select(KbSearchRun.Load).ToList();
        var folds = new[] { 0, 1 };
        var counts = sets.ToDictionary(s => s.File, _ => (Lines: 0, Before1: 0, Before3: 0, After1: 0, After3: 0));
        Console.WriteLine();
        Console.WriteLine($"kb-learn: {sets.Sum(s => s.Lines.Count)} labelled phrasings, two folds by alternate lines of each article");
        foreach (var fold in folds)
        {
            await using var cloud = await CloudProcess.StartAsync(ct, extraArguments: ["--Demo:Devices=0"]);
            var staff = await cloud.AdminHttpAsync(ct);
            var split = sets.Select(s => (s.File, s.Language, Train: Fold(s.Lines, fold), Test: Fold(s.Lines, 1 - fold))).ToList();
            var before = new Dictionary<string, (int, int)>();
            foreach (var (file, language, _, test) in split)
                before[file] = await ScoreAsync(staff, test, language, ct);
            var learnt = 0;
            foreach (var (_, language, train, _) in split)
                learnt += await LearnAsync(staff, train, language, ct);
            foreach (var (file, language, train, test) in split)
            {
                var (after1, after3) = await ScoreAsync(staff, test, language, ct);
                var (before1, before3) = before[file];
                var c = counts[file];
                counts[file] = (c.Lines + test.Count, c.Before1 + before1, c.Before3 + before3, c.After1 + after1, c.After3 + after3);
            }
            Console.WriteLine($"  fold {(fold == 0 ? 'A' : 'B')}: {learnt} phrases learnt ({cloud.BaseAddress})");
        }
        foreach (var (file, language, _) in sets)
        {
            var c = counts[file];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {language,-7} {Path.GetFileName(file),-20} {c.Lines,4} searched: top-1 {Share(c.Before1, c.Lines),7:P1} -> {Share(c.After1, c.Lines),7:P1}, top-3 {Share(c.Before3, c.Lines),7:P1} -> {Share(c.After3, c.Lines),7:P1}"));
        }
    }

    /// <summary>
    /// Held-out scoring: every line of the <paramref name="learnFiles"/> (the tuning halves) accepted as training phrases
    /// through the API, and the <paramref name="testFiles"/> (never tuned on) searched before and after, in one cloud.
    /// </summary>
    public static async Task HeldOutAsync(IReadOnlyList<string> learnFiles, IReadOnlyList<string> testFiles, CancellationToken ct)
    {
        if (testFiles.Count == 0)
            throw new ArgumentException("kb-learn --learn needs the files to score: --phrasings FILE.tsv (the held-out halves)");
        var learn = learnFiles.Select(KbSearchRun.Load).ToList();
        var tests = testFiles.Select(KbSearchRun.Load).ToList();
        await using var cloud = await CloudProcess.StartAsync(ct, extraArguments: ["--Demo:Devices=0"]);
        var staff = await cloud.AdminHttpAsync(ct);
        var before = new Dictionary<string, (int TopOne, int TopThree)>();
        foreach (var (file, language, lines) in tests)
            before[file] = await ScoreAsync(staff, lines, language, ct);
        var learnt = 0;
        foreach (var (_, language, lines) in learn)
            learnt += await LearnAsync(staff, lines, language, ct);
        Console.WriteLine();
        Console.WriteLine($"kb-learn, held out: {learnt} phrases learnt from {string.Join(", ", learnFiles.Select(Path.GetFileName))}; scored before and after");
        foreach (var (file, language, lines) in tests)
        {
            var (after1, after3) = await ScoreAsync(staff, lines, language, ct);
            var (before1, before3) = before[file];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {language,-7} {Path.GetFileName(file),-20} {lines.Count,4} searched: top-1 {Share(before1, lines.Count),7:P1} -> {Share(after1, lines.Count),7:P1}, top-3 {Share(before3, lines.Count),7:P1} -> {Share(after3, lines.Count),7:P1}"));
        }
    }

    /// <summary>Proposes each line as a training phrase for its article and accepts it as a supervisor; returns how many.</summary>
    private static async Task<int> LearnAsync(HttpClient staff, IReadOnlyList<(string ArticleId, string Phrasing)> lines, string language, CancellationToken ct)
    {
        var learnt = 0;
        foreach (var (articleId, phrasing) in lines)
        {
            using var proposed = await staff.PostAsJsonAsync($"api/kb/articles/{Uri.EscapeDataString(articleId)}/phrases", new { text = phrasing, language }, ct);
            proposed.EnsureSuccessStatusCode();
            var id = (await proposed.Content.ReadFromJsonAsync<PhraseId>(ct))!.Id;
            using var accepted = await staff.PostAsync(new Uri($"api/kb/phrases/{id}/accept", UriKind.Relative), null, ct);
            // The same words twice for one article are one phrase, accepted already.
            if (!accepted.IsSuccessStatusCode && (int)accepted.StatusCode != 409)
                throw new InvalidOperationException($"accept {id}: {(int)accepted.StatusCode} {await accepted.Content.ReadAsStringAsync(ct)}");
            learnt++;
        }
        return learnt;
    }

    private sealed record PhraseId(string Id);

    private static double Share(int count, int of) => of == 0 ? 0 : (double)count / of;

    /// <summary>Every other line of each article, starting with its first (fold 0) or its second (fold 1).</summary>
    private static List<(string ArticleId, string Phrasing)> Fold(IReadOnlyList<(string ArticleId, string Phrasing)> lines, int fold) =>
        [.. lines.GroupBy(l => l.ArticleId, StringComparer.Ordinal).SelectMany(g => g.Where((_, i) => i % 2 == fold))];

    private static async Task<(int TopOne, int TopThree)> ScoreAsync(HttpClient staff, IReadOnlyList<(string ArticleId, string Phrasing)> lines, string language, CancellationToken ct)
    {
        var (topOne, topThree) = (0, 0);
        foreach (var (expected, phrasing) in lines)
        {
            var found = await KbSearchRun.SearchAsync(staff, phrasing, language, ct);
            topOne += found is [var first, ..] && first == expected ? 1 : 0;
            topThree += found.Contains(expected) ? 1 : 0;
        }
        return (topOne, topThree);
    }
}
