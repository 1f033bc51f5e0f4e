using System.Security.Claims;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Knowledge;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Support;

/// <summary>The desk as one agent sees it: whether they take sessions, the ones they hold, the queue, the assistant's and every live one.</summary>
public sealed record DeskView(
    SupportAgent? Me, IReadOnlyList<SupportSession> Mine, IReadOnlyList<SupportSession> Queue, IReadOnlyList<SupportSession> WithBot,
    IReadOnlyList<SupportSession> Open, IReadOnlyList<SupportAgent> Agents)
{
    public static readonly DeskView Empty = new(null, [], [], [], [], []);
}

/// <summary>An article whose automated fix an agent may propose for a session's device; <c>Fitting</c> when it is about what the device reports now.</summary>
public sealed record FixChoice(Article Article, bool Fitting);

/// <summary>
/// Staff's one way into the support desk, for the API (<c>/api/sessions</c>, <c>/api/support</c>) and the desk pages
/// alike: the queue, taking and handing on sessions, and what an agent does for the customer in one. Staff only, checked
/// here once (anyone else reads an empty desk and does nothing); what is done for the customer (a transfer, a fix or an
/// update card, a canned reply) only by the agent who holds the session.
/// </summary>
public sealed class AgentDesk(
    AgentConversations conversations, SupportSessionStore sessions, SupportQueueStore queue, SessionAssignment assignment, SessionCards cards,
    SupportService support, CannedReplyService cannedReplies, IDeviceStore devices, KnowledgeBase knowledge, IOptions<SupportOptions> options)
{
    private static string StaffOnly => SupportExplanations.Text("StaffOnly");

    public async Task<DeskView> DeskAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!user.IsStaff())
            return DeskView.Empty;
        var agents = await queue.AgentsAsync(cancellationToken);
        var me = user.AccountId() ?? "";
        var open = await sessions.OpenSessionsAsync(cancellationToken);
        return new DeskView(agents.FirstOrDefault(a => a.AgentId == me), await queue.AssignedToAsync(me, cancellationToken),
            await queue.QueueAsync(options.Value.SeverityHeadStart, cancellationToken), [.. open.Where(s => s.State == SessionState.Bot)], open, agents);
    }

    /// <summary>Waiting sessions in the order they are served.</summary>
    public async Task<IReadOnlyList<SupportSession>> QueueAsync(ClaimsPrincipal user, CancellationToken cancellationToken) =>
        user.IsStaff() ? await queue.QueueAsync(options.Value.SeverityHeadStart, cancellationToken) : [];

    /// <summary>Every session not closed yet, oldest first.</summary>
    public async Task<IReadOnlyList<SupportSession>> OpenSessionsAsync(ClaimsPrincipal user, CancellationToken cancellationToken) =>
        user.IsStaff() ? await sessions.OpenSessionsAsync(cancellationToken) : [];

    public async Task<IReadOnlyList<SupportSession>> OpenSessionsOfDeviceAsync(ClaimsPrincipal user, string deviceId, CancellationToken cancellationToken) =>
        user.IsStaff() ? await sessions.OpenSessionsOfDeviceAsync(deviceId, cancellationToken) : [];

    /// <summary>Staff who take sessions, with how many each holds now.</summary>
    public async Task<IReadOnlyList<SupportAgent>> AgentsAsync(ClaimsPrincipal user, CancellationToken cancellationToken) =>
        user.IsStaff() ? await queue.AgentsAsync(cancellationToken) : [];

    /// <summary>The agent starts or stops taking sessions.</summary>
    public async Task<SupportResult<SupportAgent>> SetAvailableAsync(ClaimsPrincipal user, bool available, CancellationToken cancellationToken) =>
        user.IsStaff()
            ? SupportResult<SupportAgent>.Done(await assignment.SetAvailableAsync(SessionActor.Of(user), available, cancellationToken))
            : SupportResult<SupportAgent>.Fail(SupportError.NotAllowed, StaffOnly);

    /// <summary>An agent opens a session with a device's owner: it is the agent's from the start.</summary>
    public async Task<SupportResult<SupportSession>> OpenForDeviceAsync(ClaimsPrincipal user, string deviceId, string text, CancellationToken cancellationToken) =>
        user.IsStaff()
            ? await support.OpenForDeviceAsync(SessionActor.Of(user), deviceId.Trim(), text, cancellationToken)
            : SupportResult<SupportSession>.Fail(SupportError.NotAllowed, StaffOnly);

    /// <summary>The agent takes a waiting session, or one from the assistant.</summary>
    public Task<SupportResult<SupportSession>> TakeAsync(ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken) =>
        conversations.WithSessionAsync(user, sessionId, (session, agent) => assignment.TakeAsync(session, agent, cancellationToken), cancellationToken);

    /// <summary>The agent who holds the session hands it to another agent, or back to the queue when <paramref name="toAgentId"/> is null.</summary>
    public Task<SupportResult<SupportSession>> TransferAsync(ClaimsPrincipal user, string sessionId, string? toAgentId, string? note, CancellationToken cancellationToken) =>
        HeldAsync(user, sessionId, (session, agent) =>
            assignment.TransferAsync(session, agent, string.IsNullOrWhiteSpace(toAgentId) ? null : toAgentId.Trim(), note, cancellationToken), cancellationToken);

    /// <summary>The agent who holds the session proposes an article's fix (or a diagnostics report) for the customer to approve.</summary>
    public Task<SupportResult<SupportMessage>> ProposeFixAsync(ClaimsPrincipal user, string sessionId, string articleId, CancellationToken cancellationToken) =>
        HeldAsync(user, sessionId, (session, agent) => cards.ProposeFixAsync(session, agent, articleId, cancellationToken), cancellationToken);

    /// <summary>The agent who holds the session shows the customer the device's update to approve.</summary>
    public Task<SupportResult<SupportMessage>> ShareUpdateAsync(ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken) =>
        HeldAsync(user, sessionId, (session, agent) => cards.ShareUpdateAsync(session, agent, cancellationToken), cancellationToken);

    /// <summary>The agent who holds the session sends a canned reply, its placeholders filled in for the session.</summary>
    public async Task<SupportResult<SupportMessage>> SendCannedReplyAsync(ClaimsPrincipal user, string sessionId, string replyId, CancellationToken cancellationToken)
    {
        if (await cannedReplies.FindAsync(user, replyId, cancellationToken) is not { } reply)
            return SupportResult<SupportMessage>.Fail(SupportError.Invalid, SupportExplanations.Text("ChooseReply"));
        return await HeldAsync(user, sessionId, (session, agent) =>
            support.PostAsync(session, agent, CannedReplyService.Fill(reply, session, agent.Name), $"canned-{Guid.NewGuid():N}", internalNote: false, cancellationToken), cancellationToken);
    }

    /// <summary>The agent who holds the session ends it with a summary for the records and, when solved, the solution the customer keeps.</summary>
    public Task<SupportResult<SupportSession>> CloseAsync(
        ClaimsPrincipal user, string sessionId, string? summary, string? category, string? solution, bool resolved, string? articleId, CancellationToken cancellationToken) =>
        conversations.WithSessionAsync(user, sessionId, (session, agent) =>
            support.CloseByAgentAsync(session, agent, summary, category, solution, resolved, cancellationToken, articleId), cancellationToken);

    /// <summary>
    /// The fixes an agent may propose for the session's device: articles about what it reports now first, then every
    /// other automated fix that covers its model. None for a session about no device (or for anyone not on staff).
    /// </summary>
    public async Task<IReadOnlyList<FixChoice>> FixChoicesAsync(ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken)
    {
        if (await conversations.SessionAsync(user, sessionId, cancellationToken) is not { DeviceId: { } deviceId }
            || await devices.GetAsync(deviceId, cancellationToken) is not { } device)
        {
            return [];
        }
        var index = knowledge.Index;
        var fitting = device.ActiveConditions
            .SelectMany(c => index.Match(new ProblemQuery(c.Code, c.Condition, device.Model, device.Firmware)))
            .Select(m => m.Article.Id).ToHashSet(StringComparer.Ordinal);
        return [.. index.Articles.Select(a => a.Article).Where(a => a.Remediation is not null && a.Applies.CoversModel(device.Model))
            .Select(a => new FixChoice(a, fitting.Contains(a.Id))).OrderByDescending(c => c.Fitting).ThenBy(c => c.Article.Title, StringComparer.Ordinal)];
    }

    /// <summary>Runs <paramref name="act"/> when the session is the agent's (a closed one fails in <paramref name="act"/> itself).</summary>
    private Task<SupportResult<T>> HeldAsync<T>(
        ClaimsPrincipal user, string sessionId, Func<SupportSession, SessionActor, Task<SupportResult<T>>> act, CancellationToken cancellationToken) =>
        conversations.WithSessionAsync(user, sessionId, (session, agent) =>
            AgentConversations.NotHeldBy(user, session) is { } why ? Task.FromResult(SupportResult<T>.Fail(SupportError.Conflict, why)) : act(session, agent), cancellationToken);
}
