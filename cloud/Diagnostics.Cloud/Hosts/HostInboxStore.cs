using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol.Hosts;

namespace Diagnostics.Cloud.Hosts;

/// <summary>A host report ingestion left for the host inventory.</summary>
public sealed record HostInboxItem(string HostId, ulong Sequence, HostReport? Report, DateTimeOffset ReceivedAt);

/// <summary>Host reports ingestion left in <c>host_inbox</c>, in the transaction that stored them, for the host inventory.</summary>
public sealed class HostInboxStore(Database database)
{
    /// <summary>Filled by <see cref="HostInboxWriter"/>.</summary>
    internal const string Table = "host_inbox";

    private readonly EnvelopeInbox _inbox = new(database, Table);

    public async Task<IReadOnlyList<HostInboxItem>> PeekInboxAsync(int max, CancellationToken cancellationToken) =>
        [.. (await _inbox.PeekAsync(max, cancellationToken)).Select(item => new HostInboxItem(item.DeviceId, item.Sequence, item.Uplink?.HostReport, item.ReceivedAt))];

    public Task RemoveFromInboxAsync(HostInboxItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        return _inbox.RemoveAsync(item.HostId, item.Sequence, cancellationToken);
    }
}
