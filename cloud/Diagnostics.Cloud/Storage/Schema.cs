namespace Diagnostics.Cloud.Storage;

/// <summary>The database schema; every statement is idempotent so it runs at each start.</summary>
internal static class Schema
{
    public const string Sql = """
        CREATE TABLE IF NOT EXISTS devices (
            id TEXT NOT NULL PRIMARY KEY,
            model TEXT NOT NULL DEFAULT '',
            serial TEXT NOT NULL DEFAULT '',
            firmware TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL DEFAULT 'Unknown',
            state_message TEXT NOT NULL DEFAULT '',
            health TEXT NOT NULL DEFAULT 'unknown',
            online INTEGER NOT NULL DEFAULT 0,
            last_seen_ms INTEGER NULL,
            heartbeat_interval_s INTEGER NOT NULL DEFAULT 0,
            status_seq INTEGER NULL,
            status_blob BLOB NULL,
            contiguous_mark INTEGER NULL,
            token_hash BLOB NOT NULL,
            token_salt BLOB NOT NULL,
            registered_at_ms INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_devices_health ON devices (health);
        CREATE INDEX IF NOT EXISTS ix_devices_model ON devices (model);

        CREATE TABLE IF NOT EXISTS telemetry (
            device_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            device_time_ms INTEGER NOT NULL,
            received_time_ms INTEGER NOT NULL,
            payload BLOB NOT NULL,
            PRIMARY KEY (device_id, seq)
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS device_events (
            device_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            code TEXT NOT NULL,
            condition TEXT NOT NULL,
            severity TEXT NOT NULL,
            message TEXT NOT NULL,
            device_time_ms INTEGER NOT NULL,
            received_time_ms INTEGER NOT NULL,
            PRIMARY KEY (device_id, seq)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_device_events_device_seq ON device_events (device_id, seq DESC);

        CREATE TABLE IF NOT EXISTS active_conditions (
            device_id TEXT NOT NULL,
            code TEXT NOT NULL,
            condition TEXT NOT NULL,
            severity TEXT NOT NULL,
            message TEXT NOT NULL,
            since_ms INTEGER NOT NULL,
            PRIMARY KEY (device_id, code)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_active_conditions_condition ON active_conditions (condition);
        """;
}
