using Diagnostics.Cloud.Messaging;
using Diagnostics.Cloud.Storage;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Hosts;

/// <summary>
/// Leaves each host report ingestion stores in <c>host_inbox</c>, in ingestion's transaction, for the host
/// inventory (<see cref="HostInboxStore"/> drains it).
/// </summary>
public sealed class HostInboxWriter : IStoredUplinkHandOff
{
    public IStoredUplinkWriter Prepare(SqliteConnection connection) => new Prepared(EnvelopeInbox.PrepareAdd(connection, HostInboxStore.Table));

    public Task HandOffAsync(DbSession transaction, IReadOnlyList<StoredUplink> uplinks, CancellationToken cancellationToken) =>
        EnvelopeInbox.AddAsync(transaction, HostInboxStore.Table,
            [.. uplinks.Where(u => u.Envelope.HostReport is not null).Select(u => (u.DeviceId, u.Sequence, Envelope: u.Payload, u.ReceivedAt))], cancellationToken);

    private sealed class Prepared(SqlitePreparedStatement insert) : IStoredUplinkWriter
    {
        public void Write(in StoredUplink uplink)
        {
            if (uplink.Envelope.HostReport is not null)
                EnvelopeInbox.Add(insert, uplink.DeviceId, uplink.Sequence, uplink.Payload, uplink.ReceivedAt);
        }

        public void Dispose() => insert.Dispose();
    }
}
