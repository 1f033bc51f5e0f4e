using Diagnostics.Cloud.Knowledge;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Knowledge;

public sealed class ArticleCategoryTests
{
    [Fact]
    public void Every_condition_has_a_category()
    {
        Assert.All(Conditions.All, condition => Assert.True(ArticleCategory.IsKnown(ArticleCategory.OfCondition(condition)), condition));
    }

    [Fact]
    public void An_article_without_a_category_gets_the_one_its_condition_codes_or_tags_imply()
    {
        Assert.Equal(ArticleCategory.Paper, ArticleFormat.Parse(SampleArticles.Text()).Article!.Category);
        // The printout's look wins over the supply behind it: faded prints are found under print quality.
        Assert.Equal(ArticleCategory.PrintQuality, ArticleFormat.Parse(SampleArticles.Text(
            conditions: "[TONER_LOW]", codes: "[]", remediation: null, tags: "[faded, pale]")).Article!.Category);
        Assert.Equal(ArticleCategory.Connection, ArticleFormat.Parse(SampleArticles.Text(
            conditions: "[]", codes: "[\"agent:unreachable-refused\"]", remediation: null, tags: "[refused]")).Article!.Category);
        Assert.Equal(ArticleCategory.Paper, ArticleFormat.Parse(SampleArticles.Text(
            conditions: "[]", codes: "[\"acme:41.3\"]", remediation: null, tags: "[\"paper size\"]")).Article!.Category);
        Assert.Equal(ArticleCategory.Other, ArticleFormat.Parse(SampleArticles.Text(
            conditions: "[]", codes: "[\"ipp:identify-printer-requested\"]", remediation: null, tags: "[identify]")).Article!.Category);
    }

    [Fact]
    public void A_category_in_the_header_wins_and_an_unknown_one_is_refused_with_the_choices()
    {
        var named = SampleArticles.Text().Replace("tags:", "category: hardware\ntags:", StringComparison.Ordinal);
        var unknown = SampleArticles.Text().Replace("tags:", "category: paperwork\ntags:", StringComparison.Ordinal);

        Assert.Equal(ArticleCategory.Hardware, ArticleFormat.Parse(named).Article!.Category);
        var error = Assert.Single(ArticleFormat.Parse(unknown).Errors);
        Assert.Contains("category: \"paperwork\" is not one of paper, supplies, print-quality", error, StringComparison.Ordinal);
    }
}
