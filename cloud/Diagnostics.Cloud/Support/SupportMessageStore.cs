using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Support;

/// <summary>A message to store; the store gives it its number.</summary>
public sealed record NewMessage(MessageKind Kind, AuthorKind AuthorKind, string AuthorId, string AuthorName, string Body, bool Internal, string? ClientId, DateTimeOffset At);

/// <summary>
/// The messages of support sessions and the pictures sent in them. A message gets the next number of its session in
/// the transaction that stores it, so numbers have no gaps and follow the order of storing; a message re-sent with
/// the same client id is stored once.
/// </summary>
public sealed class SupportMessageStore(Database database)
{
    private const string Columns = "session_id, seq AS sequence, kind, author_kind, author_id, author_name, body, internal, client_id, at_ms";

    /// <summary>Stores a message as the session's next; a repeat of a client id answers the message stored the first time.</summary>
    public async Task<(SupportMessage Message, bool Repeated)> AppendAsync(string sessionId, NewMessage message, CancellationToken cancellationToken)
    {
        await using var db = await database.BeginAsync(cancellationToken);
        var result = await AppendAsync(db, sessionId, message, cancellationToken);
        await db.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Appends in the caller's transaction, with the session change the message tells of.</summary>
    internal static async Task<(SupportMessage Message, bool Repeated)> AppendAsync(DbSession db, string sessionId, NewMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.ClientId is { } clientId
            && await db.QueryFirstOrDefaultAsync<SupportMessage>($"SELECT {Columns} FROM support_messages WHERE session_id = @sessionId AND client_id = @clientId;",
                new { sessionId, clientId }, cancellationToken) is { } storedBefore)
        {
            return (storedBefore, true);
        }
        var sequence = await db.QueryFirstOrDefaultAsync<long?>("UPDATE support_sessions SET last_seq = last_seq + 1 WHERE id = @sessionId RETURNING last_seq;",
            new { sessionId }, cancellationToken) ?? throw new InvalidOperationException($"no support session {sessionId}");
        // The time as at_ms keeps it (whole milliseconds): a poster's answer says what every later reader reads.
        var stored = new SupportMessage(sessionId, sequence, message.Kind, message.AuthorKind, message.AuthorId, message.AuthorName, message.Body,
            message.Internal, message.ClientId, DateTimeOffset.FromUnixTimeMilliseconds(message.At.ToUnixTimeMilliseconds()));
        await db.ExecuteAsync("""
            INSERT INTO support_messages (session_id, seq, kind, author_kind, author_id, author_name, body, internal, client_id, at_ms)
            VALUES (@SessionId, @Sequence, @Kind, @AuthorKind, @AuthorId, @AuthorName, @Body, @Internal, @ClientId, @At);
            """, stored, cancellationToken);
        return (stored, false);
    }

    /// <summary>The messages after <paramref name="afterSequence"/>, in order; internal notes only when asked for.</summary>
    public Task<IReadOnlyList<SupportMessage>> MessagesAsync(string sessionId, long afterSequence, bool includeInternal, int limit, CancellationToken cancellationToken) =>
        database.QueryAsync<SupportMessage>($"""
            SELECT {Columns} FROM support_messages
            WHERE session_id = @sessionId AND seq > @afterSequence {(includeInternal ? "" : "AND internal = FALSE")}
            ORDER BY seq LIMIT @limit;
            """, new { sessionId, afterSequence, limit }, cancellationToken);

    /// <summary>The session's messages of one kind, in order (its cards, for instance).</summary>
    public Task<IReadOnlyList<SupportMessage>> MessagesOfKindAsync(string sessionId, MessageKind kind, CancellationToken cancellationToken) =>
        database.QueryAsync<SupportMessage>($"SELECT {Columns} FROM support_messages WHERE session_id = @sessionId AND kind = @kind ORDER BY seq;",
            new { sessionId, kind }, cancellationToken);

    /// <summary>Cards of one kind in sessions that are not closed: what the fix watcher follows.</summary>
    public Task<IReadOnlyList<SupportMessage>> OpenSessionCardsAsync(MessageKind kind, CancellationToken cancellationToken) =>
        database.QueryAsync<SupportMessage>($"""
            SELECT {Schema.Qualified(Columns, "m")} FROM support_messages m JOIN support_sessions s ON s.id = m.session_id
            WHERE s.state <> 'closed' AND m.kind = @kind ORDER BY m.session_id, m.seq;
            """, new { kind }, cancellationToken);

    public Task AddImageAsync(SupportImage image, CancellationToken cancellationToken) =>
        database.ExecuteAsync("""
            INSERT INTO support_images (id, session_id, content_type, bytes, sha256, content) VALUES (@Id, @SessionId, @ContentType, @Bytes, @Sha256, @Content);
            """, image, cancellationToken);

    public Task<SupportImage?> ImageAsync(string sessionId, string imageId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<SupportImage>(
            "SELECT id, session_id, content_type, bytes, sha256, content FROM support_images WHERE id = @imageId AND session_id = @sessionId;",
            new { imageId, sessionId }, cancellationToken);
}
