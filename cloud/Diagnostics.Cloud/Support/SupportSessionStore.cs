using Dapper;
using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// Support sessions. A session changes state only from the state it was read in, with the messages that tell of the
/// change in the same transaction (<see cref="SupportMessageStore"/> numbers them).
/// </summary>
public sealed class SupportSessionStore(Database database)
{
    internal const string Columns =
        "id, customer_id, customer_name, device_id, state, agent_id, agent_name, opened_by, opened_at_ms, priority, handover_reason, queued_at_ms, " +
        "assigned_at_ms, first_response_at_ms, closed_at_ms, resolution, category, summary, solution, rating, rating_comment, last_seq AS last_sequence";

    private const string ChangingColumns = """
        state = @State, agent_id = @AgentId, agent_name = @AgentName, priority = @Priority, handover_reason = @HandoverReason,
        queued_at_ms = @QueuedAt, assigned_at_ms = @AssignedAt, first_response_at_ms = @FirstResponseAt, closed_at_ms = @ClosedAt,
        resolution = @Resolution, category = @Category, summary = @Summary, solution = @Solution, rating = @Rating, rating_comment = @RatingComment
        """;

    /// <summary>
    /// Stores a new session with its first messages, all or nothing. With a <paramref name="clientId"/> the customer
    /// already opened a session with, nothing is stored and that session is answered (<c>Repeated</c>).
    /// </summary>
    public async Task<(SupportSession Session, bool Repeated)> CreateAsync(
        SupportSession session, IReadOnlyList<NewMessage> first, string? clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(first);
        await using var db = await database.BeginAsync(cancellationToken);
        if (clientId is not null
            && await db.QueryFirstOrDefaultAsync<SupportSession>($"SELECT {Columns} FROM support_sessions WHERE customer_id = @CustomerId AND client_id = @clientId;",
                new { session.CustomerId, clientId }, cancellationToken) is { } openedBefore)
        {
            return (openedBefore, true);
        }
        var parameters = new DynamicParameters(session);
        parameters.Add("clientId", clientId);
        await db.ExecuteAsync("""
            INSERT INTO support_sessions (id, customer_id, customer_name, device_id, state, agent_id, agent_name, opened_by, opened_at_ms, priority,
                handover_reason, queued_at_ms, assigned_at_ms, first_response_at_ms, closed_at_ms, resolution, category, summary, solution, rating,
                rating_comment, last_seq, client_id)
            VALUES (@Id, @CustomerId, @CustomerName, @DeviceId, @State, @AgentId, @AgentName, @OpenedBy, @OpenedAt, @Priority, @HandoverReason, @QueuedAt,
                @AssignedAt, @FirstResponseAt, @ClosedAt, @Resolution, @Category, @Summary, @Solution, @Rating, @RatingComment, 0, @clientId);
            """, parameters, cancellationToken);
        foreach (var message in first)
            await SupportMessageStore.AppendAsync(db, session.Id, message, cancellationToken);
        await db.CommitAsync(cancellationToken);
        return (session with { LastSequence = first.Count }, false);
    }

    /// <summary>
    /// Writes the session's changed state if it is still in one of <paramref name="from"/>, with the messages that
    /// tell of it; false (and nothing written) when someone else changed it first.
    /// </summary>
    public async Task<(bool Changed, IReadOnlyList<SupportMessage> Messages)> UpdateAsync(
        SupportSession updated, IReadOnlyCollection<SessionState> from, IReadOnlyList<NewMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(messages);
        await using var db = await database.BeginAsync(cancellationToken);
        var parameters = new DynamicParameters(updated);
        parameters.Add("fromStates", from.Select(s => StorageMapping.ToStorage(s)).ToList());
        if (await db.ExecuteAsync($"UPDATE support_sessions SET {ChangingColumns} WHERE id = @Id AND {database.Dialect.InList("state", "@fromStates")};", parameters, cancellationToken) == 0)
            return (false, []);
        var stored = new List<SupportMessage>();
        foreach (var message in messages)
            stored.Add((await SupportMessageStore.AppendAsync(db, updated.Id, message, cancellationToken)).Message);
        await db.CommitAsync(cancellationToken);
        return (true, stored);
    }

    /// <summary>The first agent's word to a customer who waited: kept once, for the first-response figure.</summary>
    public Task MarkFirstResponseAsync(string sessionId, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE support_sessions SET first_response_at_ms = @at WHERE id = @sessionId AND first_response_at_ms IS NULL AND queued_at_ms IS NOT NULL;",
            new { sessionId, at }, cancellationToken);

    /// <summary>The customer has seen the session up to <paramref name="sequence"/> (never moves back).</summary>
    public Task MarkSeenByCustomerAsync(string sessionId, long sequence, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE support_sessions SET customer_read_seq = @sequence WHERE id = @sessionId AND customer_read_seq < @sequence;",
            new { sessionId, sequence }, cancellationToken);

    /// <summary>How many of the customer's sessions have something from support (an agent, the assistant, the system) they have not seen.</summary>
    public async Task<long> UnreadSessionsAsync(string customerId, CancellationToken cancellationToken) =>
        await database.QueryFirstOrDefaultAsync<long>("""
            SELECT COUNT(*) FROM support_sessions s
            WHERE s.customer_id = @customerId AND EXISTS (SELECT 1 FROM support_messages m
                WHERE m.session_id = s.id AND m.seq > s.customer_read_seq AND m.internal = FALSE AND m.author_kind <> 'customer');
            """, new { customerId }, cancellationToken);

    public Task<SupportSession?> GetAsync(string sessionId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<SupportSession>($"SELECT {Columns} FROM support_sessions WHERE id = @sessionId;", new { sessionId }, cancellationToken);

    public Task<IReadOnlyList<SupportSession>> SessionsOfCustomerAsync(string customerId, CancellationToken cancellationToken) =>
        WhereAsync("customer_id = @customerId ORDER BY opened_at_ms DESC LIMIT 100", new { customerId }, cancellationToken);

    public Task<IReadOnlyList<SupportSession>> OpenSessionsAsync(CancellationToken cancellationToken) =>
        WhereAsync("state <> 'closed' ORDER BY opened_at_ms", null, cancellationToken);

    public Task<IReadOnlyList<SupportSession>> OpenSessionsOfDeviceAsync(string deviceId, CancellationToken cancellationToken) =>
        WhereAsync("device_id = @deviceId AND state <> 'closed' ORDER BY opened_at_ms", new { deviceId }, cancellationToken);

    /// <summary>Sessions for the supervisor's history: words in the summary, solution, names, device or messages; newest first.</summary>
    /// <param name="reviewed">Only those a supervisor reviewed (true) or closed ones nobody reviewed yet (false).</param>
    public Task<IReadOnlyList<SupportSession>> SearchAsync(
        string? text, string? category, string? agentId, int limit, CancellationToken cancellationToken, bool? reviewed = null)
    {
        var conditions = new List<string> { "1 = 1" };
        var like = $"{database.Dialect.LikeIgnoringCase} @text ESCAPE '\\'";
        if (!string.IsNullOrWhiteSpace(text))
        {
            conditions.Add($"""
                (summary {like} OR solution {like} OR customer_name {like} OR agent_name {like} OR device_id {like} OR category {like}
                 OR EXISTS (SELECT 1 FROM support_messages m WHERE m.session_id = support_sessions.id AND m.kind = 'text' AND m.body {like}))
                """);
        }
        if (!string.IsNullOrWhiteSpace(category))
            conditions.Add("category = @category");
        if (!string.IsNullOrWhiteSpace(agentId))
            conditions.Add("agent_id = @agentId");
        if (reviewed is { } wanted)
        {
            conditions.Add(wanted
                ? "EXISTS (SELECT 1 FROM support_reviews r WHERE r.session_id = support_sessions.id)"
                : "state = 'closed' AND NOT EXISTS (SELECT 1 FROM support_reviews r WHERE r.session_id = support_sessions.id)");
        }
        var pattern = text is null ? null
            : "%" + text.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        return WhereAsync($"{string.Join(" AND ", conditions)} ORDER BY opened_at_ms DESC LIMIT @limit", new { text = pattern, category, agentId, limit }, cancellationToken);
    }

    /// <summary>Sessions closed in [from, to): what the figures are computed over.</summary>
    public Task<IReadOnlyList<SupportSession>> ClosedBetweenAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        WhereAsync("state = 'closed' AND closed_at_ms >= @from AND closed_at_ms < @to", new { from, to }, cancellationToken);

    private Task<IReadOnlyList<SupportSession>> WhereAsync(string condition, object? parameters, CancellationToken cancellationToken) =>
        database.QueryAsync<SupportSession>($"SELECT {Columns} FROM support_sessions WHERE {condition};", parameters, cancellationToken);
}
