using System.Text.RegularExpressions;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Web.Dashboard;

/// <summary>The support screens as served: the desk, a conversation for each side, the supervisor's history and quality review.</summary>
public sealed class SupportPagesTests
{
    [Theory, BothEngines]
    public async Task The_desk_lists_the_queue_a_conversation_shows_each_side_its_own_view_and_supervisors_search_and_review_the_history(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner) = await PairedDeviceAsync(host, "page-s1", "FFFF6161", Jam);
        await using var _ = device;
        var session = await OpenAsync(owner, "page-s1", "The printer says paper jam, please talk to a person");
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var stranger = await host.SignedInClientAsync(AccountRole.Customer);

        var desk = await GetPageAsync(agent, "/dashboard/support");
        var agentView = await GetPageAsync(agent, $"/dashboard/support/{session.Id}");
        var customerView = await GetPageAsync(owner, $"/app/support/{session.Id}");
        var strangerView = await GetPageAsync(stranger, $"/app/support/{session.Id}");
        var help = await GetPageAsync(owner, "/app/support?device=page-s1");

        Assert.Equal([session.Id], Attribute(desk, "queued-session", "data-session-id"));
        Assert.Equal(0, CountTestId(desk, "support-figures"));
        // The starter replies in every language the apps speak.
        Assert.Equal(StarterCannedReplies.Topics.Count * Diagnostics.Cloud.Localization.SupportedCultures.Discover(AppContext.BaseDirectory).Cultures.Count,
            CountTestId(desk, "canned-reply"));
        Assert.Equal(["queued"], Attribute(agentView, "chat", "data-state"));
        Assert.Equal(["true"], Attribute(agentView, "message", "data-internal").Where(v => v == "true"));
        Assert.Equal(1, CountTestId(agentView, "session-take"));
        Assert.Equal(["page-s1"], Attribute(agentView, "device-panel", "data-device-id"));
        Assert.Equal(["ipp:media-jam"], Attribute(agentView, "panel-condition", "data-code"));
        // The agent reads the assistant's hand-over note first; the transcript before it is folded behind one button.
        Assert.Equal("true", Attribute(agentView, "message", "data-internal")[0]);
        Assert.Equal(1, CountTestId(agentView, "assistant-transcript-toggle"));
        Assert.Equal(0, CountTestId(agentView, "status-card"));
        // The customer's wait counts from the hand-over; nobody has answered yet.
        Assert.StartsWith("waiting ", TestIdText(agentView, "timer-wait"), StringComparison.Ordinal);
        Assert.StartsWith("none yet", TestIdText(agentView, "timer-first-response"), StringComparison.Ordinal);
        // The customer's context: no other device, no earlier conversation, no fix yet.
        Assert.Equal(1, CountTestId(agentView, "customer-context"));
        Assert.Equal(1, CountTestId(agentView, "context-no-devices"));
        Assert.Equal(1, CountTestId(agentView, "context-no-sessions"));
        Assert.DoesNotContain("true", Attribute(customerView, "message", "data-internal"));
        Assert.Equal(1, CountTestId(customerView, "status-card"));
        Assert.Equal(1, CountTestId(strangerView, "session-not-found"));
        Assert.Equal(0, CountTestId(strangerView, "message"));
        Assert.Equal([session.Id], Attribute(help, "session-item", "data-session-id"));

        await OkAsync<SupportSession>(agent, $"/api/sessions/{session.Id}/take");
        await OkAsync<SupportSession>(agent, $"/api/sessions/{session.Id}/close", new { summary = "Cleared the duplex jam", category = "Paper handling", solution = "Open the rear door." });
        var supervisorDesk = await GetPageAsync(supervisor, "/dashboard/support");
        var found = await GetPageAsync(supervisor, "/dashboard/support/history?q=duplex");
        var notFound = await GetPageAsync(supervisor, "/dashboard/support/history?q=toner");
        using var agentHistory = await agent.GetAsync(new Uri("/dashboard/support/history", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal("1", TestIdText(supervisorDesk, "figure-closed"));
        Assert.Equal([session.Id], Attribute(found, "history-row", "data-session-id"));
        Assert.Equal(0, CountTestId(notFound, "history-row"));
        Assert.DoesNotContain("history-row", await agentHistory.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        // Quality review: the supervisor gets the form on the ended conversation; the agent sees nothing until there is a review.
        var reviewForm = await GetPageAsync(supervisor, $"/dashboard/support/{session.Id}");
        Assert.Equal(1, CountTestId(reviewForm, "review-form"));
        Assert.Equal(ReviewRubric.All.Count, ReviewRubric.All.Sum(c => CountTestId(reviewForm, $"rubric-{c}")));
        Assert.Equal(1, CountTestId(reviewForm, "review-timings"));
        Assert.StartsWith("waited ", TestIdText(reviewForm, "timer-wait"), StringComparison.Ordinal);
        Assert.NotEmpty(TestIdText(reviewForm, "timer-first-response"));
        Assert.NotEmpty(TestIdText(reviewForm, "timer-handle"));
        // Each timer once on the page: the review card does not repeat the wait and the first response above it.
        Assert.Equal(1, Regex.Count(reviewForm, ">waited "));
        Assert.Equal(1, CountTestId(reviewForm, "timer-first-response"));
        Assert.Equal(0, CountTestId(await GetPageAsync(agent, $"/dashboard/support/{session.Id}"), "quality-review"));
        Assert.Equal([session.Id], Attribute(await GetPageAsync(supervisor, "/dashboard/support/history?reviewed=false"), "history-row", "data-session-id"));
        var (reviewed, _) = await PutAsync(supervisor, $"/api/sessions/{session.Id}/review", new { score = 4, comment = "Clear steps.", met = new[] { ReviewRubric.RightFix } });
        Assert.Equal(System.Net.HttpStatusCode.OK, reviewed);
        var agentReviewView = await GetPageAsync(agent, $"/dashboard/support/{session.Id}");
        Assert.Equal(["4"], Attribute(agentReviewView, "quality-review", "data-score"));
        Assert.Equal("Clear steps.", TestIdText(agentReviewView, "review-comment"));
        Assert.Equal(0, CountTestId(agentReviewView, "review-form"));
        Assert.Contains("✓ Chose the right fix", TestIdText(agentReviewView, "review-rubric"), StringComparison.Ordinal);
        Assert.Contains("✗ Greeted the customer by name", TestIdText(agentReviewView, "review-rubric"), StringComparison.Ordinal);
        // The reviewer edits the comment in the form and does not read it twice above it.
        var reviewerView = await GetPageAsync(supervisor, $"/dashboard/support/{session.Id}");
        Assert.Equal(0, CountTestId(reviewerView, "review-comment"));
        Assert.Equal(1, Regex.Count(reviewerView, "Clear steps\\."));
        Assert.Equal([session.Id], Attribute(await GetPageAsync(agent, "/dashboard/support"), "my-review", "data-session-id"));
        Assert.Equal(0, CountTestId(await GetPageAsync(supervisor, "/dashboard/support/history?reviewed=false"), "history-row"));
        Assert.StartsWith("4/5", TestIdText(await GetPageAsync(supervisor, "/dashboard/support/history?reviewed=true"), "history-review"), StringComparison.Ordinal);
        Assert.Equal("4.0", TestIdText(await GetPageAsync(supervisor, "/dashboard/support"), "figure-review-score"));
    }

    [Theory, BothEngines]
    public async Task Unanswered_questions_are_listed_by_language_with_a_best_guess_and_proposals_wait_for_a_supervisor(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var customer = await host.SignedInClientAsync(AccountRole.Customer);
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        var session = await OpenAsync(customer, null, "プリンターの調子が悪い");
        await OkAsync<SupportMessage>(customer, $"/api/me/sessions/{session.Id}/messages", new { text = "よくわからない" });

        var page = await GetPageAsync(agent, "/dashboard/support/unanswered");

        Assert.Equal(["ja"], Attribute(page, "unanswered-language", "data-language"));
        Assert.Equal([session.Id], Attribute(page, "unanswered-row", "data-session-id"));
        Assert.Equal("1", TestIdText(page, "unanswered-count"));
        Assert.Equal(1, CountTestId(page, "unanswered-article"));
        Assert.Equal(1, CountTestId(await GetPageAsync(agent, "/dashboard/support"), "unanswered-link"));

        var phrase = await OkAsync<Diagnostics.Cloud.Knowledge.TrainingPhrase>(agent, "/api/kb/articles/printer-offline/phrases",
            new { text = "プリンターの調子が悪い", language = "ja", sessionId = session.Id });
        var after = await GetPageAsync(agent, "/dashboard/support/unanswered");
        Assert.Equal(1, CountTestId(after, "unanswered-empty"));
        Assert.Equal([phrase.Id], Attribute(after, "proposed-phrase", "data-phrase-id"));
        Assert.Equal(0, CountTestId(after, "phrase-accept"));
        Assert.Equal(1, CountTestId(await GetPageAsync(supervisor, "/dashboard/support/unanswered"), "phrase-accept"));
    }
}
