using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Audit;

/// <remarks>
/// The audit trail's table was created by the Fixes step (2026_12_06_06) until the trail got its own folder: a database
/// that ran that step already has it, so this step finds the table and its indexes there and changes nothing.
/// </remarks>
[Migration(2026_12_06_12, "Audit: the trail of remote actions and decisions")]
public sealed class AuditSchema : SchemaMigration
{
    public override void Up()
    {
        // Every remote action and decision, each record carrying the hash of the one before (tamper-evident).
        CreateTableUnlessExists("audit_log", table => table
            .WithColumn("seq").AsInt64().NotNullable().PrimaryKey()
            .WithColumn("at_ms").AsInt64().NotNullable()
            .WithColumn("actor").AsString().NotNullable()
            .WithColumn("action").AsString().NotNullable()
            .WithColumn("device_id").AsString().NotNullable()
            .WithColumn("subject").AsString().NotNullable()
            .WithColumn("details").AsString().NotNullable()
            .WithColumn("prev_hash").AsString().NotNullable()
            .WithColumn("hash").AsString().NotNullable());
        PortableSql("""
            CREATE INDEX IF NOT EXISTS ix_audit_log_device ON audit_log (device_id, seq);
            CREATE INDEX IF NOT EXISTS ix_audit_log_subject ON audit_log (subject, seq);
            """);
    }
}
