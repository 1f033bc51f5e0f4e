using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Messaging;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Notifications;

/// <summary>
/// Notifies a paired device's owner of each problem it raises, in ingestion's transaction storing the event, so a crash
/// never keeps the event and loses the notification (or the reverse).
/// </summary>
/// <remarks>
/// One unread notification per device and problem: a jam that comes back before the owner read about the first is not
/// a second alert, whether it comes in a later batch or the same one. What the owner is told weighs the problem
/// (<see cref="DeviceHealthRules.Weight"/>); the stored event keeps the device's own severity.
/// </remarks>
public sealed class NotificationWriter : IStoredUplinkHandOff
{
    private const string SqliteInsert = """
        INSERT OR IGNORE INTO notifications (account_id, device_id, seq, code, condition, severity, message, created_at_ms)
        SELECT o.account_id, ?1, ?2, ?3, ?4, ?5, ?6, ?7
        FROM device_owners o WHERE o.device_id = ?1
          AND NOT EXISTS (SELECT 1 FROM notifications n
                          WHERE n.account_id = o.account_id AND n.device_id = ?1 AND n.code = ?3 AND n.read_at_ms IS NULL);
        """;

    private const string PostgresInsert = """
        INSERT INTO notifications (account_id, device_id, seq, code, condition, severity, message, created_at_ms)
        SELECT DISTINCT ON (o.account_id, e.device_id, e.code) o.account_id, e.device_id, e.seq, e.code, e.condition, e.severity, e.message, e.received
        FROM unnest(@devices, @seqs, @codes, @conditions, @severities, @texts, @received)
            AS e(device_id, seq, code, condition, severity, message, received)
        JOIN device_owners o ON o.device_id = e.device_id
        WHERE NOT EXISTS (SELECT 1 FROM notifications n
                          WHERE n.account_id = o.account_id AND n.device_id = e.device_id AND n.code = e.code AND n.read_at_ms IS NULL)
        ORDER BY o.account_id, e.device_id, e.code, e.seq
        ON CONFLICT DO NOTHING;
        """;

    /// <summary>The raise of a problem by the health rules (a condition that stops printing is one whatever its severity).</summary>
    private static DeviceEvent? RaisedProblem(Envelope envelope) =>
        envelope.Event is { Kind: EventKind.Raised } raised && DeviceHealthRules.IsProblem(raised.Severity, raised.Condition) ? raised : null;

    private static string Weighed(DeviceEvent problem) => DeviceHealthRules.Weight(problem.Severity, problem.Condition).ToString();

    public IStoredUplinkWriter Prepare(SqliteConnection connection) => new Prepared(new SqlitePreparedStatement(connection, SqliteInsert));

    public Task HandOffAsync(DbSession transaction, IReadOnlyList<StoredUplink> uplinks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(uplinks);
        var problems = uplinks.Select(u => (Uplink: u, Problem: RaisedProblem(u.Envelope))).Where(p => p.Problem is not null).ToList();
        return problems.Count == 0 ? Task.CompletedTask : transaction.ExecuteAsync(PostgresInsert, new
        {
            devices = problems.Select(p => p.Uplink.DeviceId).ToArray(),
            seqs = problems.Select(p => unchecked((long)p.Uplink.Sequence)).ToArray(),
            codes = problems.Select(p => p.Problem!.Code).ToArray(),
            conditions = problems.Select(p => p.Problem!.Condition).ToArray(),
            severities = problems.Select(p => Weighed(p.Problem!)).ToArray(),
            texts = problems.Select(p => p.Problem!.Message).ToArray(),
            received = problems.Select(p => p.Uplink.ReceivedAt.ToUnixTimeMilliseconds()).ToArray(),
        }, cancellationToken);
    }

    private sealed class Prepared(SqlitePreparedStatement insert) : IStoredUplinkWriter
    {
        public void Write(in StoredUplink uplink)
        {
            if (RaisedProblem(uplink.Envelope) is not { } problem)
                return;
            insert.Bind(1, uplink.DeviceId);
            insert.Bind(2, unchecked((long)uplink.Sequence));
            insert.Bind(3, problem.Code);
            insert.Bind(4, problem.Condition);
            insert.Bind(5, Weighed(problem));
            insert.Bind(6, problem.Message);
            insert.Bind(7, uplink.ReceivedAt.ToUnixTimeMilliseconds());
            insert.Execute();
        }

        public void Dispose() => insert.Dispose();
    }
}
