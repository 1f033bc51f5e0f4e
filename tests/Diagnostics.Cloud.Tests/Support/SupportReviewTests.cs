using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// Quality review through the real host: a supervisor scores a conversation once it has ended, the agent who held it
/// reads the review and nobody else on the desk does, a revision replaces the review, and the figures and the history
/// follow.
/// </summary>
public sealed class SupportReviewTests
{
    [Theory, BothEngines]
    public async Task A_supervisor_reviews_an_ended_conversation_and_only_the_agent_who_held_it_reads_the_review(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var alex = await host.SignedInClientAsync(AccountRole.Agent);
        var sam = await host.SignedInClientAsync(AccountRole.Agent);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var alexId = await AccountIdAsync(alex);
        var session = await OpenAsync(customer, null, "Please connect me with a person, the scanner lid squeaks");
        await AvailableAsync(alex);
        await SessionWhenAsync(alex, session.Id, s => s.AgentId == alexId, "the conversation is Alex's", staff: true);
        var url = $"/api/sessions/{session.Id}/review";

        var (whileOpen, openProblem) = await PutAsync(supervisor, url, new { score = 4 });
        Assert.Equal(HttpStatusCode.Conflict, whileOpen);
        Assert.Contains("once it has ended", openProblem, StringComparison.Ordinal);
        await OkAsync<SupportMessage>(alex, $"/api/sessions/{session.Id}/messages", new { text = "A drop of oil on the hinge will do." });
        await OkAsync<SupportSession>(alex, $"/api/sessions/{session.Id}/close", new { summary = "Squeaky lid", category = "Hardware fault", solution = "Oil the hinge." });

        var (agentReviews, _) = await PutAsync(alex, url, new { score = 5 });
        Assert.Equal(HttpStatusCode.Forbidden, agentReviews);
        var (outOfRange, _) = await PutAsync(supervisor, url, new { score = 6 });
        Assert.Equal(HttpStatusCode.BadRequest, outOfRange);
        var (noScore, _) = await PutAsync(supervisor, url, new { comment = "fine" });
        Assert.Equal(HttpStatusCode.BadRequest, noScore);
        var (tooLong, _) = await PutAsync(supervisor, url, new { score = 3, comment = new string('x', SupportSupervision.MaxReviewCommentLength + 1) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong);
        var (unknown, _) = await PutAsync(supervisor, "/api/sessions/ss-nobody/review", new { score = 3 });
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        using (var nothingYet = await alex.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.NotFound, nothingYet.StatusCode);
        Assert.Equal([session.Id], (await supervisor.GetJsonAsync<List<SupportSession>>("/api/sessions/history?reviewed=false")).Select(s => s.Id));

        var (saved, savedBody) = await PutAsync(supervisor, url, new { score = 3, comment = "  Right fix; greet the customer by name.  " });
        Assert.True(saved == HttpStatusCode.OK, savedBody);
        var review = await alex.GetJsonAsync<SessionReview>(url);
        Assert.Equal((alexId, 3, "Right fix; greet the customer by name."), (review.AgentId, review.Score, review.Comment));
        using (var otherAgent = await sam.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.NotFound, otherAgent.StatusCode);
        using (var theCustomer = await customer.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.Forbidden, theCustomer.StatusCode);
        Assert.DoesNotContain(await MessagesAsync(customer, session.Id), m => m.Body.Contains("greet the customer", StringComparison.Ordinal));

        // The rubric: the criteria met are kept in rubric order, an unknown one is refused with the list.
        var (withRubric, rubricBody) = await PutAsync(supervisor, url, new { score = 3, met = new[] { ReviewRubric.Confirmed, ReviewRubric.Greeted } });
        Assert.True(withRubric == HttpStatusCode.OK, rubricBody);
        Assert.Equal([ReviewRubric.Greeted, ReviewRubric.Confirmed], (await alex.GetJsonAsync<SessionReview>(url)).Met);
        var (badCriterion, badProblem) = await PutAsync(supervisor, url, new { score = 3, met = new[] { "fast-typing" } });
        Assert.Equal(HttpStatusCode.BadRequest, badCriterion);
        Assert.Contains("fast-typing", badProblem, StringComparison.Ordinal);
        Assert.Contains("is not a rubric criterion (greeted, understood, right-fix, plain-words, confirmed)", badProblem, StringComparison.Ordinal);
        Assert.Equal([ReviewRubric.Greeted, ReviewRubric.Confirmed], (await alex.GetJsonAsync<SessionReview>(url)).Met);

        // A revision replaces the review: one per conversation.
        var (revised, _) = await PutAsync(supervisor, url, new { score = 4 });
        Assert.Equal(HttpStatusCode.OK, revised);
        var revisedReview = await supervisor.GetJsonAsync<SessionReview>(url);
        Assert.Equal((4, (string?)null, 0), (revisedReview.Score, revisedReview.Comment, revisedReview.Met.Count));
        Assert.Equal([(session.Id, 4)], (await alex.GetJsonAsync<List<SessionReview>>("/api/support/reviews/mine")).Select(r => (r.SessionId, r.Score)));
        Assert.Empty(await sam.GetJsonAsync<List<SessionReview>>("/api/support/reviews/mine"));
        Assert.Empty(await supervisor.GetJsonAsync<List<SupportSession>>("/api/sessions/history?reviewed=false"));
        Assert.Equal([session.Id], (await supervisor.GetJsonAsync<List<SupportSession>>("/api/sessions/history?reviewed=true")).Select(s => s.Id));

        var figures = await supervisor.GetJsonAsync<SupportFigures>("/api/support/figures");
        Assert.Equal((1, 4.0), (figures.Reviewed, figures.ReviewScoreMean));
        Assert.Equal((alexId, 1, 4.0), (Assert.Single(figures.Agents).AgentId, figures.Agents[0].Reviewed, figures.Agents[0].ReviewScoreMean));
    }

    [Theory, BothEngines]
    public async Task Nobody_reviews_a_conversation_they_held_themselves(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var lead = await host.SignedInClientAsync(AccountRole.Supervisor);
        var otherLead = await host.SignedInClientAsync(AccountRole.Supervisor);
        var leadId = await AccountIdAsync(lead);
        var session = await OpenAsync(customer, null, "I want to talk to a human about the fax");
        await AvailableAsync(lead);
        await SessionWhenAsync(lead, session.Id, s => s.AgentId == leadId, "the supervisor holds the conversation", staff: true);
        await OkAsync<SupportSession>(lead, $"/api/sessions/{session.Id}/close", new { summary = "Fax line", category = "Connectivity", solution = "Check the phone cable." });

        var (own, problem) = await PutAsync(lead, $"/api/sessions/{session.Id}/review", new { score = 5 });
        Assert.Equal(HttpStatusCode.Conflict, own);
        Assert.Contains("another supervisor", problem, StringComparison.Ordinal);
        var (byAnother, _) = await PutAsync(otherLead, $"/api/sessions/{session.Id}/review", new { score = 5 });
        Assert.Equal(HttpStatusCode.OK, byAnother);
    }
}
