using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>
/// Fewer B-trees written per stored message. On SQLite, telemetry and device events become <c>WITHOUT ROWID</c> tables:
/// a table keyed by (device, sequence) was a rowid B-tree plus the key's own index, two B-tree inserts per row; without
/// a rowid the rows live in the key's B-tree, one insert. Every reader already goes by the key (a device's events or
/// payloads newest first, the marks' sequences above a device's mark) and none by rowid. On PostgreSQL the device
/// events lose <c>ix_device_events_device_seq (device_id, seq DESC)</c>: the key (device, sequence, device time) starts
/// with the same two columns and is scanned backwards for "newest first" just the same, so the index was a third B-tree
/// insert per event that no query needed.
/// </summary>
/// <remarks>
/// SQLite cannot change a table's storage in place: each table is copied into a new one, in key order, and takes the old
/// one's name, inside the migration's transaction, so a database either has every row in the new tables or is left as
/// it was. The copy needs room for a second copy of both tables while it runs.
/// </remarks>
[Migration(2026_12_07_63, "Ingestion: telemetry and device events stored in their key's B-tree (SQLite), no second index over the events' key (PostgreSQL)")]
public sealed class KeyedTablesSchema : SchemaMigration
{
    public override void Up()
    {
        if (Dialect.Provider == StorageProvider.PostgreSQL)
        {
            // Dropping the partitioned index drops each partition's index with it.
            PortableSql("DROP INDEX IF EXISTS ix_device_events_device_seq;");
            return;
        }

        // The columns and their order are IngestionSchema's, so that INSERT ... SELECT * and every reader see the same table.
        PortableSql("""
            CREATE TABLE telemetry_keyed (
                device_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                kind TEXT NOT NULL,
                device_time_ms INTEGER NOT NULL,
                received_time_ms INTEGER NOT NULL,
                payload BLOB NOT NULL,
                CONSTRAINT PK_telemetry PRIMARY KEY (device_id, seq)
            ) WITHOUT ROWID;
            INSERT INTO telemetry_keyed (device_id, seq, kind, device_time_ms, received_time_ms, payload)
                SELECT device_id, seq, kind, device_time_ms, received_time_ms, payload FROM telemetry ORDER BY device_id, seq;
            DROP TABLE telemetry;
            ALTER TABLE telemetry_keyed RENAME TO telemetry;
            CREATE TABLE device_events_keyed (
                device_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                kind TEXT NOT NULL,
                code TEXT NOT NULL,
                condition TEXT NOT NULL,
                severity TEXT NOT NULL,
                message TEXT NOT NULL,
                device_time_ms INTEGER NOT NULL,
                received_time_ms INTEGER NOT NULL,
                CONSTRAINT PK_device_events PRIMARY KEY (device_id, seq)
            ) WITHOUT ROWID;
            INSERT INTO device_events_keyed (device_id, seq, kind, code, condition, severity, message, device_time_ms, received_time_ms)
                SELECT device_id, seq, kind, code, condition, severity, message, device_time_ms, received_time_ms FROM device_events ORDER BY device_id, seq;
            DROP TABLE device_events;
            ALTER TABLE device_events_keyed RENAME TO device_events;
            """);
    }
}
