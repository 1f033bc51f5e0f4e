using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>
/// PostgreSQL only: device events become partitioned by device time in the same ranges as telemetry
/// (<see cref="TelemetryPartitionSchema"/>), so retention drops their old partitions whole too. SQLite keeps its table.
/// </summary>
/// <remarks>
/// The key becomes (device, sequence, device time), since PostgreSQL's unique keys on a partitioned table must hold the
/// partition column. Duplicates are still refused because the partition is derived from the message itself: an event
/// is one message, a device re-sends a message byte for byte from its outbox (device time included), so a re-delivery
/// lands in the partition of its first copy however much later it comes, and <c>ON CONFLICT DO NOTHING</c> meets it
/// there. Rows already stored go to the default partition and <see cref="TelemetryPartitions.AdoptDefaultRowsAsync"/>
/// moves them into their ranges at the next upkeep.
/// </remarks>
[Migration(2026_12_06_89, "Ingestion: device events partitioned by device time on PostgreSQL")]
public sealed class DeviceEventPartitionSchema : SchemaMigration
{
    public override void Up()
    {
        if (Dialect.Provider != StorageProvider.PostgreSQL)
            return;
        // The index's name is wanted again on the new table; the old table's key goes with the old table.
        PortableSql($"""
            DROP INDEX IF EXISTS ix_device_events_device_seq;
            ALTER TABLE device_events RENAME TO device_events_unpartitioned;
            CREATE TABLE device_events (
                device_id text NOT NULL,
                seq bigint NOT NULL,
                kind text NOT NULL,
                code text NOT NULL,
                condition text NOT NULL,
                severity text NOT NULL,
                message text NOT NULL,
                device_time_ms bigint NOT NULL,
                received_time_ms bigint NOT NULL,
                CONSTRAINT pk_device_events PRIMARY KEY (device_id, seq, device_time_ms)
            ) PARTITION BY RANGE (device_time_ms);
            CREATE TABLE {TelemetryPartitions.DefaultPartitionOf("device_events")} PARTITION OF device_events DEFAULT;
            INSERT INTO device_events (device_id, seq, kind, code, condition, severity, message, device_time_ms, received_time_ms)
                SELECT device_id, seq, kind, code, condition, severity, message, device_time_ms, received_time_ms FROM device_events_unpartitioned;
            DROP TABLE device_events_unpartitioned;
            CREATE INDEX ix_device_events_device_seq ON device_events (device_id, seq DESC);
            """);
    }
}
