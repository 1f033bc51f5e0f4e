using Diagnostics.Cloud.Knowledge;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Knowledge;

public sealed class ArticleIndexTests
{
    private static Article Parse(string text) => ArticleFormat.Parse(text).Article ?? throw new InvalidOperationException(string.Join("\n", ArticleFormat.Parse(text).Errors));

    private static readonly Article GenericJam = Parse(SampleArticles.Text(id: "paper-jam", codes: "[\"ipp:media-jam\"]", conditions: "[PAPER_JAM]"));
    private static readonly Article DuplexJam = Parse(SampleArticles.Text(id: "acme-duplex-jam", title: "Jam in the duplex unit", codes: "[\"acme:13.20\"]", conditions: "[PAPER_JAM]", models: "[Acme LaserPro 500]"));
    private static readonly Article OldFirmwareJam = Parse(SampleArticles.Text(id: "jam-old-firmware", title: "Jam after a firmware bug", codes: "[\"ipp:media-jam\"]", conditions: "[]", firmware: "\"<2.0\""));
    private static readonly Article TonerLow = Parse(SampleArticles.Text(id: "toner-low", title: "Toner low", codes: "[\"ipp:toner-low\"]", conditions: "[TONER_LOW]", remediation: null,
        tags: "[faded, pale, light]", symptoms: "- Prints look faded and pale."));

    private static ArticleIndex Index(params ArticleOutcomes[] outcomes) =>
        new([(GenericJam, 1), (DuplexJam, 1), (OldFirmwareJam, 1), (TonerLow, 1)], outcomes);

    [Fact]
    public void Exact_code_goes_before_the_same_condition_and_says_why()
    {
        var matches = Index().Match(new ProblemQuery("acme:13.20", Conditions.PaperJam, "Acme LaserPro 500", "2.1.0"));

        Assert.Equal(["acme-duplex-jam", "paper-jam"], matches.Select(m => m.Article.Id));
        Assert.Equal([MatchKind.Code, MatchKind.Condition], matches.Select(m => m.Kind));
        Assert.Contains("exact code: reported code acme:13.20", matches[0].Reasons);
        Assert.Contains("written for Acme LaserPro 500", matches[0].Reasons);
        Assert.Contains("no results yet (rate starts at 0.50)", matches[0].Reasons);
        Assert.Equal(0.5, matches[0].SuccessRate);
    }

    [Fact]
    public void Articles_for_other_models_or_firmware_are_left_out()
    {
        var otherModel = Index().Match(new ProblemQuery("acme:13.20", Conditions.PaperJam, "Acme ColorJet 220", "2.1.0"));
        var oldFirmware = Index().Match(new ProblemQuery("ipp:media-jam", Conditions.PaperJam, "Acme ColorJet 220", "1.4"));
        var unknownFirmware = Index().Match(new ProblemQuery("ipp:media-jam", Conditions.PaperJam, "Acme ColorJet 220", ""));

        Assert.Equal(["paper-jam"], otherModel.Select(m => m.Article.Id));
        Assert.Equal(["jam-old-firmware", "paper-jam"], oldFirmware.Select(m => m.Article.Id).Order(StringComparer.Ordinal));
        Assert.Contains("firmware 1.4 is in <2.0", oldFirmware.Single(m => m.Article.Id == "jam-old-firmware").Reasons);
        Assert.Equal(["paper-jam"], unknownFirmware.Select(m => m.Article.Id));
    }

    [Fact]
    public void Within_a_tier_the_article_that_works_on_this_model_ranks_first_and_a_new_one_is_not_buried()
    {
        var fresh = Index().Match(new ProblemQuery("ipp:media-jam", Conditions.PaperJam, "Acme ColorJet 220", "1.0"));
        // The generic article failed four times on this model; the firmware-specific one has no results yet.
        var afterFailures = Index(new ArticleOutcomes("paper-jam", "Acme ColorJet 220", Verified: 0, Failed: 4))
            .Match(new ProblemQuery("ipp:media-jam", Conditions.PaperJam, "Acme ColorJet 220", "1.0"));
        var afterSuccesses = Index(new ArticleOutcomes("paper-jam", "Acme ColorJet 220", Verified: 9, Failed: 1))
            .Match(new ProblemQuery("ipp:media-jam", Conditions.PaperJam, "Acme ColorJet 220", "1.0"));

        Assert.Equal("jam-old-firmware", afterFailures[0].Article.Id);
        Assert.True(afterFailures[1].SuccessRate < 0.5);
        Assert.Equal("paper-jam", afterSuccesses[0].Article.Id);
        Assert.True(afterSuccesses[0].SuccessRate > fresh.Single(m => m.Article.Id == "paper-jam").SuccessRate);
        Assert.Contains(afterSuccesses[0].Reasons, r => r.StartsWith("fixed 9 of 10 times on Acme ColorJet 220", StringComparison.Ordinal));
    }

    [Fact]
    public void Results_per_article_add_up_tries_and_verified_fixes_over_every_model()
    {
        var index = Index(new ArticleOutcomes("paper-jam", "Acme LaserPro 400", Verified: 7, Failed: 1), new ArticleOutcomes("paper-jam", "Acme ColorJet 220", Verified: 2, Failed: 2));

        Assert.Equal((12L, 9L), index.Results("paper-jam"));
        Assert.Equal((0L, 0L), index.Results("jam-old-firmware"));
    }

    [Fact]
    public void Results_on_other_models_inform_a_model_without_any()
    {
        var index = Index(new ArticleOutcomes("paper-jam", "Acme LaserPro 400", Verified: 20, Failed: 0));

        var match = index.Match(new ProblemQuery("ipp:media-jam", null, "Acme ColorJet 220", "2.5")).Single();

        Assert.True(match.SuccessRate > 0.8, $"rate {match.SuccessRate}");
        Assert.Contains(match.Reasons, r => r.StartsWith("no results on Acme ColorJet 220 yet; 20 of 20 on all models", StringComparison.Ordinal));
    }

    [Fact]
    public void Free_text_finds_the_article_and_the_device_context_lifts_its_active_problem()
    {
        var index = Index();
        var jammedDevice = new DeviceContext("Acme LaserPro 500", "2.1.0", [new DeviceProblem("ipp:media-jam", Conditions.PaperJam, Severity.Error)]);

        var words = index.Search("my prints are pale", limit: 3);
        var vague = index.Search("it does not work", jammedDevice, limit: 3);

        Assert.Equal("toner-low", words[0].Article.Id);
        Assert.Equal(MatchKind.Text, words[0].Kind);
        Assert.Equal("paper-jam", vague[0].Article.Id);
        Assert.Contains("the device reports it now; the words did not mention it", vague[0].Reasons);
    }
}
