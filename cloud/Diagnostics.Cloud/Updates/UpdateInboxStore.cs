using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Updates;

/// <summary>An update report left by ingestion for the scheduler.</summary>
public sealed record UpdateInboxItem(string DeviceId, ulong Sequence, UpdateReport? Report, DateTimeOffset ReceivedAt);

/// <summary>Update reports ingestion left, in the transaction that stored them, for the rollout scheduler to act on.</summary>
public sealed class UpdateInboxStore(Database database)
{
    /// <summary>Filled by <see cref="UpdateInboxWriter"/>.</summary>
    internal const string Table = "update_inbox";

    private readonly EnvelopeInbox _inbox = new(database, Table);

    public async Task<IReadOnlyList<UpdateInboxItem>> PeekInboxAsync(int max, CancellationToken cancellationToken) =>
        [.. (await _inbox.PeekAsync(max, cancellationToken)).Select(item => new UpdateInboxItem(item.DeviceId, item.Sequence, item.Uplink?.UpdateReport, item.ReceivedAt))];

    public Task RemoveFromInboxAsync(UpdateInboxItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        return _inbox.RemoveAsync(item.DeviceId, item.Sequence, cancellationToken);
    }
}
