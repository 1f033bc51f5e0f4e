using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>
/// SQLite only: device events lose the index on (device, sequence descending), which repeated their key. SQLite walks
/// the key's own index backwards for "newest first" (<c>EXPLAIN QUERY PLAN</c> of the device's event page: a search of
/// the key's index, no sort), and every stored event paid for a third B-tree insert: about as much SQLite time per
/// event as the table and its key together (tests/Diagnostics.LoadTest/README.md, sixth pass). PostgreSQL keeps its
/// index: its key there is (device, sequence, device time), for the partitions.
/// </summary>
[Migration(2026_12_07_22, "Ingestion: no second index over the device events' key on SQLite")]
public sealed class DeviceEventIndexSchema : SchemaMigration
{
    public override void Up()
    {
        if (Dialect.Provider != StorageProvider.Sqlite)
            return;
        PortableSql("DROP INDEX IF EXISTS ix_device_events_device_seq;");
    }
}
