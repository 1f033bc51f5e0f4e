using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;

namespace Diagnostics.Cloud.Tests.Knowledge;

/// <summary>
/// Learning from solved conversations through the real host: a Chinese question the assistant could not answer shows
/// in the unanswered list, the agent who solves it names the article, the customer's words become a proposal, and
/// once a supervisor accepts it the same words find that article for the next customer.
/// </summary>
public sealed class TrainingPhraseTests
{
    private const string Question = "手机应用里打印机一直在转圈";
    private const string Article = "printer-answer-timeout";

    private static async Task<string?> TopAsync(HttpClient staff, string q) =>
        (await staff.GetJsonAsync<List<MatchView>>($"/api/kb/search?q={Uri.EscapeDataString(q)}&limit=3")) is [var first, ..] ? first.ArticleId : null;

    [Theory, BothEngines]
    public async Task A_question_a_person_solved_becomes_a_phrase_that_answers_the_next_customer_once_accepted(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);

        // The assistant asks once for more, then hands over: it found no article it is sure of.
        var session = await OpenAsync(customer, null, Question);
        await OkAsync<SupportMessage>(customer, $"/api/me/sessions/{session.Id}/messages", new { text = "还是一直转圈" });
        Assert.Equal(SupportBot.NotSureReason, (await SessionAsync(customer, session.Id)).HandoverReason);

        var unanswered = await agent.GetJsonAsync<UnansweredView>("/api/support/unanswered");
        Assert.Equal([new LanguageCount("zh-Hans", 1)], unanswered.Languages);
        var asked = Assert.Single(unanswered.Questions);
        Assert.Equal(("zh-Hans", Question, 1, session.Id), (asked.Language, asked.Text, asked.Count, Assert.Single(asked.SessionIds)));
        Assert.Empty((await agent.GetJsonAsync<UnansweredView>("/api/support/unanswered?language=ja")).Questions);
        Assert.NotEqual(Article, await TopAsync(agent, "打印机一直转圈"));

        await AvailableAsync(agent);
        await SessionWhenAsync(agent, session.Id, s => s.State == SessionState.Assigned, "the agent gets the session", staff: true);
        var (unknownArticle, _) = await SendAsync(agent, $"/api/sessions/{session.Id}/close",
            new { summary = "App spinner", category = "Connectivity", solution = "Restarted the printer.", articleId = "no-such-article" });
        Assert.Equal(HttpStatusCode.BadRequest, unknownArticle);
        await OkAsync<SupportSession>(agent, $"/api/sessions/{session.Id}/close",
            new { summary = "App spinner: the printer did not answer", category = "Connectivity", solution = "Restart the printer and wait two minutes.", articleId = Article });

        var proposal = Assert.Single(await agent.GetJsonAsync<List<TrainingPhrase>>("/api/kb/phrases?state=proposed"));
        Assert.Equal((Article, "zh-Hans", Question, PhraseSource.SolvedConversation, session.Id), (proposal.ArticleId, proposal.Language, proposal.Text, proposal.Source, proposal.SessionId));
        Assert.Empty((await agent.GetJsonAsync<UnansweredView>("/api/support/unanswered")).Questions);
        // Proposed is not yet accepted: search is as before.
        Assert.NotEqual(Article, await TopAsync(agent, "打印机一直转圈"));

        var (agentAccepts, _) = await SendAsync(agent, $"/api/kb/phrases/{proposal.Id}/accept");
        Assert.Equal(HttpStatusCode.Forbidden, agentAccepts);
        var accepted = await OkAsync<TrainingPhrase>(supervisor, $"/api/kb/phrases/{proposal.Id}/accept");
        Assert.Equal(PhraseState.Accepted, accepted.State);
        Assert.Equal(Article, await TopAsync(agent, "打印机一直转圈"));
        var (twice, _) = await SendAsync(supervisor, $"/api/kb/phrases/{proposal.Id}/reject");
        Assert.Equal(HttpStatusCode.Conflict, twice);
    }

    [Theory, BothEngines]
    public async Task Staff_propose_a_phrase_once_a_rejected_one_stays_out_of_search_and_bad_proposals_are_refused(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);

        var first = await OkAsync<TrainingPhrase>(agent, "/api/kb/articles/paper-jam/phrases", new { text = "the gizmo swallowed my page" });
        var again = await OkAsync<TrainingPhrase>(agent, "/api/kb/articles/paper-jam/phrases", new { text = "  the gizmo swallowed my page " });
        Assert.Equal((first.Id, "en", PhraseSource.Staff, PhraseState.Proposed), (again.Id, first.Language, first.Source, first.State));
        var rejected = await OkAsync<TrainingPhrase>(supervisor, $"/api/kb/phrases/{first.Id}/reject");
        Assert.Equal(PhraseState.Rejected, rejected.State);
        Assert.Empty(await agent.GetJsonAsync<List<MatchView>>("/api/kb/search?q=gizmo"));
        Assert.Equal([first.Id], (await agent.GetJsonAsync<List<TrainingPhrase>>("/api/kb/phrases?state=rejected&articleId=paper-jam")).Select(p => p.Id));

        var refusals = new[]
        {
            await SendAsync(agent, "/api/kb/articles/paper-jam/phrases", new { text = "" }),
            await SendAsync(agent, "/api/kb/articles/paper-jam/phrases", new { text = new string('x', 501) }),
            await SendAsync(agent, "/api/kb/articles/paper-jam/phrases", new { text = "紙が出てこない", language = "klingon" }),
            await SendAsync(agent, "/api/kb/articles/no-such-article/phrases", new { text = "anything at all" }),
            await SendAsync(supervisor, "/api/kb/phrases/ph-missing/accept"),
        };
        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.NotFound],
            refusals.Select(r => r.Status));
        using var badState = await agent.GetAsync(new Uri("/api/kb/phrases?state=maybe", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, badState.StatusCode);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var (customersCannot, _) = await SendAsync(customer, "/api/kb/articles/paper-jam/phrases", new { text = "my words" });
        Assert.Equal(HttpStatusCode.Forbidden, customersCannot);
    }

    [Theory, BothEngines]
    public async Task Only_a_supervisor_decides_a_phrase_through_the_api_or_the_service_the_page_calls(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        var proposed = await OkAsync<TrainingPhrase>(agent, "/api/kb/articles/paper-jam/phrases", new { text = "the gizmo swallowed my page" });
        using var scope = host.Services.CreateScope();
        var phrases = scope.ServiceProvider.GetRequiredService<TrainingPhrases>();
        var ct = TestContext.Current.CancellationToken;

        var (agentsApi, _) = await SendAsync(agent, $"/api/kb/phrases/{proposed.Id}/accept");
        var agentsPage = await phrases.DecideAsync(Principals.Of("agent-1", AccountRole.Agent), proposed.Id, accept: true, ct);
        Assert.Equal((HttpStatusCode.Forbidden, null, false), (agentsApi, agentsPage.Phrase, agentsPage.WasProposed));
        Assert.Equal([proposed.Id], (await agent.GetJsonAsync<List<TrainingPhrase>>("/api/kb/phrases?state=proposed&articleId=paper-jam")).Select(p => p.Id));

        var supervisors = await phrases.DecideAsync(Principals.Of("supervisor-1", AccountRole.Supervisor, "Sam"), proposed.Id, accept: true, ct);
        Assert.Equal((PhraseState.Accepted, true), (supervisors.Phrase!.State, supervisors.WasProposed));
    }
}
