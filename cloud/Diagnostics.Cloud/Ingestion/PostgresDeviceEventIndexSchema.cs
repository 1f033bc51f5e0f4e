using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>
/// PostgreSQL only: device events lose <c>ix_device_events_device_seq (device_id, seq DESC)</c>. Their key (device,
/// sequence, device time) begins with the same two columns and PostgreSQL scans it backwards for "newest first" (the
/// device's event page: an index scan backward per partition, merged, no sort), so every stored event paid for a third
/// B-tree insert, at a random place in the tree, that no query used. SQLite dropped its copy in
/// <see cref="DeviceEventIndexSchema"/>.
/// </summary>
/// <remarks>
/// SQLite keeps rowid tables for telemetry and device events. <c>WITHOUT ROWID</c> (one B-tree per table instead of the
/// rowid table plus the key's index) was measured and costs more CPU per stored event, not less
/// (tests/Diagnostics.LoadTest/README.md, tenth pass): the rowid table's insert is an append at its right edge, and the
/// key's B-tree, where inserts land at random, would hold whole rows instead of keys.
/// </remarks>
[Migration(2026_12_07_63, "Ingestion: no second index over the device events' key on PostgreSQL")]
public sealed class PostgresDeviceEventIndexSchema : SchemaMigration
{
    public override void Up()
    {
        if (Dialect.Provider != StorageProvider.PostgreSQL)
            return;
        // Dropping the partitioned index drops each partition's index with it.
        PortableSql("DROP INDEX IF EXISTS ix_device_events_device_seq;");
    }
}
