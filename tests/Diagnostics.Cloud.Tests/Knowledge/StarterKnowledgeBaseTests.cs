using System.Globalization;
using System.Reflection;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Knowledge;

/// <summary>The articles in <c>cloud/knowledge-base</c>, as they ship: all valid, and covering what devices report.</summary>
public sealed class StarterKnowledgeBaseTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "knowledge-base");

    private static List<Article> Articles()
    {
        var articles = new List<Article>();
        foreach (var file in KnowledgeFolder.Articles(Folder).Select(f => f.Path))
        {
            var parsed = ArticleFormat.Parse(File.ReadAllText(file), Path.GetFileNameWithoutExtension(file));
            Assert.True(parsed.IsValid, $"{Path.GetFileName(file)}:\n{string.Join("\n", parsed.Errors)}");
            articles.Add(parsed.Article!);
        }
        return articles;
    }

    [Fact]
    public void Every_article_reads_in_Simplified_Chinese_and_Japanese_with_its_codes_and_commands_untouched()
    {
        var articles = Articles().ToDictionary(a => a.Id);
        var translations = KnowledgeFolder.Translations(Folder).ToList();

        foreach (var file in translations)
        {
            var parsed = TranslationFormat.Parse(File.ReadAllText(file.Path), file.ArticleId, file.Language);
            Assert.True(parsed.IsValid, $"{Path.GetFileName(file.Path)}:\n{string.Join("\n", parsed.Errors)}");
            Assert.True(articles.TryGetValue(file.ArticleId, out var original), $"{Path.GetFileName(file.Path)} translates no article");
            Assert.Empty(parsed.Translation!.CheckAgainst(original));
            // Codes and command names are the same in every language; a translator keeps every backticked name.
            var names = Backticked(original.AgentNotes);
            Assert.True(names.IsSubsetOf(Backticked(parsed.Translation.AgentNotes)),
                $"{Path.GetFileName(file.Path)} lost {string.Join(", ", names.Except(Backticked(parsed.Translation.AgentNotes)))}");
        }
        foreach (var language in new[] { "zh-Hans", "ja" })
            Assert.Empty(articles.Keys.Where(id => !translations.Any(t => t.ArticleId == id && t.Language == language)).Order(StringComparer.Ordinal));
    }

    private static HashSet<string> Backticked(IEnumerable<string> lines) =>
        [.. lines.SelectMany(l => System.Text.RegularExpressions.Regex.Matches(l, "`([^`]+)`").Select(m => m.Groups[1].Value))];

    [Fact]
    public void Has_at_least_forty_valid_articles_and_every_normalized_condition_has_one()
    {
        var articles = Articles();

        Assert.True(articles.Count >= 40, $"{articles.Count} articles");
        var covered = articles.SelectMany(a => a.Applies.Conditions.Concat(a.Remediation?.VerifyClears is { } c ? [c] : [])).ToHashSet();
        Assert.Empty(Conditions.All.Where(c => !covered.Contains(c)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_printer_state_reason_the_agent_understands_has_an_article()
    {
        // The agent's own table of RFC 8011 keywords (device/Diagnostics.Agent/Collectors/Ipp/IppConditions.cs).
        var table = typeof(Agent.Collectors.Ipp.IppConditions).GetFields(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetValue(null)).OfType<IReadOnlyDictionary<string, string>>().Single();
        var codes = Articles().SelectMany(a => a.Applies.Codes).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.Empty(table.Keys.Select(k => "ipp:" + k).Where(code => !codes.Contains(code)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_cause_the_agent_gives_for_an_unreachable_device_has_an_article_of_its_own()
    {
        var index = new ArticleIndex(Articles().Select(a => (a, 1)), []);

        // The classes agents report (Protocol's UnreachableCauses), as the telemetry pump codes them.
        foreach (var cause in UnreachableCauses.All)
        {
            var code = UnreachableCauses.CodeOf(cause);
            var best = index.Match(new ProblemQuery(code, Conditions.DeviceUnreachable))[0];
            Assert.True(best.Kind == MatchKind.Code, $"{code} matched {best.Article.Id} by {best.Kind}");
            // The generic article only for a cause no collector named; every named cause has a more precise one.
            Assert.Equal(cause == UnreachableCauses.Other, best.Article.Id == "printer-unreachable");
        }
    }

    [Fact]
    public void No_code_belongs_to_two_articles_and_every_fix_says_what_it_does()
    {
        var articles = Articles();

        var shared = articles.SelectMany(a => a.Applies.Codes.Select(c => (Code: c.ToLowerInvariant(), a.Id)))
            .GroupBy(x => x.Code).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => x.Id))}");
        Assert.Empty(shared);
        Assert.True(articles.Count(a => a.Remediation is not null) >= 8);
        Assert.All(articles.Where(a => a.Remediation is not null), a => Assert.True(a.Remediation!.Describe.Length >= 30, a.Id));
    }

    [Fact]
    public void A_simulated_printer_problem_finds_its_article()
    {
        var index = new ArticleIndex(Articles().Select(a => (a, 1)), []);

        foreach (var (code, condition, expected) in new[]
        {
            ("ipp:media-jam", Conditions.PaperJam, "paper-jam"),
            ("ipp:media-empty", Conditions.OutOfPaper, "out-of-paper"),
            ("ipp:toner-empty", Conditions.TonerEmpty, "toner-empty"),
            ("ipp:door-open", Conditions.DoorOpen, "door-open"),
            ("acme:50.1", Conditions.FuserFault, "acme-50-1-fuser-error"),
        })
        {
            var best = index.Match(new ProblemQuery(code, condition, "Acme LaserPro 500", "2.1.0"))[0];
            Assert.Equal((expected, MatchKind.Code), (best.Article.Id, best.Kind));
        }
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{DeviceCommands.ClearPaperPath}"),
            index.Match(new ProblemQuery("ipp:media-jam", Conditions.PaperJam))[0].Article.Remediation!.Command);
    }
}
