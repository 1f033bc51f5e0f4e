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
/// The desk pages and the staff session API are one way in (<see cref="AgentDesk"/>, <see cref="AgentConversations"/>):
/// a customer gets no desk from either, and an agent writes to a customer only in a session they hold, on the page as in the API.
/// </summary>
public sealed class AgentDeskTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothEngines]
    public async Task A_customer_gets_neither_the_desk_page_nor_the_queue_and_takes_no_session_from_either(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner, session) = await QueuedSessionAsync(host, "ad-1", "ADAD1111");
        await using var _ = device;
        var agent = await host.SignedInClientAsync(AccountRole.Agent);
        var desk = host.Services.GetRequiredService<AgentDesk>();

        // The agent's desk shows the waiting session, so its absence below is the refusal and not an empty queue.
        Assert.Equal([session.Id], Attribute(await GetPageAsync(agent, "/dashboard/support"), "queued-session", "data-session-id"));
        Assert.Equal([session.Id], (await desk.QueueAsync(await PersonAsync(agent), Ct)).Select(s => s.Id));

        var page = await GetPageAsync(owner, "/dashboard/support");
        Assert.Equal(1, CountTestId(page, "access-denied"));
        Assert.Equal(0, CountTestId(page, "queued-session"));
        Assert.DoesNotContain(session.Id, page, StringComparison.Ordinal);
        foreach (var url in new[] { "/api/sessions", "/api/sessions/queue", "/api/support/agents", $"/api/sessions/{session.Id}" })
        {
            var (status, body) = await GetAsync(owner, url);
            Assert.True(status == HttpStatusCode.Forbidden, $"GET {url} -> {(int)status}");
            Assert.DoesNotContain(session.Id, body, StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(owner, $"/api/sessions/{session.Id}/take")).Status);

        // What the desk page would be handed for the customer: nothing, and their take does nothing.
        var customer = await PersonAsync(owner);
        Assert.Equal(DeskView.Empty, await desk.DeskAsync(customer, Ct));
        Assert.Empty(await desk.QueueAsync(customer, Ct));
        Assert.Empty(await desk.OpenSessionsAsync(customer, Ct));
        Assert.Empty(await desk.OpenSessionsOfDeviceAsync(customer, "ad-1", Ct));
        Assert.Equal(SupportError.NotFound, (await desk.TakeAsync(customer, session.Id, Ct)).Error);
        Assert.Equal(SupportError.NotAllowed, (await desk.SetAvailableAsync(customer, true, Ct)).Error);
        Assert.Equal(SessionState.Queued, (await SessionAsync(agent, session.Id, staff: true)).State);
    }

    [Theory, BothEngines]
    public async Task An_agent_who_does_not_hold_a_session_writes_nothing_to_its_customer_from_the_page_or_the_api(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var (device, owner, session) = await QueuedSessionAsync(host, "ad-2", "ADAD2222");
        await using var _ = device;
        var holder = await host.SignedInClientAsync(AccountRole.Agent);
        var other = await host.SignedInClientAsync(AccountRole.Agent);
        await OkAsync<SupportSession>(holder, $"/api/sessions/{session.Id}/take");
        var desk = host.Services.GetRequiredService<AgentDesk>();
        var conversations = host.Services.GetRequiredService<AgentConversations>();
        var otherAgent = await PersonAsync(other);
        var reply = (await host.Services.GetRequiredService<CannedReplyService>().ListAsync(otherAgent, Ct))[0];

        // The API refuses the agent who does not hold it ...
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(other, $"/api/sessions/{session.Id}/messages", new { text = "From the API" })).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(other, $"/api/sessions/{session.Id}/transfer", new { toAgentId = (string?)null })).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(other, $"/api/sessions/{session.Id}/fixes", new { articleId = "paper-jam" })).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(other, $"/api/sessions/{session.Id}/updates")).Status);
        // ... and so does every tool the conversation page calls.
        Assert.Equal(SupportError.Conflict, (await conversations.PostAsync(otherAgent, session.Id, "From the page", "page-1", internalNote: false, Ct)).Error);
        Assert.Equal(SupportError.Conflict, (await desk.SendCannedReplyAsync(otherAgent, session.Id, reply.Id, Ct)).Error);
        Assert.Equal(SupportError.Conflict, (await desk.TransferAsync(otherAgent, session.Id, null, "mine now", Ct)).Error);
        Assert.Equal(SupportError.Conflict, (await desk.ProposeFixAsync(otherAgent, session.Id, "paper-jam", Ct)).Error);
        Assert.Equal(SupportError.Conflict, (await desk.ShareUpdateAsync(otherAgent, session.Id, Ct)).Error);
        Assert.Equal(SupportError.Conflict, (await desk.CloseAsync(otherAgent, session.Id, "Done", "Other", "Nothing", true, null, Ct)).Error);
        // An internal note is for colleagues, not the customer: anyone on staff writes one.
        Assert.Equal(SupportError.None, (await conversations.PostAsync(otherAgent, session.Id, "Seen this one before", "page-2", internalNote: true, Ct)).Error);

        var customerSees = await MessagesAsync(owner, session.Id);
        Assert.DoesNotContain(customerSees, m => m.Body is "From the API" or "From the page" or "Seen this one before" || m.Kind == MessageKind.Fix);
        Assert.DoesNotContain(customerSees, m => m.Body == CannedReplyService.Fill(reply, session, otherAgent.Identity!.Name!));
        var after = await SessionAsync(holder, session.Id, staff: true);
        Assert.Equal((SessionState.Assigned, await AccountIdAsync(holder)), (after.State, after.AgentId));
        // The holder's own reply goes through the same door.
        Assert.Equal(SupportError.None, (await desk.SendCannedReplyAsync(await PersonAsync(holder), session.Id, reply.Id, Ct)).Error);
    }
}
