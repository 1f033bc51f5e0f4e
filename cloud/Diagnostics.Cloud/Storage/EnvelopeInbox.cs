using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Storage;

/// <summary>An uplink envelope ingestion left in an inbox table; <see cref="Uplink"/> is null when it no longer decodes.</summary>
public sealed record InboxEnvelope(string DeviceId, ulong Sequence, Envelope? Uplink, DateTimeOffset ReceivedAt);

/// <summary>
/// One inbox table (<c>update_inbox</c>, <c>host_inbox</c>: device_id, seq, envelope, received_at_ms) that the owning
/// capability fills in ingestion's transaction storing the envelopes (<see cref="PrepareAdd"/>, <see cref="AddAsync"/>)
/// and its loop drains, oldest device first. The table name is the capability's own constant, never input.
/// </summary>
public sealed class EnvelopeInbox(Database database, string table)
{
    /// <summary>SQLite: the insert for one envelope, prepared on ingestion's batch connection; bind (device, seq, envelope, received ms).</summary>
    public static SqlitePreparedStatement PrepareAdd(SqliteConnection connection, string table) =>
        new(connection, $"INSERT OR IGNORE INTO {table} (device_id, seq, envelope, received_at_ms) VALUES (?1, ?2, ?3, ?4);");

    /// <summary>SQLite: adds one envelope through a statement from <see cref="PrepareAdd"/>; one already there is kept once.</summary>
    public static void Add(SqlitePreparedStatement insert, string deviceId, ulong sequence, byte[] envelope, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(insert);
        insert.Bind(1, deviceId);
        insert.Bind(2, unchecked((long)sequence));
        insert.Bind(3, envelope);
        insert.Bind(4, receivedAt.ToUnixTimeMilliseconds());
        insert.Execute();
    }

    /// <summary>PostgreSQL: adds the envelopes in one multi-row statement of the caller's transaction; one already there is kept once.</summary>
    public static Task AddAsync(DbSession transaction, string table, IReadOnlyList<(string DeviceId, ulong Sequence, byte[] Envelope, DateTimeOffset ReceivedAt)> envelopes,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(envelopes);
        return envelopes.Count == 0 ? Task.CompletedTask : transaction.ExecuteAsync($"""
            INSERT INTO {table} (device_id, seq, envelope, received_at_ms)
            SELECT * FROM unnest(@devices, @seqs, @envelopes, @received) ON CONFLICT DO NOTHING;
            """, new
            {
                devices = envelopes.Select(e => e.DeviceId).ToArray(),
                seqs = envelopes.Select(e => unchecked((long)e.Sequence)).ToArray(),
                envelopes = envelopes.Select(e => e.Envelope).ToArray(),
                received = envelopes.Select(e => e.ReceivedAt.ToUnixTimeMilliseconds()).ToArray(),
            }, cancellationToken);
    }

    public async Task<IReadOnlyList<InboxEnvelope>> PeekAsync(int max, CancellationToken cancellationToken) =>
        [.. (await database.QueryAsync<InboxRow>($"SELECT device_id, seq AS sequence, envelope, received_at_ms FROM {table} ORDER BY device_id, seq LIMIT @max;",
            new { max }, cancellationToken))
            .Select(row => new InboxEnvelope(row.DeviceId, row.Sequence, WireCodec.DecodeUplink(row.Envelope).Value, row.ReceivedAt))];

    public Task RemoveAsync(string deviceId, ulong sequence, CancellationToken cancellationToken) =>
        database.ExecuteAsync($"DELETE FROM {table} WHERE device_id = @deviceId AND seq = @sequence;", new { deviceId, sequence }, cancellationToken);

    private sealed record InboxRow(string DeviceId, ulong Sequence, byte[] Envelope, DateTimeOffset ReceivedAt);
}
