using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Support;

/// <summary>Who serves whom: the waiting sessions in the order to serve them, the agents who take them and what each holds.</summary>
public sealed class SupportQueueStore(Database database)
{
    /// <summary>
    /// Waiting sessions, the one to serve first at the top: waiting time counts, and each step of severity counts as
    /// <paramref name="severityHeadStart"/> of waiting.
    /// </summary>
    public Task<IReadOnlyList<SupportSession>> QueueAsync(TimeSpan severityHeadStart, CancellationToken cancellationToken) =>
        SessionsAsync("state = 'queued' ORDER BY queued_at_ms - priority * @headStart, opened_at_ms",
            new { headStart = (long)severityHeadStart.TotalMilliseconds }, cancellationToken);

    public Task<IReadOnlyList<SupportSession>> AssignedToAsync(string agentId, CancellationToken cancellationToken) =>
        SessionsAsync("agent_id = @agentId AND state = 'assigned' ORDER BY assigned_at_ms", new { agentId }, cancellationToken);

    /// <summary>Sessions with the assistant whose last message is older than <paramref name="before"/>.</summary>
    public Task<IReadOnlyList<SupportSession>> IdleBotSessionsAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        SessionsAsync("""
            state = 'bot' AND (SELECT MAX(m.at_ms) FROM support_messages m WHERE m.session_id = support_sessions.id) < @before
            ORDER BY opened_at_ms LIMIT 500
            """, new { before }, cancellationToken);

    /// <summary>Staff who take sessions, with how many each holds now.</summary>
    public Task<IReadOnlyList<SupportAgent>> AgentsAsync(CancellationToken cancellationToken) =>
        database.QueryAsync<SupportAgent>("""
            SELECT a.agent_id, a.name, a.available, a.max_sessions,
                (SELECT COUNT(*) FROM support_sessions s WHERE s.agent_id = a.agent_id AND s.state = 'assigned') AS open_sessions
            FROM support_agents a ORDER BY a.name, a.agent_id;
            """, null, cancellationToken);

    public async Task<SupportAgent?> AgentAsync(string agentId, CancellationToken cancellationToken) =>
        (await AgentsAsync(cancellationToken)).FirstOrDefault(a => a.AgentId == agentId);

    /// <summary>Creates the agent's row on first use; changes only what is given.</summary>
    public Task SetAgentAsync(string agentId, string name, bool? available, int? maxSessions, int defaultMaxSessions, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.ExecuteAsync("""
            INSERT INTO support_agents (agent_id, name, available, max_sessions, changed_at_ms)
            VALUES (@agentId, @name, COALESCE(@available, FALSE), COALESCE(@maxSessions, @defaultMaxSessions), @at)
            ON CONFLICT (agent_id) DO UPDATE SET name = excluded.name, available = COALESCE(@available, support_agents.available),
                max_sessions = COALESCE(@maxSessions, support_agents.max_sessions), changed_at_ms = excluded.changed_at_ms;
            """, new { agentId, name, available, maxSessions, defaultMaxSessions, at }, cancellationToken);

    private Task<IReadOnlyList<SupportSession>> SessionsAsync(string condition, object parameters, CancellationToken cancellationToken) =>
        database.QueryAsync<SupportSession>($"SELECT {SupportSessionStore.Columns} FROM support_sessions WHERE {condition};", parameters, cancellationToken);
}
