using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Updates;

[Migration(2026_12_06_07, "Updates: packages, rollouts and their devices, update inbox, device tags, maintenance windows")]
public sealed class UpdatesSchema : SchemaMigration
{
    public override void Up()
    {
        // Labels staff give devices ("pilot", "site-berlin"), used to target rollouts.
        CreateTableUnlessExists("device_tags", table => table
            .WithColumn("device_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("tag").AsString().NotNullable().PrimaryKey());
        PortableSql("CREATE INDEX IF NOT EXISTS ix_device_tags_tag ON device_tags (tag);");

        // The signed manifest as uploaded, a few fields out of it for queries, and the payload's file.
        CreateTableUnlessExists("update_packages", table => table
            .WithColumn("id").AsString().NotNullable().PrimaryKey()
            .WithColumn("kind").AsString().NotNullable()
            .WithColumn("version").AsString().NotNullable()
            .WithColumn("models").AsString().NotNullable()
            .WithColumn("is_delta").AsBoolean().NotNullable()
            .WithColumn("delta_from_version").AsString().NotNullable()
            .WithColumn("payload_size").AsInt64().NotNullable()
            .WithColumn("image_size").AsInt64().NotNullable()
            .WithColumn("expires_at_ms").AsInt64().NotNullable()
            .WithColumn("key_id").AsString().NotNullable()
            .WithColumn("signed_manifest").AsBinary().NotNullable()
            .WithColumn("payload_file").AsString().NotNullable()
            .WithColumn("uploaded_at_ms").AsInt64().NotNullable()
            .WithColumn("uploaded_by").AsString().NotNullable());
        PortableSql("CREATE INDEX IF NOT EXISTS ix_update_packages_version ON update_packages (version);");

        CreateTableUnlessExists("rollouts", table => table
            .WithColumn("id").AsString().NotNullable().PrimaryKey()
            .WithColumn("name").AsString().NotNullable()
            .WithColumn("package_id").AsString().NotNullable()
            .WithColumn("version").AsString().NotNullable()
            .WithColumn("spec").AsString().NotNullable()
            .WithColumn("state").AsString().NotNullable()
            .WithColumn("halt_reason").AsString().NotNullable().WithDefaultValue("")
            .WithColumn("current_wave").AsInt32().NotNullable()
            .WithColumn("wave_started_at_ms").AsInt64().NotNullable()
            .WithColumn("created_at_ms").AsInt64().NotNullable()
            .WithColumn("created_by").AsString().NotNullable()
            .WithColumn("updated_at_ms").AsInt64().NotNullable());

        // One row per device in a rollout: its wave, its consent, and the last step it reported.
        CreateTableUnlessExists("rollout_devices", table => table
            .WithColumn("rollout_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("device_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("wave").AsInt32().NotNullable()
            .WithColumn("state").AsString().NotNullable()
            .WithColumn("attempt").AsInt32().NotNullable().WithDefaultValue(0)
            .WithColumn("offer_id").AsString().Nullable()
            .WithColumn("package_id").AsString().Nullable()
            .WithColumn("from_version").AsString().NotNullable()
            .WithColumn("running_version").AsString().NotNullable().WithDefaultValue("")
            .WithColumn("percent").AsInt32().NotNullable().WithDefaultValue(0)
            .WithColumn("failure").AsString().NotNullable().WithDefaultValue("")
            .WithColumn("detail").AsString().NotNullable().WithDefaultValue("")
            .WithColumn("approved_by").AsString().Nullable()
            .WithColumn("approved_at_ms").AsInt64().Nullable()
            .WithColumn("consent_id").AsString().Nullable()
            .WithColumn("first_offered_at_ms").AsInt64().Nullable()
            .WithColumn("deferred_until_ms").AsInt64().Nullable()
            .WithColumn("not_before_ms").AsInt64().Nullable()
            .WithColumn("started_at_ms").AsInt64().Nullable()
            .WithColumn("finished_at_ms").AsInt64().Nullable()
            .WithColumn("updated_at_ms").AsInt64().NotNullable());
        PortableSql("""
            CREATE INDEX IF NOT EXISTS ix_rollout_devices_device ON rollout_devices (device_id);
            CREATE INDEX IF NOT EXISTS ix_rollout_devices_offer ON rollout_devices (offer_id);
            """);

        // Update reports left by ingestion for the rollout scheduler, in the transaction that stored them.
        CreateTableUnlessExists("update_inbox", table => table
            .WithColumn("device_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("seq").AsInt64().NotNullable().PrimaryKey()
            .WithColumn("envelope").AsBinary().NotNullable()
            .WithColumn("received_at_ms").AsInt64().NotNullable());

        // When a customer lets updates install on a device: minutes of the day in the customer's time zone.
        CreateTableUnlessExists("maintenance_windows", table => table
            .WithColumn("device_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("from_minute").AsInt32().NotNullable()
            .WithColumn("to_minute").AsInt32().NotNullable()
            .WithColumn("time_zone").AsString().NotNullable()
            .WithColumn("not_while_printing").AsBoolean().NotNullable());
    }
}
