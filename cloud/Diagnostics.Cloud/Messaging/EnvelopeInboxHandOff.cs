using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Messaging;

/// <summary>
/// The hand-off of a capability whose inbox is an <see cref="EnvelopeInbox"/> table (device_id, seq, envelope,
/// received_at_ms): every stored uplink that <paramref name="wanted"/> accepts goes into <paramref name="table"/>, the
/// capability's own constant, in ingestion's transaction. Hosts and Updates differ only in the table and the report
/// they take, so the writing is here once.
/// </summary>
public abstract class EnvelopeInboxHandOff(string table, Func<Envelope, bool> wanted) : IStoredUplinkHandOff
{
    public IStoredUplinkWriter Prepare(SqliteConnection connection) => new Prepared(EnvelopeInbox.PrepareAdd(connection, table), wanted);

    public Task HandOffAsync(DbSession transaction, IReadOnlyList<StoredUplink> uplinks, CancellationToken cancellationToken) =>
        EnvelopeInbox.AddAsync(transaction, table,
            [.. uplinks.Where(u => wanted(u.Envelope)).Select(u => (u.DeviceId, u.Sequence, Envelope: u.Payload, u.ReceivedAt))], cancellationToken);

    private sealed class Prepared(SqlitePreparedStatement insert, Func<Envelope, bool> wanted) : IStoredUplinkWriter
    {
        public void Write(in StoredUplink uplink)
        {
            if (wanted(uplink.Envelope))
                EnvelopeInbox.Add(insert, uplink.DeviceId, uplink.Sequence, uplink.Payload, uplink.ReceivedAt);
        }

        public void Dispose() => insert.Dispose();
    }
}
