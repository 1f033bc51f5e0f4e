using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Devices;

[Migration(2026_12_06_01, "Devices: the registry and the fleet history")]
public sealed class DevicesSchema : SchemaMigration
{
    public override void Up()
    {
        var created = CreateTableUnlessExists("devices", table => table
            .WithColumn("id").AsString().NotNullable().PrimaryKey()
            .WithColumn("model").AsString().NotNullable().WithDefaultValue("")
            .WithColumn("serial").AsString().NotNullable().WithDefaultValue("")
            .WithColumn("firmware").AsString().NotNullable().WithDefaultValue("")
            .WithColumn("state").AsString().NotNullable().WithDefaultValue("Unknown")
            .WithColumn("state_message").AsString().NotNullable().WithDefaultValue("")
            .WithColumn("health").AsString().NotNullable().WithDefaultValue("unknown")
            .WithColumn("online").AsBoolean().NotNullable().WithDefaultValue(false)
            .WithColumn("last_seen_ms").AsInt64().Nullable()
            .WithColumn("heartbeat_interval_s").AsInt64().NotNullable().WithDefaultValue(0)
            .WithColumn("status_seq").AsInt64().Nullable()
            .WithColumn("status_blob").AsBinary().Nullable()
            .WithColumn("contiguous_mark").AsInt64().Nullable()
            .WithColumn("token_hash").AsBinary().NotNullable()
            .WithColumn("token_salt").AsBinary().NotNullable()
            .WithColumn("registered_at_ms").AsInt64().NotNullable()
            .WithColumn("pairing_code").AsString().Nullable());
        if (!created)
            AddColumnUnlessExists("devices", "pairing_code", column => column.AsString().Nullable());
        PortableSql("""
            CREATE INDEX IF NOT EXISTS ix_devices_health ON devices (health);
            CREATE INDEX IF NOT EXISTS ix_devices_model ON devices (model);
            CREATE INDEX IF NOT EXISTS ix_devices_pairing_code ON devices (pairing_code);
            CREATE INDEX IF NOT EXISTS ix_devices_firmware ON devices (firmware);
            CREATE INDEX IF NOT EXISTS ix_devices_online ON devices (online);
            """);

        CreateTableUnlessExists("fleet_history", table => table
            .WithColumn("at_ms").AsInt64().NotNullable().PrimaryKey()
            .WithColumn("total").AsInt64().NotNullable()
            .WithColumn("healthy").AsInt64().NotNullable()
            .WithColumn("warning").AsInt64().NotNullable()
            .WithColumn("critical").AsInt64().NotNullable()
            .WithColumn("unknown").AsInt64().NotNullable()
            .WithColumn("online").AsInt64().NotNullable());
        CreateTableUnlessExists("fleet_history_conditions", table => table
            .WithColumn("at_ms").AsInt64().NotNullable().PrimaryKey()
            .WithColumn("condition").AsString().NotNullable().PrimaryKey()
            .WithColumn("devices").AsInt64().NotNullable());
    }
}
