using System.Net;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Support;
using Diagnostics.Cloud.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Diagnostics.Cloud.Tests.Support.SupportDesk;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

namespace Diagnostics.Cloud.Tests.Support;

/// <summary>
/// The supervisor's pages and API are one way in (<see cref="SupervisorDesk"/>): an agent reads neither the history nor
/// the figures, sets no limit and reviews nothing, and reads a review only of a conversation they held, on a page as in the API.
/// </summary>
public sealed class SupervisorDeskTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task An_agent_gets_neither_the_history_the_figures_nor_another_agents_review_from_the_pages_or_the_api(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner, session) = await QueuedSessionAsync(host, "sd-1", "SDSD1111");
        await using var _ = device;
        var holder = await host.SignedInClientAsync(AccountRole.Agent);
        var other = await host.SignedInClientAsync(AccountRole.Agent);
        var supervisor = await host.SignedInClientAsync(AccountRole.Supervisor);
        await OkAsync<SupportSession>(holder, $"/api/sessions/{session.Id}/take");
        await OkAsync<SupportSession>(holder, $"/api/sessions/{session.Id}/close", new { summary = "Cleared the fuser jam", category = "Paper handling", solution = "Open the rear door." });
        var (reviewed, _) = await PutAsync(supervisor, $"/api/sessions/{session.Id}/review", new { score = 4, comment = "Clear steps." });
        Assert.Equal(HttpStatusCode.OK, reviewed);
        var supervisors = host.Services.GetRequiredService<SupervisorDesk>();
        var otherAgent = await PersonAsync(other);

        // The supervisor and the agent who held it see the review and the history, so what is missing below was refused.
        Assert.Equal([session.Id], Attribute(await GetPageAsync(supervisor, "/dashboard/support/history?q=fuser"), "history-row", "data-session-id"));
        Assert.Equal(1, CountTestId(await GetPageAsync(supervisor, "/dashboard/support"), "support-figures"));
        Assert.Equal(["4"], Attribute(await GetPageAsync(holder, $"/dashboard/support/{session.Id}"), "quality-review", "data-score"));
        Assert.Equal(4, (await holder.GetJsonAsync<SessionReview>($"/api/sessions/{session.Id}/review")).Score);
        Assert.Equal([session.Id], (await supervisors.HistoryAsync(await PersonAsync(supervisor), "fuser", null, null, null, 10, Ct)).Sessions.Select(s => s.Id));

        var history = await GetPageAsync(other, "/dashboard/support/history?q=fuser");
        Assert.Equal(1, CountTestId(history, "access-denied"));
        Assert.Equal(0, CountTestId(history, "history-row"));
        var sessionPage = await GetPageAsync(other, $"/dashboard/support/{session.Id}");
        Assert.Equal(0, CountTestId(sessionPage, "quality-review"));
        Assert.DoesNotContain("Clear steps.", sessionPage, StringComparison.Ordinal);
        var deskPage = await GetPageAsync(other, "/dashboard/support");
        Assert.Equal(0, CountTestId(deskPage, "support-figures"));
        Assert.Equal(0, CountTestId(deskPage, "my-review"));
        foreach (var url in new[] { "/api/sessions/history?q=fuser", "/api/support/figures" })
        {
            var (status, body) = await GetAsync(other, url);
            Assert.True(status == HttpStatusCode.Forbidden, $"GET {url} -> {(int)status}");
            Assert.DoesNotContain(session.Id, body, StringComparison.Ordinal);
        }
        var (reviewStatus, reviewBody) = await GetAsync(other, $"/api/sessions/{session.Id}/review");
        Assert.Equal(HttpStatusCode.NotFound, reviewStatus);
        Assert.DoesNotContain("Clear steps.", reviewBody, StringComparison.Ordinal);
        Assert.Empty(await other.GetJsonAsync<List<SessionReview>>("/api/support/reviews/mine"));
        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(other, $"/api/sessions/{session.Id}/review", new { score = 1 })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(other, $"/api/support/agents/{await AccountIdAsync(holder)}/limit", new { maxSessions = 1 })).Status);

        // What the pages would be handed for that agent: the same nothing, and their review and limit change nothing.
        Assert.Same(SupportHistoryView.Empty, await supervisors.HistoryAsync(otherAgent, "fuser", null, null, null, 10, Ct));
        Assert.Null(await supervisors.FiguresAsync(otherAgent, DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, Ct));
        Assert.Null(await supervisors.ReviewOfAsync(otherAgent, session.Id, Ct));
        Assert.Empty(await supervisors.ReviewsOfMineAsync(otherAgent, 10, Ct));
        Assert.Equal(SupportError.NotAllowed, (await supervisors.ReviewAsync(otherAgent, session.Id, 1, "Mean", null, Ct)).Error);
        Assert.Equal(SupportError.NotAllowed, (await supervisors.SetLimitAsync(otherAgent, await AccountIdAsync(holder), 1, Ct)).Error);
        var kept = await holder.GetJsonAsync<SessionReview>($"/api/sessions/{session.Id}/review");
        Assert.Equal((4, "Clear steps."), (kept.Score, kept.Comment));
    }
}
