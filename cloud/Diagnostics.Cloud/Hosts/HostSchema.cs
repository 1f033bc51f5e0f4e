namespace Diagnostics.Cloud.Hosts;

/// <summary>
/// The tables of <c>Hosts/</c>, kept beside the capability (run after <see cref="Storage.Schema.Sql"/>, idempotent like
/// it): the computers and print servers that print to registered printers, and their print queues.
/// </summary>
internal static class HostSchema
{
    public const string Sql = """
        -- One row per agent in the host role (its id is the agent's device id): what the host is, from its newest report.
        CREATE TABLE IF NOT EXISTS hosts (
            host_id TEXT NOT NULL PRIMARY KEY,
            host_name TEXT NOT NULL,
            os TEXT NOT NULL,
            os_name TEXT NOT NULL,
            os_version TEXT NOT NULL,
            architecture TEXT NOT NULL,
            print_system TEXT NOT NULL,
            driver_formats TEXT NOT NULL,
            reachable INTEGER NOT NULL,
            problem TEXT NOT NULL,
            queues_left_out INTEGER NOT NULL,
            report_seq INTEGER NOT NULL,
            reported_at_ms INTEGER NOT NULL
        );

        -- Each host's print queues with their driver, and the registered printer each was matched to (device_id).
        CREATE TABLE IF NOT EXISTS host_queues (
            host_id TEXT NOT NULL,
            queue TEXT NOT NULL,
            device_uri TEXT NOT NULL,
            make_and_model TEXT NOT NULL,
            printer_model TEXT NOT NULL,
            driver TEXT NOT NULL,
            driver_name TEXT NOT NULL,
            driver_version TEXT NOT NULL,
            printer_uuid TEXT NOT NULL,
            printer_serial TEXT NOT NULL,
            mapped_device_id TEXT NOT NULL,
            device_id TEXT NULL,
            matched_by TEXT NOT NULL,
            state TEXT NOT NULL,
            accepting INTEGER NOT NULL,
            state_message TEXT NOT NULL,
            ppd_sha256 TEXT NOT NULL,
            PRIMARY KEY (host_id, queue)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_host_queues_device ON host_queues (device_id);
        CREATE INDEX IF NOT EXISTS ix_host_queues_model ON host_queues (printer_model);
        CREATE INDEX IF NOT EXISTS ix_host_queues_uri ON host_queues (device_uri);

        -- Host reports left by ingestion for the host inventory, in the transaction that stored them.
        CREATE TABLE IF NOT EXISTS host_inbox (
            device_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            envelope BLOB NOT NULL,
            received_at_ms INTEGER NOT NULL,
            PRIMARY KEY (device_id, seq)
        ) WITHOUT ROWID;
        """;
}
