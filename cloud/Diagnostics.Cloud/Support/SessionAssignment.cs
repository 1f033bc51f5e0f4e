using Diagnostics.Cloud.Accounts;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// The queue and assignment: waiting sessions go to available agents by priority, each agent within their limit; agents
/// take, transfer and give back sessions, and say when they take new ones.
/// </summary>
public sealed partial class SessionAssignment(
    SupportSessionStore sessionStore, SupportQueueStore queueStore, SessionPosting posting, SessionSignals signals, IAccountStore accounts,
    IOptions<SupportOptions> options, TimeProvider time, ILogger<SessionAssignment> logger) : IDisposable
{
    private static readonly SessionActor System = SessionPosting.System;
    private readonly SemaphoreSlim _dispatching = new(1, 1);

    private SupportOptions Settings => options.Value;

    /// <summary>
    /// Gives waiting sessions to available agents, the most urgent first, each to the agent holding the fewest, never
    /// beyond an agent's limit. Runs after anything that frees a place or queues a session.
    /// </summary>
    public async Task DispatchAsync(CancellationToken cancellationToken)
    {
        await _dispatching.WaitAsync(cancellationToken);
        try
        {
            var queue = await queueStore.QueueAsync(Settings.SeverityHeadStart, cancellationToken);
            if (queue.Count == 0)
                return;
            var agents = (await queueStore.AgentsAsync(cancellationToken)).Where(a => a.Available && a.OpenSessions < a.MaxSessions)
                .Select(a => new { Agent = a, Open = a.OpenSessions }).ToList();
            foreach (var session in queue)
            {
                var free = agents.Where(a => a.Open < a.Agent.MaxSessions).MinBy(a => a.Open);
                if (free is null)
                    break;
                if ((await AssignAsync(session, free.Agent.AgentId, free.Agent.Name, SessionState.Queued, SupportSystemText.Write("Joined", free.Agent.Name), cancellationToken)).Error == SupportError.None)
                    agents[agents.IndexOf(free)] = free with { Open = free.Open + 1 };
            }
        }
        finally
        {
            _dispatching.Release();
        }
    }

    private async Task<SupportResult<SupportSession>> AssignAsync(SupportSession session, string agentId, string agentName, SessionState from, string announcement, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var assigned = session with { State = SessionState.Assigned, AgentId = agentId, AgentName = agentName, AssignedAt = session.AssignedAt ?? now };
        var (changed, _) = await sessionStore.UpdateAsync(assigned, [from],
            [new NewMessage(MessageKind.System, AuthorKind.System, System.Id, System.Name, announcement, false, null, now)], cancellationToken);
        if (!changed)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, SupportExplanations.Text("ChangedMeanwhile"));
        LogAssigned(session.Id, agentId);
        Changed(session.Id);
        return SupportResult<SupportSession>.Done(assigned);
    }

    /// <summary>An agent takes a waiting session themselves (within their limit), or takes one over from the bot.</summary>
    public async Task<SupportResult<SupportSession>> TakeAsync(SupportSession session, SessionActor agent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(agent);
        if (session.State is not (SessionState.Queued or SessionState.Bot))
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, session.State == SessionState.Closed ? SupportExplanations.Text("Closed") : SupportExplanations.Text("HeldBy", session.AgentName));
        if (await LimitReachedAsync(agent.Id, agent.Name, cancellationToken) is { } limit)
            return SupportResult<SupportSession>.Fail(SupportError.AtLimit, limit);
        var from = session.State;
        if (from == SessionState.Bot)
            session = session with { QueuedAt = time.GetUtcNow(), HandoverReason = SupportStaffText.Write("Handover.TookOver", agent.Name) };
        return await AssignAsync(session, agent.Id, agent.Name, from, SupportSystemText.Write("Joined", agent.Name), cancellationToken);
    }

    private async Task<string?> LimitReachedAsync(string agentId, string name, CancellationToken cancellationToken)
    {
        var agent = await queueStore.AgentAsync(agentId, cancellationToken);
        var max = agent?.MaxSessions ?? Settings.DefaultMaxSessionsPerAgent;
        var open = agent?.OpenSessions ?? 0;
        return open >= max ? SupportExplanations.Text("AtLimit", name, open, max) : null;
    }

    /// <summary>
    /// Hands the session to another agent (within their limit), or back to the queue when <paramref name="toAgentId"/>
    /// is null; the note says why, for staff only.
    /// </summary>
    public async Task<SupportResult<SupportSession>> TransferAsync(SupportSession session, SessionActor from, string? toAgentId, string? note, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(from);
        if (session.State != SessionState.Assigned)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, SupportExplanations.Text("OnlyPersonTransfers"));
        if (note is { Length: > 1000 })
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, SupportExplanations.Text("TransferNoteLength"));
        var now = time.GetUtcNow();
        SupportSession moved;
        string announcement;
        if (toAgentId is null)
        {
            moved = session with { State = SessionState.Queued, AgentId = null, AgentName = null, QueuedAt = now };
            announcement = SupportSystemText.Write("BackInQueue");
        }
        else
        {
            if (toAgentId == session.AgentId)
                return SupportResult<SupportSession>.Fail(SupportError.Invalid, SupportExplanations.Text("AlreadyTheirs"));
            if (await accounts.GetAsync(toAgentId, cancellationToken) is not { Role: not AccountRole.Customer } target)
                return SupportResult<SupportSession>.Fail(SupportError.NotFound, SupportExplanations.Text("NoAgent", toAgentId));
            if (await LimitReachedAsync(target.Id, target.DisplayName, cancellationToken) is { } limit)
                return SupportResult<SupportSession>.Fail(SupportError.AtLimit, limit);
            moved = session with { AgentId = target.Id, AgentName = target.DisplayName };
            announcement = SupportSystemText.Write("Transferred", session.AgentName ?? "", target.DisplayName);
        }
        var messages = new List<NewMessage> { new(MessageKind.System, AuthorKind.System, System.Id, System.Name, announcement, false, null, now) };
        if (!string.IsNullOrWhiteSpace(note))
            messages.Add(new NewMessage(MessageKind.Text, AuthorKind.Agent, from.Id, from.Name, SupportStaffText.Write("TransferNote", note.Trim()), true, null, now));
        var (changed, _) = await sessionStore.UpdateAsync(moved, [SessionState.Assigned], messages, cancellationToken);
        if (!changed)
            return SupportResult<SupportSession>.Fail(SupportError.Conflict, SupportExplanations.Text("ChangedMeanwhile"));
        LogAssigned(session.Id, toAgentId ?? "(queue)");
        Changed(session.Id);
        await DispatchAsync(cancellationToken);
        return SupportResult<SupportSession>.Done(await sessionStore.GetAsync(session.Id, cancellationToken) ?? moved);
    }

    /// <summary>An agent starts or stops taking sessions; starting takes waiting ones at once.</summary>
    public async Task<SupportAgent> SetAvailableAsync(SessionActor agent, bool available, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        await queueStore.SetAgentAsync(agent.Id, agent.Name, available, null, Settings.DefaultMaxSessionsPerAgent, time.GetUtcNow(), cancellationToken);
        signals.NotifyQueue();
        if (available)
            await DispatchAsync(cancellationToken);
        return (await queueStore.AgentAsync(agent.Id, cancellationToken))!;
    }

    /// <summary>A supervisor sets how many sessions an agent holds at once.</summary>
    public async Task<SupportResult<SupportAgent>> SetLimitAsync(string agentId, int maxSessions, CancellationToken cancellationToken)
    {
        if (maxSessions is < 1 or > 50)
            return SupportResult<SupportAgent>.Fail(SupportError.Invalid, SupportExplanations.Text("AgentLimitRange"));
        if (await accounts.GetAsync(agentId, cancellationToken) is not { Role: not AccountRole.Customer } account)
            return SupportResult<SupportAgent>.Fail(SupportError.NotFound, SupportExplanations.Text("NoAgent", agentId));
        await queueStore.SetAgentAsync(agentId, account.DisplayName, null, maxSessions, Settings.DefaultMaxSessionsPerAgent, time.GetUtcNow(), cancellationToken);
        signals.NotifyQueue();
        await DispatchAsync(cancellationToken);
        return SupportResult<SupportAgent>.Done((await queueStore.AgentAsync(agentId, cancellationToken))!);
    }

    public void Dispose() => _dispatching.Dispose();

    private void Changed(string sessionId) => posting.Changed(sessionId);

    [LoggerMessage(EventId = SupportEventIds.SupportAssigned, Level = LogLevel.Information, Message = "Support session {SessionId} assigned to {AgentId}")]
    private partial void LogAssigned(string sessionId, string agentId);
}
