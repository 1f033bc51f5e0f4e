using System.Globalization;
using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Fixes;

/// <summary>A raised problem or a command result left by ingestion for the fix loop.</summary>
public sealed record FixInboxItem(string DeviceId, ulong Sequence, Envelope Envelope, DateTimeOffset ReceivedAt);

/// <summary>
/// A device as the fix loop sees it: what it is (for matching) and the conditions and codes of its newest stored status
/// (<see cref="StatusSequence"/> null: no status stored yet, so nothing is known to be gone).
/// </summary>
public sealed record DeviceProblems(string Model, string Firmware, ulong? StatusSequence, IReadOnlySet<string> Active);

/// <summary>
/// Proposals, standing consents and the audit trail. Every change of state is a conditional update (it happens only
/// from the state the caller saw) in one transaction with its audit record, so two people or two loops acting at once
/// cannot both win, and nothing is stored without its record.
/// </summary>
public sealed class SqliteFixStore(Database database)
{
    /// <summary>The states of an open proposal (<see cref="FixStates.IsOpen"/>) as stored, for an <c>IN (...)</c>.</summary>
    internal const string OpenStatesSql = "'proposed', 'sent', 'verifying'";

    /// <summary>Every column of a proposal; a field added to <see cref="FixProposal"/> is added here, in the values below and in a migration.</summary>
    private const string ProposalColumns = """
        id, device_id, code, condition, severity, message, event_seq, attempt, article_id, article_version, article_title, command, action,
        parameters, describe, verify_clears, verify_within_ms, reasons, state, note, created_at_ms, expires_at_ms, decided_at_ms, decided_by,
        consent_id, command_id, sent_at_ms, command_expires_at_ms, result_outcome, result_detail, result_at_ms, verify_deadline_ms, finished_at_ms
        """;

    private const string ProposalValues = """
        @Id, @DeviceId, @Code, @Condition, @Severity, @Message, @EventSequence, @Attempt, @ArticleId, @ArticleVersion, @ArticleTitle, @Command, @Action,
        @Parameters, @Describe, @VerifyClears, @VerifyWithin, @Reasons, @State, @Note, @CreatedAt, @ExpiresAt, @DecidedAt, @DecidedBy,
        @ConsentId, @CommandId, @SentAt, @CommandExpiresAt, @ResultOutcome, @ResultDetail, @ResultAt, @VerifyDeadline, @FinishedAt
        """;

    /// <summary>The columns a proposal's later steps change.</summary>
    private const string ChangingColumns = """
        state = @State, note = @Note, decided_at_ms = @DecidedAt, decided_by = @DecidedBy, consent_id = @ConsentId,
        command_id = @CommandId, sent_at_ms = @SentAt, command_expires_at_ms = @CommandExpiresAt, result_outcome = @ResultOutcome,
        result_detail = @ResultDetail, result_at_ms = @ResultAt, verify_deadline_ms = @VerifyDeadline, finished_at_ms = @FinishedAt
        """;

    private const string PolicyColumns = "id, device_id, action, granted_by, granted_at_ms, expires_at_ms, revoked_at_ms, revoked_by";

    /// <summary>A transaction with the audit trail at hand; committed by <see cref="SqliteFixStore.WriteAsync"/>.</summary>
    public sealed class Work(DbSession db)
    {
        public DbSession Db { get; } = db;

        public Task<AuditRecord> AuditAsync(DateTimeOffset at, string actor, string action, string deviceId, string subject, IReadOnlyDictionary<string, string?> details, CancellationToken cancellationToken) =>
            AuditTrail.AppendAsync(Db, at, actor, action, deviceId, subject, details, cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction; commits when it returns true, rolls back otherwise.</summary>
    public async Task<bool> WriteAsync(Func<Work, Task<bool>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var db = await database.BeginAsync(cancellationToken);
        if (!await work(new Work(db)))
            return false;
        await db.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<FixInboxItem>> PeekInboxAsync(int max, CancellationToken cancellationToken) =>
        [.. (await database.QueryAsync<InboxRow>("SELECT device_id, seq AS sequence, envelope, received_at_ms FROM fix_inbox ORDER BY received_at_ms, device_id, seq LIMIT @max;",
            new { max }, cancellationToken))
            // Ingestion stored only envelopes it had decoded; one that no longer decodes is dropped by the loop, loudly.
            .Select(row => new FixInboxItem(row.DeviceId, row.Sequence, WireCodec.DecodeUplink(row.Envelope).Value ?? new Envelope(), row.ReceivedAt))];

    /// <summary>
    /// What the loop needs to know about each device's problems, in one query per 500 devices: its model and firmware
    /// (for matching), the sequence of its newest stored status (null: none yet) and the conditions and codes it holds.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, DeviceProblems>> DeviceProblemsAsync(IReadOnlyCollection<string> deviceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        var found = new Dictionary<string, (string Model, string Firmware, ulong? StatusSequence, HashSet<string> Active)>(StringComparer.Ordinal);
        foreach (var chunk in deviceIds.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            var rows = await database.QueryAsync<DeviceProblemRow>($"""
                SELECT d.id, d.model, d.firmware, d.status_seq AS status_sequence, c.code, c.condition
                FROM devices d LEFT JOIN active_conditions c ON c.device_id = d.id
                WHERE {database.Dialect.InList("d.id", "@ids")};
                """, new { ids = chunk }, cancellationToken);
            foreach (var row in rows)
            {
                if (!found.TryGetValue(row.Id, out var device))
                    found[row.Id] = device = (row.Model, row.Firmware, row.StatusSequence, new HashSet<string>(StringComparer.Ordinal));
                if (row.Code is { } code)
                {
                    device.Active.Add(code);
                    if (row.Condition is { Length: > 0 } condition)
                        device.Active.Add(condition);
                }
            }
        }
        return found.ToDictionary(d => d.Key, d => new DeviceProblems(d.Value.Model, d.Value.Firmware, d.Value.StatusSequence, d.Value.Active), StringComparer.Ordinal);
    }

    public static Task RemoveFromInboxAsync(Work work, FixInboxItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return work.Db.ExecuteAsync("DELETE FROM fix_inbox WHERE device_id = @DeviceId AND seq = @Sequence;", item, cancellationToken);
    }

    public static Task InsertAsync(Work work, FixProposal proposal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return work.Db.ExecuteAsync($"INSERT INTO fix_proposals ({ProposalColumns}) VALUES ({ProposalValues});", proposal, cancellationToken);
    }

    /// <summary>Replaces the stored proposal with <paramref name="updated"/> if it is still in <paramref name="expected"/>; false otherwise.</summary>
    public static async Task<bool> UpdateAsync(Work work, FixProposal updated, FixState expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var parameters = new Dapper.DynamicParameters(updated);
        parameters.Add("expected", expected.ToStorage());
        return await work.Db.ExecuteAsync($"UPDATE fix_proposals SET {ChangingColumns} WHERE id = @Id AND state = @expected;", parameters, cancellationToken) == 1;
    }

    public async Task<FixProposal?> GetAsync(string id, CancellationToken cancellationToken) =>
        await WhereAsync("id = @id", new { id }, 1, cancellationToken) is [var proposal] ? proposal : null;

    public async Task<FixProposal?> FindByCommandAsync(string commandId, CancellationToken cancellationToken) =>
        await WhereAsync("command_id = @commandId", new { commandId }, 1, cancellationToken) is [var proposal] ? proposal : null;

    /// <summary>Proposals for some devices (all when null), newest first, optionally only in some states.</summary>
    public async Task<IReadOnlyList<FixProposal>> ListAsync(IReadOnlyCollection<string>? deviceIds, IReadOnlyCollection<FixState>? states, int limit, CancellationToken cancellationToken)
    {
        if (deviceIds is { Count: 0 })
            return [];
        var where = new List<string> { "1 = 1" };
        if (deviceIds is not null)
            where.Add(database.Dialect.InList("device_id", "@deviceIds"));
        if (states is { Count: > 0 })
            where.Add(database.Dialect.InList("state", "@states"));
        return await WhereAsync(string.Join(" AND ", where),
            new { deviceIds = deviceIds?.ToArray(), states = states?.Select(s => s.ToStorage()).ToArray() }, limit, cancellationToken);
    }

    /// <summary>Open proposals of every device, oldest first: what the loop watches for deadlines and clearing conditions.</summary>
    public Task<IReadOnlyList<FixProposal>> OpenAsync(CancellationToken cancellationToken) =>
        WhereAsync($"state IN ({OpenStatesSql})", null, 10_000, cancellationToken, oldestFirst: true);

    /// <summary>Notes that the proposal's command was handed to the broker (the first time only).</summary>
    public Task MarkPublishedAsync(string proposalId, string commandId, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.ExecuteAsync("""
            UPDATE fix_proposals SET command_published_at_ms = @at
            WHERE id = @proposalId AND command_id = @commandId AND command_published_at_ms IS NULL;
            """, new { proposalId, commandId, at }, cancellationToken);

    /// <summary>
    /// Commands approved before <paramref name="sentBefore"/> and still waiting, unexpired at <paramref name="now"/>,
    /// that no instance handed to the broker: the one that approved it died in between.
    /// </summary>
    public Task<IReadOnlyList<FixProposal>> UnpublishedAsync(DateTimeOffset sentBefore, DateTimeOffset now, CancellationToken cancellationToken) =>
        WhereAsync("state = 'sent' AND command_published_at_ms IS NULL AND sent_at_ms < @sentBefore AND command_expires_at_ms > @now",
            new { sentBefore, now }, 500, cancellationToken, oldestFirst: true);

    /// <summary>
    /// Proposals created before <paramref name="createdBefore"/> still waiting for an answer although a standing consent
    /// for their action holds at <paramref name="now"/>: the instance that proposed them died before the policy approved them.
    /// </summary>
    public Task<IReadOnlyList<FixProposal>> ProposedUnderPolicyAsync(DateTimeOffset createdBefore, DateTimeOffset now, CancellationToken cancellationToken) =>
        WhereAsync("""
            state = 'proposed' AND action IS NOT NULL AND created_at_ms < @createdBefore AND EXISTS (
                SELECT 1 FROM consent_policies c WHERE c.device_id = fix_proposals.device_id AND c.action = fix_proposals.action
                AND c.revoked_at_ms IS NULL AND c.expires_at_ms > @now)
            """, new { createdBefore, now }, 500, cancellationToken, oldestFirst: true);

    public Task<IReadOnlyList<FixProposal>> ForProblemAsync(string deviceId, string condition, string code, CancellationToken cancellationToken) =>
        WhereAsync("device_id = @deviceId AND (condition = @condition AND condition <> '' OR code = @code)", new { deviceId, condition, code }, 100, cancellationToken);

    private Task<IReadOnlyList<FixProposal>> WhereAsync(string condition, object? parameters, int limit, CancellationToken cancellationToken, bool oldestFirst = false) =>
        database.QueryAsync<FixProposal>($"""
            SELECT {ProposalColumns.Replace("event_seq", "event_seq AS event_sequence", StringComparison.Ordinal)} FROM fix_proposals
            WHERE {condition} ORDER BY created_at_ms {(oldestFirst ? "ASC" : "DESC")}, id LIMIT {limit.ToString(CultureInfo.InvariantCulture)};
            """, parameters, cancellationToken);

    public static Task InsertPolicyAsync(Work work, ConsentPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return work.Db.ExecuteAsync($"""
            INSERT INTO consent_policies ({PolicyColumns}) VALUES (@Id, @DeviceId, @Action, @GrantedBy, @GrantedAt, @ExpiresAt, @RevokedAt, @RevokedBy);
            """, policy, cancellationToken);
    }

    public static async Task<bool> RevokePolicyAsync(Work work, string deviceId, string policyId, string by, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return await work.Db.ExecuteAsync("""
            UPDATE consent_policies SET revoked_at_ms = @at, revoked_by = @by
            WHERE id = @policyId AND device_id = @deviceId AND revoked_at_ms IS NULL;
            """, new { deviceId, policyId, by, at }, cancellationToken) == 1;
    }

    /// <summary>Every policy of the device, newest first (revoked and expired ones too: they are history).</summary>
    public Task<IReadOnlyList<ConsentPolicy>> PoliciesAsync(string deviceId, CancellationToken cancellationToken) =>
        database.QueryAsync<ConsentPolicy>($"SELECT {PolicyColumns} FROM consent_policies WHERE device_id = @deviceId ORDER BY granted_at_ms DESC, id;",
            new { deviceId }, cancellationToken);

    internal static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private sealed record DeviceProblemRow(string Id, string Model, string Firmware, ulong? StatusSequence, string? Code, string? Condition);

    private sealed record InboxRow(string DeviceId, ulong Sequence, byte[] Envelope, DateTimeOffset ReceivedAt);
}
