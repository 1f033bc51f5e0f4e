using System.Globalization;
using System.Text.Json;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Fixes;

/// <summary>A raised problem or a command result left by ingestion for the fix loop.</summary>
public sealed record FixInboxItem(string DeviceId, ulong Sequence, Envelope Envelope, DateTimeOffset ReceivedAt);

/// <summary>
/// Proposals, standing consents and the audit trail. Every change of state is a conditional update (it happens only
/// from the state the caller saw) in one transaction with its audit record, so two people or two loops acting at once
/// cannot both win, and nothing is stored without its record.
/// </summary>
public sealed class SqliteFixStore(SqliteConnectionFactory connections)
{
    private const string ProposalColumns = """
        id, device_id, code, condition, severity, message, event_seq, attempt, article_id, article_version, article_title, command, action,
        parameters, describe, verify_clears, verify_within_ms, reasons, state, note, created_at_ms, expires_at_ms, decided_at_ms, decided_by,
        consent_id, command_id, sent_at_ms, command_expires_at_ms, result_outcome, result_detail, result_at_ms, verify_deadline_ms, finished_at_ms
        """;

    /// <summary>A transaction with the audit trail at hand; committed by <see cref="SqliteFixStore.WriteAsync"/>.</summary>
    public sealed class Work(SqliteConnection connection, SqliteTransaction transaction)
    {
        public SqliteConnection Connection { get; } = connection;
        public SqliteTransaction Transaction { get; } = transaction;

        /// <summary>The same connection and transaction for Dapper.</summary>
        public DbSession Db { get; } = new(connection, transaction);

        public Task<AuditRecord> AuditAsync(DateTimeOffset at, string actor, string action, string deviceId, string subject, IReadOnlyDictionary<string, string?> details, CancellationToken cancellationToken) =>
            AuditTrail.AppendAsync(Db, at, actor, action, deviceId, subject, details, cancellationToken);

        public SqliteCommand Command(string sql)
        {
            var command = Connection.CreateCommand();
            command.Transaction = Transaction;
            command.CommandText = sql;
            return command;
        }
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction; commits when it returns true, rolls back otherwise.</summary>
    public async Task<bool> WriteAsync(Func<Work, Task<bool>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        if (!await work(new Work(connection, transaction)))
            return false;
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<FixInboxItem>> PeekInboxAsync(int max, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT device_id, seq, envelope, received_at_ms FROM fix_inbox ORDER BY received_at_ms, device_id, seq LIMIT $max;";
        command.Parameters.AddWithValue("$max", max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<FixInboxItem>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var decoded = WireCodec.DecodeUplink((byte[])reader.GetValue(2));
            // Ingestion stored only envelopes it had decoded; one that no longer decodes is dropped below, loudly.
            items.Add(new FixInboxItem(reader.GetString(0), unchecked((ulong)reader.GetInt64(1)), decoded.Value ?? new Envelope(), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }
        return items;
    }

    public static async Task RemoveFromInboxAsync(Work work, FixInboxItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(item);
        await using var command = work.Command("DELETE FROM fix_inbox WHERE device_id = $device AND seq = $seq;");
        command.Parameters.AddWithValue("$device", item.DeviceId);
        command.Parameters.AddWithValue("$seq", unchecked((long)item.Sequence));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task InsertAsync(Work work, FixProposal p, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(p);
        await using var command = work.Command($"""
            INSERT INTO fix_proposals ({ProposalColumns}) VALUES ($id, $device, $code, $condition, $severity, $message, $seq, $attempt, $article, $version,
                $title, $command, $action, $parameters, $describe, $clears, $within, $reasons, $state, $note, $created, $expires, $decidedAt, $decidedBy,
                $consent, $commandId, $sent, $commandExpires, $outcome, $detail, $resultAt, $deadline, $finished);
            """);
        Bind(command, p);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Replaces the stored proposal with <paramref name="updated"/> if it is still in <paramref name="expected"/>; false otherwise.</summary>
    public static async Task<bool> UpdateAsync(Work work, FixProposal updated, FixState expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(updated);
        await using var command = work.Command("""
            UPDATE fix_proposals SET state = $state, note = $note, decided_at_ms = $decidedAt, decided_by = $decidedBy, consent_id = $consent,
                command_id = $commandId, sent_at_ms = $sent, command_expires_at_ms = $commandExpires, result_outcome = $outcome,
                result_detail = $detail, result_at_ms = $resultAt, verify_deadline_ms = $deadline, finished_at_ms = $finished
            WHERE id = $id AND state = $expected;
            """);
        Bind(command, updated);
        command.Parameters.AddWithValue("$expected", expected.ToStorage());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<FixProposal?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync("id = $id", [("$id", id)], 1, cancellationToken)).SingleOrDefault();

    public async Task<FixProposal?> FindByCommandAsync(string commandId, CancellationToken cancellationToken) =>
        (await QueryAsync("command_id = $command", [("$command", commandId)], 1, cancellationToken)).SingleOrDefault();

    /// <summary>Proposals for some devices (all when null), newest first, optionally only in some states.</summary>
    public Task<IReadOnlyList<FixProposal>> ListAsync(IReadOnlyCollection<string>? deviceIds, IReadOnlyCollection<FixState>? states, int limit, CancellationToken cancellationToken)
    {
        var where = new List<string>();
        var parameters = new List<(string, object)>();
        if (deviceIds is not null)
        {
            if (deviceIds.Count == 0)
                return Task.FromResult<IReadOnlyList<FixProposal>>([]);
            where.Add($"device_id IN ({string.Join(", ", deviceIds.Select((_, i) => "$d" + i))})");
            parameters.AddRange(deviceIds.Select((d, i) => ("$d" + i, (object)d)));
        }
        if (states is { Count: > 0 })
        {
            where.Add($"state IN ({string.Join(", ", states.Select((_, i) => "$s" + i))})");
            parameters.AddRange(states.Select((s, i) => ("$s" + i, (object)s.ToStorage())));
        }
        return QueryAsync(where.Count == 0 ? "1 = 1" : string.Join(" AND ", where), parameters, limit, cancellationToken);
    }

    /// <summary>Open proposals of every device, oldest first: what the loop watches for deadlines and clearing conditions.</summary>
    public Task<IReadOnlyList<FixProposal>> OpenAsync(CancellationToken cancellationToken) =>
        QueryAsync("state IN ('proposed', 'sent', 'verifying')", [], 10_000, cancellationToken, oldestFirst: true);

    public async Task<IReadOnlyList<FixProposal>> ForProblemAsync(string deviceId, string condition, string code, CancellationToken cancellationToken) =>
        await QueryAsync("device_id = $device AND (condition = $condition AND condition <> '' OR code = $code)",
            [("$device", deviceId), ("$condition", condition), ("$code", code)], 100, cancellationToken);

    private async Task<IReadOnlyList<FixProposal>> QueryAsync(string where, IEnumerable<(string Name, object Value)> parameters, int limit, CancellationToken cancellationToken, bool oldestFirst = false)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ProposalColumns} FROM fix_proposals WHERE {where} ORDER BY created_at_ms {(oldestFirst ? "ASC" : "DESC")}, id LIMIT $limit;";
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        command.Parameters.AddWithValue("$limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var proposals = new List<FixProposal>();
        while (await reader.ReadAsync(cancellationToken))
            proposals.Add(Read(reader));
        return proposals;
    }

    public static async Task InsertPolicyAsync(Work work, ConsentPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(policy);
        await using var command = work.Command("""
            INSERT INTO consent_policies (id, device_id, action, granted_by, granted_at_ms, expires_at_ms)
            VALUES ($id, $device, $action, $by, $at, $expires);
            """);
        command.Parameters.AddWithValue("$id", policy.Id);
        command.Parameters.AddWithValue("$device", policy.DeviceId);
        command.Parameters.AddWithValue("$action", policy.Action.ToString().ToLowerInvariant());
        command.Parameters.AddWithValue("$by", policy.GrantedBy);
        command.Parameters.AddWithValue("$at", policy.GrantedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$expires", policy.ExpiresAt.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<bool> RevokePolicyAsync(Work work, string deviceId, string policyId, string by, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var command = work.Command("""
            UPDATE consent_policies SET revoked_at_ms = $at, revoked_by = $by
            WHERE id = $id AND device_id = $device AND revoked_at_ms IS NULL;
            """);
        command.Parameters.AddWithValue("$id", policyId);
        command.Parameters.AddWithValue("$device", deviceId);
        command.Parameters.AddWithValue("$by", by);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Every policy of the device, newest first (revoked and expired ones too: they are history).</summary>
    public async Task<IReadOnlyList<ConsentPolicy>> PoliciesAsync(string deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, device_id, action, granted_by, granted_at_ms, expires_at_ms, revoked_at_ms, revoked_by
            FROM consent_policies WHERE device_id = $device ORDER BY granted_at_ms DESC, id;
            """;
        command.Parameters.AddWithValue("$device", deviceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var policies = new List<ConsentPolicy>();
        while (await reader.ReadAsync(cancellationToken))
        {
            policies.Add(new ConsentPolicy(
                reader.GetString(0), reader.GetString(1), Enum.Parse<ConsentAction>(reader.GetString(2), ignoreCase: true), reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)), reader.IsDBNull(7) ? null : reader.GetString(7)));
        }
        return policies;
    }

    public async Task<IReadOnlyList<AuditRecord>> AuditAsync(string? deviceId, string? subject, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await AuditTrail.ReadAsync(new DbSession(connection, null), deviceId, subject, limit, cancellationToken);
    }

    public async Task<AuditVerification> VerifyAuditAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await AuditTrail.VerifyAsync(new DbSession(connection, null), cancellationToken);
    }

    private static void Bind(SqliteCommand command, FixProposal p)
    {
        static object Ms(DateTimeOffset? at) => at is { } t ? t.ToUnixTimeMilliseconds() : DBNull.Value;
        static object Or(object? value) => value ?? DBNull.Value;
        command.Parameters.AddWithValue("$id", p.Id);
        command.Parameters.AddWithValue("$device", p.DeviceId);
        command.Parameters.AddWithValue("$code", p.Code);
        command.Parameters.AddWithValue("$condition", p.Condition);
        command.Parameters.AddWithValue("$severity", p.Severity.ToString());
        command.Parameters.AddWithValue("$message", p.Message);
        command.Parameters.AddWithValue("$seq", unchecked((long)p.EventSequence));
        command.Parameters.AddWithValue("$attempt", p.Attempt);
        command.Parameters.AddWithValue("$article", Or(p.ArticleId));
        command.Parameters.AddWithValue("$version", Or(p.ArticleVersion));
        command.Parameters.AddWithValue("$title", Or(p.ArticleTitle));
        command.Parameters.AddWithValue("$command", Or(p.Command));
        command.Parameters.AddWithValue("$action", Or(p.Action?.ToString().ToLowerInvariant()));
        command.Parameters.AddWithValue("$parameters", JsonSerializer.Serialize(p.Parameters));
        command.Parameters.AddWithValue("$describe", Or(p.Describe));
        command.Parameters.AddWithValue("$clears", Or(p.VerifyClears));
        command.Parameters.AddWithValue("$within", p.VerifyWithin is { } w ? (long)w.TotalMilliseconds : DBNull.Value);
        command.Parameters.AddWithValue("$reasons", JsonSerializer.Serialize(p.Reasons));
        command.Parameters.AddWithValue("$state", p.State.ToStorage());
        command.Parameters.AddWithValue("$note", p.Note);
        command.Parameters.AddWithValue("$created", p.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$expires", p.ExpiresAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$decidedAt", Ms(p.DecidedAt));
        command.Parameters.AddWithValue("$decidedBy", Or(p.DecidedBy));
        command.Parameters.AddWithValue("$consent", Or(p.ConsentId));
        command.Parameters.AddWithValue("$commandId", Or(p.CommandId));
        command.Parameters.AddWithValue("$sent", Ms(p.SentAt));
        command.Parameters.AddWithValue("$commandExpires", Ms(p.CommandExpiresAt));
        command.Parameters.AddWithValue("$outcome", Or(p.ResultOutcome?.ToString()));
        command.Parameters.AddWithValue("$detail", Or(p.ResultDetail));
        command.Parameters.AddWithValue("$resultAt", Ms(p.ResultAt));
        command.Parameters.AddWithValue("$deadline", Ms(p.VerifyDeadline));
        command.Parameters.AddWithValue("$finished", Ms(p.FinishedAt));
    }

    private static FixProposal Read(SqliteDataReader r)
    {
        DateTimeOffset? Ms(int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new FixProposal(
            r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Enum.Parse<Severity>(r.GetString(4)), r.GetString(5),
            unchecked((ulong)r.GetInt64(6)), r.GetInt32(7), Text(8), r.IsDBNull(9) ? null : r.GetInt32(9), Text(10), Text(11),
            Text(12) is { } action ? Enum.Parse<ConsentAction>(action, ignoreCase: true) : null,
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(13)) ?? [],
            Text(14), Text(15), r.IsDBNull(16) ? null : TimeSpan.FromMilliseconds(r.GetInt64(16)),
            JsonSerializer.Deserialize<List<string>>(r.GetString(17)) ?? [],
            FixStates.Parse(r.GetString(18)), r.GetString(19),
            DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(20)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(21)),
            Ms(22), Text(23), Text(24), Text(25), Ms(26), Ms(27),
            Text(28) is { } outcome ? Enum.Parse<CommandOutcome>(outcome) : null, Text(29), Ms(30), Ms(31), Ms(32));
    }

    internal static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
