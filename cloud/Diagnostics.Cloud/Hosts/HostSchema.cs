using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Hosts;

/// <summary>
/// The tables of <c>Hosts/</c>: the computers and print servers that print to registered printers, their print queues,
/// and the inbox of host reports ingestion fills.
/// </summary>
[Migration(2026_12_06_21, "Hosts: computers and print servers, their print queues and drivers, host inbox")]
public sealed class HostSchema : SchemaMigration
{
    public override void Up()
    {
        // One row per agent in the host role (its id is the agent's device id): what the host is, from its newest report.
        CreateTableUnlessExists("hosts", table => table
            .WithColumn("host_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("host_name").AsString().NotNullable()
            .WithColumn("os").AsString().NotNullable()
            .WithColumn("os_name").AsString().NotNullable()
            .WithColumn("os_version").AsString().NotNullable()
            .WithColumn("architecture").AsString().NotNullable()
            .WithColumn("print_system").AsString().NotNullable()
            .WithColumn("driver_formats").AsString().NotNullable()
            .WithColumn("reachable").AsBoolean().NotNullable()
            .WithColumn("problem").AsString().NotNullable()
            .WithColumn("queues_left_out").AsInt32().NotNullable()
            .WithColumn("report_seq").AsInt64().NotNullable()
            .WithColumn("reported_at_ms").AsInt64().NotNullable());

        // Each host's print queues with their driver, and the registered printer each was tied to (device_id).
        CreateTableUnlessExists("host_queues", table => table
            .WithColumn("host_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("queue").AsString().NotNullable().PrimaryKey()
            .WithColumn("device_uri").AsString().NotNullable()
            .WithColumn("make_and_model").AsString().NotNullable()
            .WithColumn("printer_model").AsString().NotNullable()
            .WithColumn("driver").AsString().NotNullable()
            .WithColumn("driver_name").AsString().NotNullable()
            .WithColumn("driver_version").AsString().NotNullable()
            .WithColumn("printer_uuid").AsString().NotNullable()
            .WithColumn("printer_serial").AsString().NotNullable()
            .WithColumn("mapped_device_id").AsString().NotNullable()
            .WithColumn("device_id").AsString().Nullable()
            .WithColumn("matched_by").AsString().NotNullable()
            .WithColumn("state").AsString().NotNullable()
            .WithColumn("accepting").AsBoolean().NotNullable()
            .WithColumn("state_message").AsString().NotNullable()
            .WithColumn("ppd_sha256").AsString().NotNullable());
        PortableSql("""
            CREATE INDEX IF NOT EXISTS ix_host_queues_device ON host_queues (device_id);
            CREATE INDEX IF NOT EXISTS ix_host_queues_model ON host_queues (printer_model);
            CREATE INDEX IF NOT EXISTS ix_host_queues_uri ON host_queues (device_uri);
            """);

        // Host reports left by ingestion for the host inventory, in the transaction that stored them.
        CreateTableUnlessExists("host_inbox", table => table
            .WithColumn("device_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("seq").AsInt64().NotNullable().PrimaryKey()
            .WithColumn("envelope").AsBinary().NotNullable()
            .WithColumn("received_at_ms").AsInt64().NotNullable());
    }
}
