using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Storage;

/// <summary>An uplink envelope ingestion left in an inbox table; <see cref="Uplink"/> is null when it no longer decodes.</summary>
public sealed record InboxEnvelope(string DeviceId, ulong Sequence, Envelope? Uplink, DateTimeOffset ReceivedAt);

/// <summary>
/// One inbox table (<c>update_inbox</c>, <c>host_inbox</c>: device_id, seq, envelope, received_at_ms) that ingestion
/// fills in the transaction storing the envelopes and one capability's loop drains, oldest device first. The table
/// name is the capability's own constant, never input.
/// </summary>
public sealed class EnvelopeInbox(Database database, string table)
{
    public async Task<IReadOnlyList<InboxEnvelope>> PeekAsync(int max, CancellationToken cancellationToken) =>
        [.. (await database.QueryAsync<InboxRow>($"SELECT device_id, seq AS sequence, envelope, received_at_ms FROM {table} ORDER BY device_id, seq LIMIT @max;",
            new { max }, cancellationToken))
            .Select(row => new InboxEnvelope(row.DeviceId, row.Sequence, WireCodec.DecodeUplink(row.Envelope).Value, row.ReceivedAt))];

    public Task RemoveAsync(string deviceId, ulong sequence, CancellationToken cancellationToken) =>
        database.ExecuteAsync($"DELETE FROM {table} WHERE device_id = @deviceId AND seq = @sequence;", new { deviceId, sequence }, cancellationToken);

    private sealed record InboxRow(string DeviceId, ulong Sequence, byte[] Envelope, DateTimeOffset ReceivedAt);
}
