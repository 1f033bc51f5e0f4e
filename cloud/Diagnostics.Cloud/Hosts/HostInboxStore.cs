using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Hosts;

namespace Diagnostics.Cloud.Hosts;

/// <summary>A host report ingestion left for the host inventory.</summary>
public sealed record HostInboxItem(string HostId, ulong Sequence, HostReport? Report, DateTimeOffset ReceivedAt);

/// <summary>Host reports ingestion left in <c>host_inbox</c>, in the transaction that stored them, for the host inventory.</summary>
public sealed class HostInboxStore(Database database)
{
    public async Task<IReadOnlyList<HostInboxItem>> PeekInboxAsync(int max, CancellationToken cancellationToken) =>
        [.. (await database.QueryAsync<InboxRow>("SELECT device_id, seq AS sequence, envelope, received_at_ms FROM host_inbox ORDER BY device_id, seq LIMIT @max;",
            new { max }, cancellationToken))
            .Select(row => new HostInboxItem(row.DeviceId, row.Sequence, WireCodec.DecodeUplink(row.Envelope).Value?.HostReport, row.ReceivedAt))];

    public Task RemoveFromInboxAsync(HostInboxItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        return database.ExecuteAsync("DELETE FROM host_inbox WHERE device_id = @HostId AND seq = @Sequence;", new { item.HostId, item.Sequence }, cancellationToken);
    }

    private sealed record InboxRow(string DeviceId, ulong Sequence, byte[] Envelope, DateTimeOffset ReceivedAt);
}
