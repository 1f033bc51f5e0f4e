using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Support;

/// <summary>Supervisors' quality reviews of closed conversations, one per conversation.</summary>
public sealed class SupportReviewStore(Database database)
{
    private const string Columns = "session_id, agent_id, agent_name, reviewer_id, reviewer_name, score, comment, reviewed_at_ms, rubric";

    /// <summary>Stores the session's review, replacing the one before it.</summary>
    public Task SaveReviewAsync(SessionReview review, CancellationToken cancellationToken) =>
        database.ExecuteAsync($"""
            INSERT INTO support_reviews ({Columns}) VALUES (@SessionId, @AgentId, @AgentName, @ReviewerId, @ReviewerName, @Score, @Comment, @ReviewedAt, @Rubric)
            ON CONFLICT (session_id) DO UPDATE SET agent_id = excluded.agent_id, agent_name = excluded.agent_name, reviewer_id = excluded.reviewer_id,
                reviewer_name = excluded.reviewer_name, score = excluded.score, comment = excluded.comment, reviewed_at_ms = excluded.reviewed_at_ms, rubric = excluded.rubric;
            """, review, cancellationToken);

    public Task<SessionReview?> ReviewAsync(string sessionId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<SessionReview>($"SELECT {Columns} FROM support_reviews WHERE session_id = @sessionId;", new { sessionId }, cancellationToken);

    /// <summary>The reviews of the given sessions (a page of the history).</summary>
    public async Task<IReadOnlyList<SessionReview>> ReviewsOfSessionsAsync(IReadOnlyList<string> sessionIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionIds);
        return sessionIds.Count == 0 ? []
            : await database.QueryAsync<SessionReview>($"SELECT {Columns} FROM support_reviews WHERE {database.Dialect.InList("session_id", "@sessionIds")};", new { sessionIds = sessionIds.ToArray() }, cancellationToken);
    }

    /// <summary>Reviews of the conversations an agent held, newest first: their feedback.</summary>
    public Task<IReadOnlyList<SessionReview>> ReviewsOfAgentAsync(string agentId, int limit, CancellationToken cancellationToken) =>
        database.QueryAsync<SessionReview>($"SELECT {Columns} FROM support_reviews WHERE agent_id = @agentId ORDER BY reviewed_at_ms DESC LIMIT @limit;",
            new { agentId, limit }, cancellationToken);

    /// <summary>Reviews of the sessions closed in [from, to): the quality figure of the period.</summary>
    public Task<IReadOnlyList<SessionReview>> ReviewsOfClosedBetweenAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        database.QueryAsync<SessionReview>($"""
            SELECT {Schema.Qualified(Columns, "r")} FROM support_reviews r JOIN support_sessions s ON s.id = r.session_id
            WHERE s.closed_at_ms >= @from AND s.closed_at_ms < @to;
            """, new { from, to }, cancellationToken);
}
