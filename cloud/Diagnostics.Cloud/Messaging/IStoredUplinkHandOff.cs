using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Messaging;

/// <summary>
/// An uplink ingestion stored just now, in the transaction still open: never a re-delivery of one stored before, so a
/// capability that takes it acts once per message. <see cref="Payload"/> is the envelope's bytes as the device sent them.
/// </summary>
public readonly record struct StoredUplink(Envelope Envelope, byte[] Payload, DateTimeOffset ReceivedAt)
{
    public string DeviceId => Envelope.DeviceId;

    public ulong Sequence => Envelope.Sequence;
}

/// <summary>
/// A capability that takes what it needs of each stored uplink (an inbox its loop drains, an owner's notification) in
/// the transaction that stores it, so a crash keeps both or neither and nothing is handed twice. The capability owns
/// its tables and their SQL for both engines; ingestion calls every registered hand-off and names none of them. The
/// contract sits here so the capabilities do not depend on Ingestion, nor Ingestion on them.
/// </summary>
public interface IStoredUplinkHandOff
{
    /// <summary>
    /// SQLite: prepares the capability's statements on the connection ingestion keeps for its batches, once per
    /// connection. Ingestion writes every uplink stored now through the answer, inside its open transaction, and
    /// disposes it before the connection goes.
    /// </summary>
    IStoredUplinkWriter Prepare(SqliteConnection connection);

    /// <summary>PostgreSQL: the batch's uplinks stored now (in the order received), in the batch's transaction, as multi-row statements.</summary>
    Task HandOffAsync(DbSession transaction, IReadOnlyList<StoredUplink> uplinks, CancellationToken cancellationToken);
}

/// <summary>A capability's statements prepared on one SQLite batch connection.</summary>
public interface IStoredUplinkWriter : IDisposable
{
    /// <summary>Takes one uplink stored now, if the capability wants it; throws (and the batch rolls back) when it cannot be written.</summary>
    void Write(in StoredUplink uplink);
}
