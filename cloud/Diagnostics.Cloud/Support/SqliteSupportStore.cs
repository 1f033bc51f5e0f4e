using Diagnostics.Cloud.Storage;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// Sessions and their messages. A message gets the next number of its session in the transaction that stores it, so
/// numbers have no gaps and follow the order of storing; a message re-sent with the same client id is stored once.
/// </summary>
public sealed class SqliteSupportStore(SqliteConnectionFactory connections)
{
    private const string SessionColumns = "id, customer_id, device_id, state, agent_id, opened_by, opened_at_ms, closed_at_ms, last_seq";
    private const string MessageColumns = "session_id, seq, kind, author_kind, author_id, author_name, body, internal, client_id, at_ms";

    /// <summary>Stores a new session with its first messages, all or nothing.</summary>
    public async Task<(SupportSession Session, IReadOnlyList<SupportMessage> Messages)> CreateAsync(
        SupportSession session, IReadOnlyList<NewMessage> first, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(first);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO support_sessions ({SessionColumns}) VALUES ($id, $customer, $device, $state, NULL, $by, $at, NULL, 0);";
            insert.Parameters.AddWithValue("$id", session.Id);
            insert.Parameters.AddWithValue("$customer", session.CustomerId);
            insert.Parameters.AddWithValue("$device", (object?)session.DeviceId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$state", session.State.ToStorage());
            insert.Parameters.AddWithValue("$by", session.OpenedBy);
            insert.Parameters.AddWithValue("$at", session.OpenedAt.ToUnixTimeMilliseconds());
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        var stored = new List<SupportMessage>();
        foreach (var message in first)
            stored.Add((await AppendAsync(connection, transaction, session.Id, message, cancellationToken)).Message);
        await transaction.CommitAsync(cancellationToken);
        return (session with { LastSequence = stored.Count }, stored);
    }

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
                System.Globalization.CultureInfo.InvariantCulture);
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

    /// <summary>The messages after <paramref name="afterSequence"/>, in order; internal notes only when asked for.</summary>
    public async Task<IReadOnlyList<SupportMessage>> MessagesAsync(string sessionId, long afterSequence, bool includeInternal, int limit, CancellationToken cancellationToken) =>
        await connections.QueryAsync($"""
            SELECT {MessageColumns} FROM support_messages
            WHERE session_id = $session AND seq > $after {(includeInternal ? "" : "AND internal = 0")}
            ORDER BY seq LIMIT $limit;
            """, ReadMessage, cancellationToken, ("$session", sessionId), ("$after", afterSequence), ("$limit", limit));

    public async Task<SupportSession?> GetAsync(string sessionId, CancellationToken cancellationToken) =>
        await ReadSessionsAsync("WHERE id = $id", cancellationToken, ("$id", sessionId)) is [var first, ..] ? first : null;

    public Task<IReadOnlyList<SupportSession>> SessionsOfCustomerAsync(string customerId, CancellationToken cancellationToken) =>
        ReadSessionsAsync("WHERE customer_id = $customer ORDER BY opened_at_ms DESC", cancellationToken, ("$customer", customerId));

    public Task<IReadOnlyList<SupportSession>> OpenSessionsAsync(CancellationToken cancellationToken) =>
        ReadSessionsAsync("WHERE state <> 'closed' ORDER BY opened_at_ms", cancellationToken);

    private async Task<IReadOnlyList<SupportSession>> ReadSessionsAsync(string where, CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        await connections.QueryAsync($"SELECT {SessionColumns} FROM support_sessions {where};", reader => new SupportSession(
            reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
            Enum.Parse<SessionState>(reader.GetString(3), ignoreCase: true), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)), reader.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
            reader.GetInt64(8)), cancellationToken, parameters);

    private static SupportMessage ReadMessage(SqliteDataReader reader) => new(
        reader.GetString(0), reader.GetInt64(1), SupportStates.ParseKind(reader.GetString(2)), Enum.Parse<AuthorKind>(reader.GetString(3), ignoreCase: true),
        reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetInt32(7) != 0, reader.IsDBNull(8) ? null : reader.GetString(8),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)));
}

/// <summary>A message to store; the store gives it its number.</summary>
public sealed record NewMessage(MessageKind Kind, AuthorKind AuthorKind, string AuthorId, string AuthorName, string Body, bool Internal, string? ClientId, DateTimeOffset At);
