using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Web.Dashboard;

public sealed class KnowledgePagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task The_article_list_shows_the_starter_articles_and_searches_what_a_customer_would_say(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        var all = await GetPageAsync(agent, "/dashboard/kb");
        var searched = await GetPageAsync(agent, "/dashboard/kb?q=the%20paper%20is%20all%20scrunched%20up%20inside");
        var byCode = await GetPageAsync(agent, "/dashboard/kb?q=acme:50.1");

        Assert.True(CountTestId(all, "article-row") >= 40);
        Assert.Equal($"{CountTestId(all, "article-row")} articles", TestIdText(all, "article-count"));
        Assert.Equal("paper-jam", Attribute(searched, "article-row", "data-article-id")[0]);
        Assert.Equal("acme-50-1-fuser-error", Attribute(byCode, "article-row", "data-article-id")[0]);
    }

    [Theory, BothEngines]
    public async Task The_article_list_shows_usage_and_success_per_article_and_sorts_by_the_chosen_order(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        var byTitle = await GetPageAsync(agent, "/dashboard/kb?sort=title");
        var byUse = await GetPageAsync(agent, "/dashboard/kb");

        var titles = TestIdTexts(byTitle, "article-title-link");
        Assert.Equal([.. titles.Order(StringComparer.CurrentCultureIgnoreCase)], titles);
        // A fresh cloud has no fix results: every article is untried, so the default order falls back to the title.
        Assert.All(TestIdTexts(byUse, "article-used"), used => Assert.Equal("0", used));
        Assert.All(TestIdTexts(byUse, "article-success"), success => Assert.Equal("not tried yet", success));
        Assert.Equal(titles, TestIdTexts(byUse, "article-title-link"));
        Assert.Contains("""<option value="title" selected>""", byTitle, StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task The_article_list_filters_by_category_model_and_code_together(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        var paper = await GetPageAsync(agent, "/dashboard/kb?category=paper");
        var quality = await GetPageAsync(agent, "/dashboard/kb?category=print-quality");
        var laserPro = await GetPageAsync(agent, "/dashboard/kb?model=Acme%20LaserPro%20400");
        var acmeCodes = await GetPageAsync(agent, "/dashboard/kb?code=ACME:");
        var oneCode = await GetPageAsync(agent, "/dashboard/kb?code=prtAlert:8&category=paper");
        var none = await GetPageAsync(agent, "/dashboard/kb?category=environment&code=acme:");

        var paperIds = Attribute(paper, "article-row", "data-article-id");
        Assert.Contains("paper-jam", paperIds);
        Assert.Contains("out-of-paper", paperIds);
        Assert.DoesNotContain("toner-low", paperIds);
        Assert.All(TestIdTexts(paper, "article-category"), name => Assert.Equal("Paper and trays", name));
        // Faded prints are a toner-low article by condition, yet found under print quality (its tags speak of the printout).
        Assert.Contains("faded-or-streaky-prints", Attribute(quality, "article-row", "data-article-id"));
        // A model: the articles limited to it and those for every model, not those for another model only.
        var laserProIds = Attribute(laserPro, "article-row", "data-article-id");
        Assert.Contains("paper-jam", laserProIds);
        Assert.Contains("acme-50-1-fuser-error", laserProIds);
        Assert.DoesNotContain("colorjet-print-head-error", laserProIds);
        // A source with its colon finds every code from it, whatever the case typed.
        var acmeIds = Attribute(acmeCodes, "article-row", "data-article-id");
        Assert.Contains("acme-50-1-fuser-error", acmeIds);
        Assert.DoesNotContain("paper-jam", acmeIds);
        Assert.Equal(["paper-jam"], Attribute(oneCode, "article-row", "data-article-id"));
        Assert.Equal(0, CountTestId(none, "article-row"));
        Assert.Contains("No article matches", TestIdText(none, "kb-no-match"), StringComparison.Ordinal);
        Assert.Contains("""<option value="paper" selected>""", paper, StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task An_article_page_shows_its_fix_steps_and_versions_and_an_unknown_one_says_so(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        var html = await GetPageAsync(agent, "/dashboard/kb/paper-jam");
        var missing = await GetPageAsync(agent, "/dashboard/kb/no-such-article");

        Assert.Equal("Paper jam", TestIdText(html, "article-title"));
        Assert.Equal("Paper and trays", TestIdText(html, "article-category"));
        Assert.Equal("published v1", TestIdText(html, "article-state"));
        Assert.Contains("ipp:media-jam", TestIdText(html, "article-codes"), StringComparison.Ordinal);
        Assert.Contains("clear-paper-path", TestIdText(html, "article-remediation"), StringComparison.Ordinal);
        Assert.True(CountTestId(html, "article-steps") == 1);
        Assert.Equal(["1"], Attribute(html, "article-version", "data-version"));
        // The starter article is by the starter set, not by the folder the build copied it to.
        Assert.Equal(["starter set"], TestIdTexts(html, "article-version-author"));
        Assert.DoesNotContain("/bin/", html, StringComparison.Ordinal);
        Assert.Contains("no-such-article", TestIdText(missing, "article-not-found"), StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task Customers_are_kept_out_of_the_knowledge_base_pages(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);

        foreach (var path in new[] { "/dashboard/kb", "/dashboard/kb/paper-jam", "/dashboard/kb/paper-jam/edit" })
        {
            using var response = await customer.GetAsync(new Uri(path, UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("/account/denied", response.RequestMessage!.RequestUri!.AbsolutePath);
        }
    }
}
