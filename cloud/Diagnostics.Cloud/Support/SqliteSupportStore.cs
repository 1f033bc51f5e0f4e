using System.Globalization;
using Diagnostics.Cloud.Storage;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// Sessions, their messages, pictures, the agents who take them and canned replies. A message gets the next number of
/// its session in the transaction that stores it, so numbers have no gaps and follow the order of storing; a message
/// re-sent with the same client id is stored once. A session changes state only from the state it was read in, with
/// the messages that tell of the change in the same transaction.
/// </summary>
public sealed class SqliteSupportStore(SqliteConnectionFactory connections)
{
    private const string SessionColumns =
        "id, customer_id, customer_name, device_id, state, agent_id, agent_name, opened_by, opened_at_ms, priority, handover_reason, queued_at_ms, " +
        "assigned_at_ms, first_response_at_ms, closed_at_ms, resolution, category, summary, solution, rating, rating_comment, last_seq";
    private const string MessageColumns = "session_id, seq, kind, author_kind, author_id, author_name, body, internal, client_id, at_ms";

    /// <summary>
    /// Stores a new session with its first messages, all or nothing. With a <paramref name="clientId"/> the customer
    /// already opened a session with, nothing is stored and that session is answered (<c>Repeated</c>).
    /// </summary>
    public async Task<(SupportSession Session, bool Repeated)> CreateAsync(
        SupportSession session, IReadOnlyList<NewMessage> first, string? clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(first);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        if (clientId is not null)
        {
            await using var existing = connection.CreateCommand();
            existing.Transaction = transaction;
            existing.CommandText = "SELECT id FROM support_sessions WHERE customer_id = $customer AND client_id = $client;";
            existing.Parameters.AddWithValue("$customer", session.CustomerId);
            existing.Parameters.AddWithValue("$client", clientId);
            if (await existing.ExecuteScalarAsync(cancellationToken) is string openedBefore)
            {
                await transaction.RollbackAsync(cancellationToken);
                return ((await GetAsync(openedBefore, cancellationToken))!, true);
            }
        }
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = $"""
                INSERT INTO support_sessions ({SessionColumns}, client_id) VALUES ($id, $customer, $customerName, $device, $state, $agent, $agentName, $by, $at,
                    $priority, $reason, $queued, $assigned, $firstResponse, $closed, $resolution, $category, $summary, $solution, $rating, $ratingComment, 0, $client);
                """;
            insert.Parameters.AddWithValue("$client", (object?)clientId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$id", session.Id);
            insert.Parameters.AddWithValue("$customer", session.CustomerId);
            insert.Parameters.AddWithValue("$customerName", session.CustomerName);
            insert.Parameters.AddWithValue("$device", (object?)session.DeviceId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$by", session.OpenedBy);
            insert.Parameters.AddWithValue("$at", session.OpenedAt.ToUnixTimeMilliseconds());
            AddMutable(insert, session);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var message in first)
            await AppendAsync(connection, transaction, session.Id, message, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
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
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var update = connection.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = $"""
                UPDATE support_sessions SET state = $state, agent_id = $agent, agent_name = $agentName, priority = $priority, handover_reason = $reason,
                    queued_at_ms = $queued, assigned_at_ms = $assigned, first_response_at_ms = $firstResponse, closed_at_ms = $closed,
                    resolution = $resolution, category = $category, summary = $summary, solution = $solution, rating = $rating, rating_comment = $ratingComment
                WHERE id = $id AND state IN ({string.Join(", ", from.Select(s => $"'{s.ToStorage()}'"))});
                """;
            update.Parameters.AddWithValue("$id", updated.Id);
            AddMutable(update, updated);
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
                return (false, []);
        }
        var stored = new List<SupportMessage>();
        foreach (var message in messages)
            stored.Add((await AppendAsync(connection, transaction, updated.Id, message, cancellationToken)).Message);
        await transaction.CommitAsync(cancellationToken);
        return (true, stored);
    }

    private static void AddMutable(SqliteCommand command, SupportSession session)
    {
        command.Parameters.AddWithValue("$state", session.State.ToStorage());
        command.Parameters.AddWithValue("$agent", (object?)session.AgentId ?? DBNull.Value);
        command.Parameters.AddWithValue("$agentName", (object?)session.AgentName ?? DBNull.Value);
        command.Parameters.AddWithValue("$priority", session.Priority);
        command.Parameters.AddWithValue("$reason", (object?)session.HandoverReason ?? DBNull.Value);
        command.Parameters.AddWithValue("$queued", Millis(session.QueuedAt));
        command.Parameters.AddWithValue("$assigned", Millis(session.AssignedAt));
        command.Parameters.AddWithValue("$firstResponse", Millis(session.FirstResponseAt));
        command.Parameters.AddWithValue("$closed", Millis(session.ClosedAt));
        command.Parameters.AddWithValue("$resolution", (object?)session.Resolution?.ToStorage() ?? DBNull.Value);
        command.Parameters.AddWithValue("$category", (object?)session.Category ?? DBNull.Value);
        command.Parameters.AddWithValue("$summary", (object?)session.Summary ?? DBNull.Value);
        command.Parameters.AddWithValue("$solution", (object?)session.Solution ?? DBNull.Value);
        command.Parameters.AddWithValue("$rating", (object?)session.Rating ?? DBNull.Value);
        command.Parameters.AddWithValue("$ratingComment", (object?)session.RatingComment ?? DBNull.Value);
    }

    private static object Millis(DateTimeOffset? at) => at is { } value ? value.ToUnixTimeMilliseconds() : DBNull.Value;

    /// <summary>Stores a message as the session's next; a repeat of a client id answers the message stored the first time.</summary>
    public async Task<(SupportMessage Message, bool Repeated)> AppendAsync(string sessionId, NewMessage message, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var result = await AppendAsync(connection, transaction, sessionId, message, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private static async Task<(SupportMessage Message, bool Repeated)> AppendAsync(
        SqliteConnection connection, SqliteTransaction transaction, string sessionId, NewMessage message, CancellationToken cancellationToken)
    {
        if (message.ClientId is { } clientId)
        {
            await using var existing = connection.CreateCommand();
            existing.Transaction = transaction;
            existing.CommandText = $"SELECT {MessageColumns} FROM support_messages WHERE session_id = $session AND client_id = $client;";
            existing.Parameters.AddWithValue("$session", sessionId);
            existing.Parameters.AddWithValue("$client", clientId);
            await using var reader = await existing.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
                return (ReadMessage(reader), true);
        }
        long sequence;
        await using (var next = connection.CreateCommand())
        {
            next.Transaction = transaction;
            next.CommandText = "UPDATE support_sessions SET last_seq = last_seq + 1 WHERE id = $session RETURNING last_seq;";
            next.Parameters.AddWithValue("$session", sessionId);
            sequence = Convert.ToInt64(await next.ExecuteScalarAsync(cancellationToken) ?? throw new InvalidOperationException($"no support session {sessionId}"),
                CultureInfo.InvariantCulture);
        }
        var stored = new SupportMessage(sessionId, sequence, message.Kind, message.AuthorKind, message.AuthorId, message.AuthorName, message.Body,
            message.Internal, message.ClientId, message.At);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO support_messages ({MessageColumns}) VALUES ($session, $seq, $kind, $authorKind, $authorId, $authorName, $body, $internal, $client, $at);";
        insert.Parameters.AddWithValue("$session", sessionId);
        insert.Parameters.AddWithValue("$seq", sequence);
        insert.Parameters.AddWithValue("$kind", message.Kind.ToStorage());
        insert.Parameters.AddWithValue("$authorKind", message.AuthorKind.ToString().ToLowerInvariant());
        insert.Parameters.AddWithValue("$authorId", message.AuthorId);
        insert.Parameters.AddWithValue("$authorName", message.AuthorName);
        insert.Parameters.AddWithValue("$body", message.Body);
        insert.Parameters.AddWithValue("$internal", message.Internal ? 1 : 0);
        insert.Parameters.AddWithValue("$client", (object?)message.ClientId ?? DBNull.Value);
        insert.Parameters.AddWithValue("$at", message.At.ToUnixTimeMilliseconds());
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return (stored, false);
    }

    /// <summary>The first agent's word to a customer who waited: kept once, for the first-response figure.</summary>
    public Task MarkFirstResponseAsync(string sessionId, DateTimeOffset at, CancellationToken cancellationToken) =>
        connections.ExecuteAsync("UPDATE support_sessions SET first_response_at_ms = $at WHERE id = $id AND first_response_at_ms IS NULL AND queued_at_ms IS NOT NULL;",
            cancellationToken, ("$id", sessionId), ("$at", at.ToUnixTimeMilliseconds()));

    /// <summary>The customer has seen the session up to <paramref name="sequence"/> (never moves back).</summary>
    public Task MarkSeenByCustomerAsync(string sessionId, long sequence, CancellationToken cancellationToken) =>
        connections.ExecuteAsync("UPDATE support_sessions SET customer_read_seq = $seq WHERE id = $id AND customer_read_seq < $seq;",
            cancellationToken, ("$id", sessionId), ("$seq", sequence));

    /// <summary>How many of the customer's sessions have something from support (an agent, the assistant, the system) they have not seen.</summary>
    public async Task<long> UnreadSessionsAsync(string customerId, CancellationToken cancellationToken) =>
        (await connections.QueryAsync("""
            SELECT COUNT(*) FROM support_sessions s
            WHERE s.customer_id = $customer AND EXISTS (SELECT 1 FROM support_messages m
                WHERE m.session_id = s.id AND m.seq > s.customer_read_seq AND m.internal = 0 AND m.author_kind <> 'customer');
            """, reader => reader.GetInt64(0), cancellationToken, ("$customer", customerId)))[0];

    /// <summary>The messages after <paramref name="afterSequence"/>, in order; internal notes only when asked for.</summary>
    public async Task<IReadOnlyList<SupportMessage>> MessagesAsync(string sessionId, long afterSequence, bool includeInternal, int limit, CancellationToken cancellationToken) =>
        await connections.QueryAsync($"""
            SELECT {MessageColumns} FROM support_messages
            WHERE session_id = $session AND seq > $after {(includeInternal ? "" : "AND internal = 0")}
            ORDER BY seq LIMIT $limit;
            """, ReadMessage, cancellationToken, ("$session", sessionId), ("$after", afterSequence), ("$limit", limit));

    /// <summary>The session's messages of one kind, in order (its cards, for instance).</summary>
    public async Task<IReadOnlyList<SupportMessage>> MessagesOfKindAsync(string sessionId, MessageKind kind, CancellationToken cancellationToken) =>
        await connections.QueryAsync($"SELECT {MessageColumns} FROM support_messages WHERE session_id = $session AND kind = $kind ORDER BY seq;",
            ReadMessage, cancellationToken, ("$session", sessionId), ("$kind", kind.ToStorage()));

    /// <summary>Cards of one kind in sessions that are not closed: what the fix watcher follows.</summary>
    public async Task<IReadOnlyList<SupportMessage>> OpenSessionCardsAsync(MessageKind kind, CancellationToken cancellationToken) =>
        await connections.QueryAsync($"""
            SELECT {Schema.Qualified(MessageColumns, "m")} FROM support_messages m JOIN support_sessions s ON s.id = m.session_id
            WHERE s.state <> 'closed' AND m.kind = $kind ORDER BY m.session_id, m.seq;
            """, ReadMessage, cancellationToken, ("$kind", kind.ToStorage()));

    public async Task<SupportSession?> GetAsync(string sessionId, CancellationToken cancellationToken) =>
        await ReadSessionsAsync("WHERE id = $id", cancellationToken, ("$id", sessionId)) is [var first, ..] ? first : null;

    public Task<IReadOnlyList<SupportSession>> SessionsOfCustomerAsync(string customerId, CancellationToken cancellationToken) =>
        ReadSessionsAsync("WHERE customer_id = $customer ORDER BY opened_at_ms DESC LIMIT 100", cancellationToken, ("$customer", customerId));

    public Task<IReadOnlyList<SupportSession>> OpenSessionsAsync(CancellationToken cancellationToken) =>
        ReadSessionsAsync("WHERE state <> 'closed' ORDER BY opened_at_ms", cancellationToken);

    public Task<IReadOnlyList<SupportSession>> OpenSessionsOfDeviceAsync(string deviceId, CancellationToken cancellationToken) =>
        ReadSessionsAsync("WHERE device_id = $device AND state <> 'closed' ORDER BY opened_at_ms", cancellationToken, ("$device", deviceId));

    public Task<IReadOnlyList<SupportSession>> AssignedToAsync(string agentId, CancellationToken cancellationToken) =>
        ReadSessionsAsync("WHERE agent_id = $agent AND state = 'assigned' ORDER BY assigned_at_ms", cancellationToken, ("$agent", agentId));

    /// <summary>Sessions with the assistant whose last message is older than <paramref name="before"/>.</summary>
    public Task<IReadOnlyList<SupportSession>> IdleBotSessionsAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        ReadSessionsAsync("""
            WHERE state = 'bot' AND (SELECT MAX(m.at_ms) FROM support_messages m WHERE m.session_id = support_sessions.id) < $before
            ORDER BY opened_at_ms LIMIT 500
            """, cancellationToken, ("$before", before.ToUnixTimeMilliseconds()));

    /// <summary>
    /// Waiting sessions, the one to serve first at the top: waiting time counts, and each step of severity counts as
    /// <paramref name="severityHeadStart"/> of waiting.
    /// </summary>
    public Task<IReadOnlyList<SupportSession>> QueueAsync(TimeSpan severityHeadStart, CancellationToken cancellationToken) =>
        ReadSessionsAsync("WHERE state = 'queued' ORDER BY queued_at_ms - priority * $headStart, opened_at_ms", cancellationToken,
            ("$headStart", (long)severityHeadStart.TotalMilliseconds));

    /// <summary>Sessions for the supervisor's history: words in the summary, solution, names, device or messages; newest first.</summary>
    /// <param name="reviewed">Only those a supervisor reviewed (true) or closed ones nobody reviewed yet (false).</param>
    public Task<IReadOnlyList<SupportSession>> SearchAsync(
        string? text, string? category, string? agentId, int limit, CancellationToken cancellationToken, bool? reviewed = null)
    {
        var conditions = new List<string>();
        var parameters = new List<(string, object)> { ("$limit", limit) };
        if (!string.IsNullOrWhiteSpace(text))
        {
            conditions.Add("""
                (summary LIKE $text ESCAPE '\' OR solution LIKE $text ESCAPE '\' OR customer_name LIKE $text ESCAPE '\' OR agent_name LIKE $text ESCAPE '\'
                 OR device_id LIKE $text ESCAPE '\' OR category LIKE $text ESCAPE '\'
                 OR EXISTS (SELECT 1 FROM support_messages m WHERE m.session_id = support_sessions.id AND m.kind = 'text' AND m.body LIKE $text ESCAPE '\'))
                """);
            parameters.Add(("$text", "%" + text.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%"));
        }
        if (!string.IsNullOrWhiteSpace(category))
        {
            conditions.Add("category = $category");
            parameters.Add(("$category", category));
        }
        if (!string.IsNullOrWhiteSpace(agentId))
        {
            conditions.Add("agent_id = $agent");
            parameters.Add(("$agent", agentId));
        }
        if (reviewed is { } wanted)
            conditions.Add(wanted
                ? "EXISTS (SELECT 1 FROM support_reviews r WHERE r.session_id = support_sessions.id)"
                : "state = 'closed' AND NOT EXISTS (SELECT 1 FROM support_reviews r WHERE r.session_id = support_sessions.id)");
        var where = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
        return ReadSessionsAsync($"{where} ORDER BY opened_at_ms DESC LIMIT $limit", cancellationToken, [.. parameters]);
    }

    /// <summary>Sessions closed in [from, to): what the figures are computed over.</summary>
    public Task<IReadOnlyList<SupportSession>> ClosedBetweenAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadSessionsAsync("WHERE state = 'closed' AND closed_at_ms >= $from AND closed_at_ms < $to", cancellationToken,
            ("$from", from.ToUnixTimeMilliseconds()), ("$to", to.ToUnixTimeMilliseconds()));

    private async Task<IReadOnlyList<SupportSession>> ReadSessionsAsync(string where, CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        await connections.QueryAsync($"SELECT {SessionColumns} FROM support_sessions {where};", reader => new SupportSession(
            reader.GetString(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3),
            Enum.Parse<SessionState>(reader.GetString(4), ignoreCase: true), NullableString(reader, 5), NullableString(reader, 6), reader.GetString(7),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)), reader.GetInt32(9), NullableString(reader, 10), NullableTime(reader, 11),
            NullableTime(reader, 12), NullableTime(reader, 13), NullableTime(reader, 14),
            reader.IsDBNull(15) ? null : Enum.Parse<SessionResolution>(reader.GetString(15), ignoreCase: true),
            NullableString(reader, 16), NullableString(reader, 17), NullableString(reader, 18), reader.IsDBNull(19) ? null : reader.GetInt32(19),
            NullableString(reader, 20), reader.GetInt64(21)), cancellationToken, parameters);

    private static string? NullableString(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    private static DateTimeOffset? NullableTime(SqliteDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(column));

    private static SupportMessage ReadMessage(SqliteDataReader reader) => new(
        reader.GetString(0), reader.GetInt64(1), SupportStates.ParseKind(reader.GetString(2)), Enum.Parse<AuthorKind>(reader.GetString(3), ignoreCase: true),
        reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetInt32(7) != 0, reader.IsDBNull(8) ? null : reader.GetString(8),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)));

    // Agents.

    /// <summary>Staff who take sessions, with how many each holds now.</summary>
    public async Task<IReadOnlyList<SupportAgent>> AgentsAsync(CancellationToken cancellationToken) =>
        await connections.QueryAsync("""
            SELECT a.agent_id, a.name, a.available, a.max_sessions,
                (SELECT COUNT(*) FROM support_sessions s WHERE s.agent_id = a.agent_id AND s.state = 'assigned')
            FROM support_agents a ORDER BY a.name, a.agent_id;
            """, reader => new SupportAgent(reader.GetString(0), reader.GetString(1), reader.GetInt32(2) != 0, reader.GetInt32(3), reader.GetInt32(4)), cancellationToken);

    public async Task<SupportAgent?> AgentAsync(string agentId, CancellationToken cancellationToken) =>
        (await AgentsAsync(cancellationToken)).FirstOrDefault(a => a.AgentId == agentId);

    /// <summary>Creates the agent's row on first use; changes only what is given.</summary>
    public Task SetAgentAsync(string agentId, string name, bool? available, int? maxSessions, int defaultMaxSessions, DateTimeOffset at, CancellationToken cancellationToken) =>
        connections.ExecuteAsync("""
            INSERT INTO support_agents (agent_id, name, available, max_sessions, changed_at_ms) VALUES ($id, $name, COALESCE($available, 0), COALESCE($max, $default), $at)
            ON CONFLICT (agent_id) DO UPDATE SET name = excluded.name, available = COALESCE($available, available), max_sessions = COALESCE($max, max_sessions),
                changed_at_ms = excluded.changed_at_ms;
            """, cancellationToken, ("$id", agentId), ("$name", name), ("$available", available is { } a ? (a ? 1 : 0) : DBNull.Value),
            ("$max", (object?)maxSessions ?? DBNull.Value), ("$default", defaultMaxSessions), ("$at", at.ToUnixTimeMilliseconds()));

    // Quality reviews.

    private const string ReviewColumns = "session_id, agent_id, agent_name, reviewer_id, reviewer_name, score, comment, reviewed_at_ms";

    /// <summary>Stores the session's review, replacing the one before it.</summary>
    public Task SaveReviewAsync(SessionReview review, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(review);
        return connections.ExecuteAsync($"""
            INSERT INTO support_reviews ({ReviewColumns}) VALUES ($session, $agent, $agentName, $reviewer, $reviewerName, $score, $comment, $at)
            ON CONFLICT (session_id) DO UPDATE SET agent_id = excluded.agent_id, agent_name = excluded.agent_name, reviewer_id = excluded.reviewer_id,
                reviewer_name = excluded.reviewer_name, score = excluded.score, comment = excluded.comment, reviewed_at_ms = excluded.reviewed_at_ms;
            """, cancellationToken, ("$session", review.SessionId), ("$agent", (object?)review.AgentId ?? DBNull.Value), ("$agentName", (object?)review.AgentName ?? DBNull.Value),
            ("$reviewer", review.ReviewerId), ("$reviewerName", review.ReviewerName), ("$score", review.Score), ("$comment", (object?)review.Comment ?? DBNull.Value),
            ("$at", review.ReviewedAt.ToUnixTimeMilliseconds()));
    }

    public async Task<SessionReview?> ReviewAsync(string sessionId, CancellationToken cancellationToken) =>
        await connections.QueryAsync($"SELECT {ReviewColumns} FROM support_reviews WHERE session_id = $session;", ReadReview, cancellationToken,
            ("$session", sessionId)) is [var review, ..] ? review : null;

    /// <summary>The reviews of the given sessions (a page of the history).</summary>
    public async Task<IReadOnlyList<SessionReview>> ReviewsOfSessionsAsync(IReadOnlyList<string> sessionIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionIds);
        if (sessionIds.Count == 0)
            return [];
        // One parameter per id: the ids are never spliced into the statement.
        var names = sessionIds.Select((_, i) => $"$s{i}").ToList();
        return await connections.QueryAsync($"SELECT {ReviewColumns} FROM support_reviews WHERE session_id IN ({string.Join(", ", names)});", ReadReview,
            cancellationToken, [.. sessionIds.Select((id, i) => (names[i], (object)id))]);
    }

    /// <summary>Reviews of the conversations an agent held, newest first: their feedback.</summary>
    public async Task<IReadOnlyList<SessionReview>> ReviewsOfAgentAsync(string agentId, int limit, CancellationToken cancellationToken) =>
        await connections.QueryAsync($"SELECT {ReviewColumns} FROM support_reviews WHERE agent_id = $agent ORDER BY reviewed_at_ms DESC LIMIT $limit;",
            ReadReview, cancellationToken, ("$agent", agentId), ("$limit", limit));

    /// <summary>Reviews of the sessions closed in [from, to): the quality figure of the period.</summary>
    public async Task<IReadOnlyList<SessionReview>> ReviewsOfClosedBetweenAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        await connections.QueryAsync($"""
            SELECT {Schema.Qualified(ReviewColumns, "r")} FROM support_reviews r JOIN support_sessions s ON s.id = r.session_id
            WHERE s.closed_at_ms >= $from AND s.closed_at_ms < $to;
            """, ReadReview, cancellationToken, ("$from", from.ToUnixTimeMilliseconds()), ("$to", to.ToUnixTimeMilliseconds()));

    private static SessionReview ReadReview(SqliteDataReader reader) => new(
        reader.GetString(0), NullableString(reader, 1), NullableString(reader, 2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5),
        NullableString(reader, 6), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)));

    // Canned replies.

    public async Task<IReadOnlyList<CannedReply>> CannedRepliesAsync(CancellationToken cancellationToken) =>
        await connections.QueryAsync("SELECT id, title, body, created_by, created_at_ms FROM support_canned_replies ORDER BY title;",
            reader => new CannedReply(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))),
            cancellationToken);

    public Task AddCannedReplyAsync(CannedReply reply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return connections.ExecuteAsync("INSERT INTO support_canned_replies (id, title, body, created_by, created_at_ms) VALUES ($id, $title, $body, $by, $at);",
            cancellationToken, ("$id", reply.Id), ("$title", reply.Title), ("$body", reply.Body), ("$by", reply.CreatedBy), ("$at", reply.CreatedAt.ToUnixTimeMilliseconds()));
    }

    public async Task<bool> DeleteCannedReplyAsync(string id, CancellationToken cancellationToken) =>
        await connections.ExecuteAsync("DELETE FROM support_canned_replies WHERE id = $id;", cancellationToken, ("$id", id)) > 0;

    // Pictures.

    public Task AddImageAsync(SupportImage image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        return connections.ExecuteAsync("INSERT INTO support_images (id, session_id, content_type, bytes, sha256, content) VALUES ($id, $session, $type, $bytes, $sha, $content);",
            cancellationToken, ("$id", image.Id), ("$session", image.SessionId), ("$type", image.ContentType), ("$bytes", image.Bytes), ("$sha", image.Sha256), ("$content", image.Content));
    }

    public async Task<SupportImage?> ImageAsync(string sessionId, string imageId, CancellationToken cancellationToken) =>
        await connections.QueryAsync("SELECT id, session_id, content_type, bytes, sha256, content FROM support_images WHERE id = $id AND session_id = $session;",
            reader => new SupportImage(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4), (byte[])reader.GetValue(5)),
            cancellationToken, ("$id", imageId), ("$session", sessionId)) is [var image, ..] ? image : null;
}

/// <summary>A message to store; the store gives it its number.</summary>
public sealed record NewMessage(MessageKind Kind, AuthorKind AuthorKind, string AuthorId, string AuthorName, string Body, bool Internal, string? ClientId, DateTimeOffset At);
