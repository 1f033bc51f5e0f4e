using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Messaging;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Fixes;

/// <summary>
/// Leaves raised problems and command results ingestion stores in <c>fix_inbox</c>, in ingestion's transaction, for the
/// fix loop (<see cref="SqliteFixStore"/> takes them out in the transaction that acts on them).
/// </summary>
/// <remarks>
/// Only what can still lead to a proposal: a raise of a problem whose earlier raise still waits in the inbox, or that
/// already has an open proposal of the device (the same condition or code, as <see cref="FixWorkflow"/> matches them),
/// is not added: the loop would find that fix under way and drop the raise, in a write transaction of its own that
/// waits for ingestion's turn at the store. So a flapping sensor does not pile up work the loop can only throw away,
/// and a device that keeps raising a problem someone is already deciding about costs its batch one indexed look-up.
/// </remarks>
public sealed class FixInboxWriter : IStoredUplinkHandOff
{
    // ?6 and ?7: the raise's code and condition, matched against the device's open proposals.
    private const string SqliteInsert = $"""
        INSERT OR IGNORE INTO fix_inbox (device_id, seq, envelope, received_at_ms, problem)
        SELECT ?1, ?2, ?3, ?4, ?5
        WHERE ?5 IS NULL OR (NOT EXISTS (SELECT 1 FROM fix_inbox WHERE device_id = ?1 AND problem = ?5)
            AND NOT EXISTS (SELECT 1 FROM fix_proposals p WHERE p.device_id = ?1 AND p.state IN ({SqliteFixStore.OpenStatesSql})
                AND (p.code = ?6 OR (p.condition <> '' AND p.condition = ?7))));
        """;

    // One statement does not see its own rows, so within the batch only a problem's first raise is sent.
    private const string PostgresInsert = $"""
        INSERT INTO fix_inbox (device_id, seq, envelope, received_at_ms, problem)
        SELECT m.device_id, m.seq, m.envelope, m.received_at_ms, m.problem
        FROM unnest(@devices, @seqs, @envelopes, @received, @problems, @codes, @conditions)
            AS m(device_id, seq, envelope, received_at_ms, problem, code, condition)
        WHERE m.problem IS NULL OR (NOT EXISTS (SELECT 1 FROM fix_inbox f WHERE f.device_id = m.device_id AND f.problem = m.problem)
            AND NOT EXISTS (SELECT 1 FROM fix_proposals p WHERE p.device_id = m.device_id AND p.state IN ({SqliteFixStore.OpenStatesSql})
                AND (p.code = m.code OR (p.condition <> '' AND p.condition = m.condition))))
        ON CONFLICT DO NOTHING;
        """;

    /// <summary>A command result, or the raise of a problem by the health rules (a condition that stops printing is one whatever its severity).</summary>
    private static bool Takes(Envelope envelope) =>
        envelope.CommandResult is not null
        || envelope.Event is { Kind: EventKind.Raised } raised && DeviceHealthRules.IsProblem(raised.Severity, raised.Condition);

    /// <summary>What a raise is about (its code, else its condition); null for a command result.</summary>
    private static string? Problem(Envelope envelope) =>
        envelope.Event is { } raised && (raised.Code.Length > 0 ? raised.Code : raised.Condition) is { Length: > 0 } problem ? problem : null;

    public IStoredUplinkWriter Prepare(SqliteConnection connection) => new Prepared(new SqlitePreparedStatement(connection, SqliteInsert));

    public Task HandOffAsync(DbSession transaction, IReadOnlyList<StoredUplink> uplinks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(uplinks);
        var seen = new HashSet<(string, string)>();
        var list = new List<(StoredUplink Uplink, string? Problem)>();
        foreach (var uplink in uplinks)
        {
            if (!Takes(uplink.Envelope))
                continue;
            var problem = Problem(uplink.Envelope);
            if (problem is null || seen.Add((uplink.DeviceId, problem)))
                list.Add((uplink, problem));
        }
        return list.Count == 0 ? Task.CompletedTask : transaction.ExecuteAsync(PostgresInsert, new
        {
            devices = list.Select(m => m.Uplink.DeviceId).ToArray(),
            seqs = list.Select(m => unchecked((long)m.Uplink.Sequence)).ToArray(),
            envelopes = list.Select(m => m.Uplink.Payload).ToArray(),
            received = list.Select(m => m.Uplink.ReceivedAt.ToUnixTimeMilliseconds()).ToArray(),
            problems = list.Select(m => m.Problem).ToArray(),
            codes = list.Select(m => m.Uplink.Envelope.Event?.Code).ToArray(),
            conditions = list.Select(m => m.Uplink.Envelope.Event?.Condition).ToArray(),
        }, cancellationToken);
    }

    private sealed class Prepared(SqlitePreparedStatement insert) : IStoredUplinkWriter
    {
        public void Write(in StoredUplink uplink)
        {
            if (!Takes(uplink.Envelope))
                return;
            insert.Bind(1, uplink.DeviceId);
            insert.Bind(2, unchecked((long)uplink.Sequence));
            insert.Bind(3, uplink.Payload);
            insert.Bind(4, uplink.ReceivedAt.ToUnixTimeMilliseconds());
            insert.BindOrNull(5, Problem(uplink.Envelope));
            insert.BindOrNull(6, uplink.Envelope.Event?.Code);
            insert.BindOrNull(7, uplink.Envelope.Event?.Condition);
            insert.Execute();
        }

        public void Dispose() => insert.Dispose();
    }
}
