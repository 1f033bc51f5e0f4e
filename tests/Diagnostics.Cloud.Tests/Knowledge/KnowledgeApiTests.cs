using System.Net;
using System.Net.Http.Json;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Diagnostics.Cloud.Tests.Knowledge;

public sealed class KnowledgeApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A host with an empty knowledge base, so each test sees only the articles it imports.</summary>
    internal static CloudHost EmptyKnowledgeHost(StorageProvider engine = StorageProvider.Sqlite) => new(settings: new Dictionary<string, string?> { ["Knowledge:ImportOnStart"] = "false" }, engine: engine);

    internal static async Task<ImportReport> ImportAsync(HttpClient client, params string[] articles)
    {
        using var response = await client.PostAsJsonAsync("/api/kb/import", new { articles }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadJsonAsync<ImportReport>())!;
    }

    [Theory, BothEngines]
    public async Task The_starter_knowledge_base_is_imported_at_start_and_matches_a_jam(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        var articles = await agent.GetJsonAsync<List<ArticleListItem>>("/api/kb/articles");
        var matches = await agent.GetJsonAsync<List<MatchView>>("/api/kb/match?code=ipp:media-jam&condition=PAPER_JAM&model=Acme%20LaserPro%20500&firmware=2.1.0");

        Assert.True(articles.Count >= 40, $"{articles.Count} articles");
        Assert.All(articles, a => Assert.Equal(1, a.PublishedVersion));
        Assert.Equal(MatchKind.Code, matches[0].Kind);
        Assert.Contains(matches[0].Reasons, r => r == "exact code: reported code ipp:media-jam");
        Assert.True(host.Logged(600, "0 refused"), "the starter articles all import");
    }

    [Theory, BothEngines]
    public async Task Import_stores_a_version_only_when_the_text_changed_and_refuses_bad_articles_without_storing_them(StorageProvider engine)
    {
        await using var host = EmptyKnowledgeHost(engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);

        var first = await ImportAsync(supervisor, SampleArticles.Text(), SampleArticles.Text(id: "broken", conditions: "[NOT_A_CONDITION]"));
        var again = await ImportAsync(supervisor, SampleArticles.Text());
        var changed = await ImportAsync(supervisor, SampleArticles.Text(title: "Paper jam (any tray)"));

        Assert.Equal((1, 1), (first.Created, first.Refused));
        Assert.Contains(first.Articles[1].Errors, e => e.Contains("NOT_A_CONDITION", StringComparison.Ordinal));
        Assert.Equal(1, again.Unchanged);
        Assert.Equal(2, Assert.Single(changed.Articles).Version);
        var history = await supervisor.GetJsonAsync<List<ArticleVersionView>>("/api/kb/articles/paper-jam/history");
        Assert.Equal([2, 1], history.Select(v => v.Version));
        Assert.True(history[0].IsPublished);
        Assert.Equal("Paper jam (any tray)", (await supervisor.GetJsonAsync<ArticleView>("/api/kb/articles/paper-jam")).Title);
        Assert.Equal("Paper jam", (await supervisor.GetJsonAsync<ArticleView>("/api/kb/articles/paper-jam?version=1")).Title);
        Assert.Equal(HttpStatusCode.NotFound, (await supervisor.GetAsync(new Uri("/api/kb/articles/broken", UriKind.Relative), Ct)).StatusCode);
    }

    [Theory, BothEngines]
    public async Task A_draft_is_versioned_stays_out_of_matching_until_a_supervisor_publishes_it(StorageProvider engine)
    {
        await using var host = EmptyKnowledgeHost(engine);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        await ImportAsync(supervisor, SampleArticles.Text());

        using var saved = await agent.PutAsJsonAsync("/api/kb/articles/paper-jam/draft", new { markdown = SampleArticles.Text(codes: "[\"ipp:media-jam\", \"acme:13.20\"]") }, Ct);
        var draft = await saved.Content.ReadJsonAsync<DraftSaved>();
        var beforePublishing = await agent.GetJsonAsync<List<MatchView>>("/api/kb/match?code=acme:13.20");
        using var agentPublishes = await agent.PostAsync(new Uri("/api/kb/articles/paper-jam/publish", UriKind.Relative), null, Ct);
        using var published = await supervisor.PostAsync(new Uri("/api/kb/articles/paper-jam/publish", UriKind.Relative), null, Ct);
        var afterPublishing = await agent.GetJsonAsync<List<MatchView>>("/api/kb/match?code=acme:13.20");
        using var nothingLeft = await supervisor.PostAsync(new Uri("/api/kb/articles/paper-jam/publish", UriKind.Relative), null, Ct);

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(2, draft!.Version);
        Assert.Empty(beforePublishing);
        Assert.Equal(HttpStatusCode.Forbidden, agentPublishes.StatusCode);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal(("paper-jam", 2), (afterPublishing.Single().ArticleId, afterPublishing.Single().Version));
        Assert.Equal(HttpStatusCode.NotFound, nothingLeft.StatusCode);
        var history = await agent.GetJsonAsync<List<ArticleVersionView>>("/api/kb/articles/paper-jam/history");
        Assert.Equal([ArticleOrigin.Edit, ArticleOrigin.Import], history.Select(v => v.Origin));
        Assert.Contains("Test Agent", history[0].Author, StringComparison.Ordinal);
    }

    [Theory, BothEngines]
    public async Task An_invalid_draft_answers_every_error_and_stores_nothing(StorageProvider engine)
    {
        await using var host = EmptyKnowledgeHost(engine);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        using var refused = await agent.PutAsJsonAsync("/api/kb/articles/paper-jam/draft", new { markdown = SampleArticles.Text(codes: "[jam]", steps: "") }, Ct);
        var body = await refused.Content.ReadAsStringAsync(Ct);
        using var wrongId = await agent.PutAsJsonAsync("/api/kb/articles/Bad_Id/draft", new { markdown = SampleArticles.Text() }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("not in source:code form", body, StringComparison.Ordinal);
        Assert.Contains("Customer steps", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, wrongId.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync(new Uri("/api/kb/articles/paper-jam/history", UriKind.Relative), Ct)).StatusCode);
    }

    [Theory, BothEngines]
    public async Task Customers_cannot_read_or_change_the_knowledge_base_and_agents_cannot_import(StorageProvider engine)
    {
        await using var host = EmptyKnowledgeHost(engine);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);

        Assert.Equal(HttpStatusCode.Forbidden, (await customer.GetAsync(new Uri("/api/kb/articles", UriKind.Relative), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.GetAsync(new Uri("/api/kb/search?q=jam", UriKind.Relative), Ct)).StatusCode);
        using var customerDraft = await customer.PutAsJsonAsync("/api/kb/articles/paper-jam/draft", new { markdown = SampleArticles.Text() }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, customerDraft.StatusCode);
        using var agentImport = await agent.PostAsJsonAsync("/api/kb/import", new { articles = new[] { SampleArticles.Text() } }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, agentImport.StatusCode);
    }

    [Theory, BothEngines]
    public async Task Search_uses_the_device_active_problems_and_refuses_unknown_devices(StorageProvider engine)
    {
        await using var host = EmptyKnowledgeHost(engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        await ImportAsync(supervisor, SampleArticles.Text(), SampleArticles.Text(
            id: "toner-low", title: "Toner low", codes: "[\"ipp:toner-low\"]", conditions: "[TONER_LOW]", remediation: null, tags: "[faded, pale]"));
        await using var device = await host.ConnectDeviceAsync("kb-jammed", "Acme LaserPro 500");
        var status = device.NewEnvelope(status: Ingestion.IngestionPipelineTests.JammedStatus());
        await device.SendAsync(status);
        await device.WaitForAckAsync(status.Sequence);

        var words = await supervisor.GetJsonAsync<List<MatchView>>("/api/kb/search?q=printouts%20are%20pale");
        var vague = await supervisor.GetJsonAsync<List<MatchView>>("/api/kb/search?q=it%20stopped%20working&deviceId=kb-jammed");
        using var unknown = await supervisor.GetAsync(new Uri("/api/kb/search?q=jam&deviceId=nobody", UriKind.Relative), Ct);
        using var empty = await supervisor.GetAsync(new Uri("/api/kb/search?q=%20", UriKind.Relative), Ct);

        Assert.Equal("toner-low", words[0].ArticleId);
        Assert.Equal("paper-jam", vague[0].ArticleId);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await supervisor.GetAsync(new Uri("/api/kb/match", UriKind.Relative), Ct)).StatusCode);
    }

    [Theory, BothEngines]
    public async Task Recorded_outcomes_move_the_success_rate_the_match_reports(StorageProvider engine)
    {
        await using var host = EmptyKnowledgeHost(engine);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        await ImportAsync(supervisor, SampleArticles.Text());
        var knowledge = host.Services.GetRequiredService<KnowledgeBase>();

        await knowledge.RecordOutcomeAsync("paper-jam", "Acme LaserPro 500", verified: true, Ct);
        await knowledge.RecordOutcomeAsync("paper-jam", "Acme LaserPro 500", verified: true, Ct);
        var match = (await supervisor.GetJsonAsync<List<MatchView>>($"/api/kb/match?condition={Conditions.PaperJam}&model=Acme%20LaserPro%20500")).Single();

        Assert.True(match.SuccessRate > 0.5, $"rate {match.SuccessRate}");
        Assert.Contains(match.Reasons, r => r.StartsWith("fixed 2 of 2 times on Acme LaserPro 500", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_recorded_outcome_reranks_with_the_same_text_search_and_a_publication_builds_a_new_one()
    {
        await using var host = EmptyKnowledgeHost();
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        await ImportAsync(supervisor, SampleArticles.Text(), SampleArticles.Text(id: "paper-jam-rear", title: "Paper jam at the rear door"));
        var knowledge = host.Services.GetRequiredService<KnowledgeBase>();
        var jam = new ProblemQuery(null, Conditions.PaperJam, "Acme LaserPro 500");
        var searchBefore = knowledge.Index.TextSearch;
        var before = knowledge.Index.Match(jam);

        await knowledge.RecordOutcomeAsync("paper-jam-rear", "Acme LaserPro 500", verified: true, Ct);
        await knowledge.RecordOutcomeAsync("paper-jam", "Acme LaserPro 500", verified: false, Ct);
        var after = knowledge.Index.Match(jam);
        var searchAfterOutcomes = knowledge.Index.TextSearch;
        var words = knowledge.Index.Search("paper stuck at the rear door");
        Assert.NotNull(await knowledge.SaveDraftAsync("paper-jam", SampleArticles.Text(title: "Paper jam (any tray)"), "supervisor", Ct));
        Assert.Equal(2, await knowledge.PublishAsync("paper-jam", "supervisor", Ct));

        // Equal smoothed rates tie, so the ids decide; one verified fix and one failure reverse the order.
        Assert.Equal(["paper-jam", "paper-jam-rear"], before.Select(m => m.Article.Id));
        Assert.Equal([0.5, 0.5], before.Select(m => m.SuccessRate));
        Assert.Equal(["paper-jam-rear", "paper-jam"], after.Select(m => m.Article.Id));
        Assert.True(after[0].SuccessRate > 0.5 && after[1].SuccessRate < 0.5, $"rates {after[0].SuccessRate}, {after[1].SuccessRate}");
        Assert.Same(searchBefore, searchAfterOutcomes);
        Assert.Equal("paper-jam-rear", words[0].Article.Id);
        Assert.True(words[0].SuccessRate > 0.5, $"the text search's matches carry the new rate too: {words[0].SuccessRate}");
        Assert.NotSame(searchAfterOutcomes, knowledge.Index.TextSearch);
        Assert.Equal("Paper jam (any tray)", knowledge.Index.Find("paper-jam")!.Value.Article.Title);
    }
}
