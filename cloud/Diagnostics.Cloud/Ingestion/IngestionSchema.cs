using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Ingestion;

[Migration(2026_12_06_02, "Ingestion: stored messages, device events, active conditions")]
public sealed class IngestionSchema : SchemaMigration
{
    public override void Up()
    {
        // Every stored (device, sequence) once: the key is what makes a repeated message land once.
        CreateTableUnlessExists("telemetry", table => table
            .WithColumn("device_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("seq").AsInt64().NotNullable().PrimaryKey()
            .WithColumn("kind").AsString().NotNullable()
            .WithColumn("device_time_ms").AsInt64().NotNullable()
            .WithColumn("received_time_ms").AsInt64().NotNullable()
            .WithColumn("payload").AsBinary().NotNullable());
        CreateTableUnlessExists("device_events", table => table
            .WithColumn("device_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("seq").AsInt64().NotNullable().PrimaryKey()
            .WithColumn("kind").AsString().NotNullable()
            .WithColumn("code").AsString().NotNullable()
            .WithColumn("condition").AsString().NotNullable()
            .WithColumn("severity").AsString().NotNullable()
            .WithColumn("message").AsString().NotNullable()
            .WithColumn("device_time_ms").AsInt64().NotNullable()
            .WithColumn("received_time_ms").AsInt64().NotNullable());
        CreateTableUnlessExists("active_conditions", table => table
            .WithColumn("device_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("code").AsString().NotNullable().PrimaryKey()
            .WithColumn("condition").AsString().NotNullable()
            .WithColumn("severity").AsString().NotNullable()
            .WithColumn("message").AsString().NotNullable()
            .WithColumn("since_ms").AsInt64().NotNullable());
        PortableSql("""
            CREATE INDEX IF NOT EXISTS ix_device_events_device_seq ON device_events (device_id, seq DESC);
            CREATE INDEX IF NOT EXISTS ix_active_conditions_condition ON active_conditions (condition);
            """);
    }
}
