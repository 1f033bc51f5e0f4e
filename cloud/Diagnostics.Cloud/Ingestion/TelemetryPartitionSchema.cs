using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>
/// PostgreSQL only: the telemetry table becomes partitioned by device time (<see cref="TelemetryPartitions"/> adds the
/// ranges and drops the old ones), so retention drops whole partitions instead of deleting rows. SQLite keeps its table.
/// </summary>
/// <remarks>
/// PostgreSQL's unique keys on a partitioned table must include the partition column, so the key is
/// (device, sequence, device time). A device re-sends a message byte for byte from its outbox, device time included,
/// so a repeat meets the stored row in the same partition and <c>ON CONFLICT DO NOTHING</c> still stores it once; the
/// ingestion pipeline's sequence tracker refuses repeats before they reach the table in any case.
/// </remarks>
[Migration(2026_12_06_18, "Ingestion: telemetry partitioned by device time on PostgreSQL")]
public sealed class TelemetryPartitionSchema : SchemaMigration
{
    public override void Up()
    {
        if (Dialect.Provider != StorageProvider.PostgreSQL)
            return;
        // Rows already stored move into the default partition; TelemetryPartitions moves them on into their range.
        PortableSql($"""
            ALTER TABLE telemetry RENAME TO telemetry_unpartitioned;
            CREATE TABLE telemetry (
                device_id text NOT NULL,
                seq bigint NOT NULL,
                kind text NOT NULL,
                device_time_ms bigint NOT NULL,
                received_time_ms bigint NOT NULL,
                payload bytea NOT NULL,
                CONSTRAINT pk_telemetry PRIMARY KEY (device_id, seq, device_time_ms)
            ) PARTITION BY RANGE (device_time_ms);
            CREATE TABLE {TelemetryPartitions.DefaultPartitionOf("telemetry")} PARTITION OF telemetry DEFAULT;
            INSERT INTO telemetry SELECT device_id, seq, kind, device_time_ms, received_time_ms, payload FROM telemetry_unpartitioned;
            DROP TABLE telemetry_unpartitioned;
            """);
    }
}
