using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Fixes;

[Migration(2026_12_06_06, "Fixes: inbox, proposals, standing consents, diagnostics reports")]
public sealed class FixesSchema : SchemaMigration
{
    public override void Up()
    {
        // Ingestion leaves raised problems and command results here in its own transaction; the fix loop takes them out
        // in the transaction that acts on them, so none is lost to a crash in between.
        CreateTableUnlessExists("fix_inbox", table => table
            .WithColumn("device_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("seq").AsInt64().NotNullable().PrimaryKey()
            .WithColumn("envelope").AsBinary().NotNullable()
            .WithColumn("received_at_ms").AsInt64().NotNullable());

        CreateTableUnlessExists("fix_proposals", table => table
            .WithColumn("id").AsString().NotNullable().PrimaryKey()
            .WithColumn("device_id").AsString().NotNullable()
            .WithColumn("code").AsString().NotNullable()
            .WithColumn("condition").AsString().NotNullable()
            .WithColumn("severity").AsString().NotNullable()
            .WithColumn("message").AsString().NotNullable()
            .WithColumn("event_seq").AsInt64().NotNullable()
            .WithColumn("attempt").AsInt32().NotNullable()
            .WithColumn("article_id").AsString().Nullable()
            .WithColumn("article_version").AsInt32().Nullable()
            .WithColumn("article_title").AsString().Nullable()
            .WithColumn("command").AsString().Nullable()
            .WithColumn("action").AsString().Nullable()
            .WithColumn("parameters").AsString().Nullable()
            .WithColumn("describe").AsString().Nullable()
            .WithColumn("verify_clears").AsString().Nullable()
            .WithColumn("verify_within_ms").AsInt64().Nullable()
            .WithColumn("reasons").AsString().NotNullable()
            .WithColumn("state").AsString().NotNullable()
            .WithColumn("note").AsString().NotNullable().WithDefaultValue("")
            .WithColumn("created_at_ms").AsInt64().NotNullable()
            .WithColumn("expires_at_ms").AsInt64().NotNullable()
            .WithColumn("decided_at_ms").AsInt64().Nullable()
            .WithColumn("decided_by").AsString().Nullable()
            .WithColumn("consent_id").AsString().Nullable()
            .WithColumn("command_id").AsString().Nullable()
            .WithColumn("sent_at_ms").AsInt64().Nullable()
            .WithColumn("command_expires_at_ms").AsInt64().Nullable()
            .WithColumn("result_outcome").AsString().Nullable()
            .WithColumn("result_detail").AsString().Nullable()
            .WithColumn("result_at_ms").AsInt64().Nullable()
            .WithColumn("verify_deadline_ms").AsInt64().Nullable()
            .WithColumn("finished_at_ms").AsInt64().Nullable());
        PortableSql("""
            CREATE INDEX IF NOT EXISTS ix_fix_proposals_device ON fix_proposals (device_id, created_at_ms DESC);
            CREATE INDEX IF NOT EXISTS ix_fix_proposals_state ON fix_proposals (state);
            CREATE UNIQUE INDEX IF NOT EXISTS ix_fix_proposals_command ON fix_proposals (command_id) WHERE command_id IS NOT NULL;
            """);

        // Standing consents: "apply maintenance fixes on this device automatically until ...", revocable.
        CreateTableUnlessExists("consent_policies", table => table
            .WithColumn("id").AsString().NotNullable().PrimaryKey()
            .WithColumn("device_id").AsString().NotNullable()
            .WithColumn("action").AsString().NotNullable()
            .WithColumn("granted_by").AsString().NotNullable()
            .WithColumn("granted_at_ms").AsInt64().NotNullable()
            .WithColumn("expires_at_ms").AsInt64().NotNullable()
            .WithColumn("revoked_at_ms").AsInt64().Nullable()
            .WithColumn("revoked_by").AsString().Nullable());
        PortableSql("CREATE INDEX IF NOT EXISTS ix_consent_policies_device ON consent_policies (device_id);");

        // Diagnostics reports a device uploaded: the owner reviews each before support can open it.
        if (CreateTableUnlessExists("diagnostic_bundles", table => table
            .WithColumn("id").AsString().NotNullable().PrimaryKey()
            .WithColumn("device_id").AsString().NotNullable()
            .WithColumn("proposal_id").AsString().NotNullable()
            .WithColumn("command_id").AsString().NotNullable()
            .WithColumn("uploaded_at_ms").AsInt64().NotNullable()
            .WithColumn("bytes").AsInt64().NotNullable()
            .WithColumn("sha256").AsString().NotNullable()
            .WithColumn("state").AsString().NotNullable()
            .WithColumn("decided_by").AsString().Nullable()
            .WithColumn("decided_at_ms").AsInt64().Nullable()
            .WithColumn("content").AsBinary().Nullable()))
        {
            // One report per upload command (a database adopted from before migrations has this as a column constraint).
            PortableSql("CREATE UNIQUE INDEX IF NOT EXISTS ux_diagnostic_bundles_command ON diagnostic_bundles (command_id);");
        }
        PortableSql("CREATE INDEX IF NOT EXISTS ix_diagnostic_bundles_device ON diagnostic_bundles (device_id, uploaded_at_ms DESC);");
    }
}
