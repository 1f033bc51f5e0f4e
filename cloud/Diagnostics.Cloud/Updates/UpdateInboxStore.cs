using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Updates;

/// <summary>An update report left by ingestion for the scheduler.</summary>
public sealed record UpdateInboxItem(string DeviceId, ulong Sequence, UpdateReport? Report, DateTimeOffset ReceivedAt);

/// <summary>Update reports ingestion left, in the transaction that stored them, for the rollout scheduler to act on.</summary>
public sealed class UpdateInboxStore(Database database)
{
    public async Task<IReadOnlyList<UpdateInboxItem>> PeekInboxAsync(int max, CancellationToken cancellationToken) =>
        [.. (await database.QueryAsync<InboxRow>("SELECT device_id, seq AS sequence, envelope, received_at_ms FROM update_inbox ORDER BY device_id, seq LIMIT @max;",
            new { max }, cancellationToken))
            .Select(row => new UpdateInboxItem(row.DeviceId, row.Sequence, WireCodec.DecodeUplink(row.Envelope).Value?.UpdateReport, row.ReceivedAt))];

    public Task RemoveFromInboxAsync(UpdateInboxItem item, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM update_inbox WHERE device_id = @DeviceId AND seq = @Sequence;", item, cancellationToken);

    private sealed record InboxRow(string DeviceId, ulong Sequence, byte[] Envelope, DateTimeOffset ReceivedAt);
}
