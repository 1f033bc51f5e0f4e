using Diagnostics.Cloud.Messaging;
using Diagnostics.Cloud.Storage;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Updates;

/// <summary>
/// Leaves each update report ingestion stores in <c>update_inbox</c>, in ingestion's transaction, for the rollout
/// scheduler (<see cref="UpdateInboxStore"/> drains it).
/// </summary>
public sealed class UpdateInboxWriter : IStoredUplinkHandOff
{
    public IStoredUplinkWriter Prepare(SqliteConnection connection) => new Prepared(EnvelopeInbox.PrepareAdd(connection, UpdateInboxStore.Table));

    public Task HandOffAsync(DbSession transaction, IReadOnlyList<StoredUplink> uplinks, CancellationToken cancellationToken) =>
        EnvelopeInbox.AddAsync(transaction, UpdateInboxStore.Table,
            [.. uplinks.Where(u => u.Envelope.UpdateReport is not null).Select(u => (u.DeviceId, u.Sequence, Envelope: u.Payload, u.ReceivedAt))], cancellationToken);

    private sealed class Prepared(SqlitePreparedStatement insert) : IStoredUplinkWriter
    {
        public void Write(in StoredUplink uplink)
        {
            if (uplink.Envelope.UpdateReport is not null)
                EnvelopeInbox.Add(insert, uplink.DeviceId, uplink.Sequence, uplink.Payload, uplink.ReceivedAt);
        }

        public void Dispose() => insert.Dispose();
    }
}
