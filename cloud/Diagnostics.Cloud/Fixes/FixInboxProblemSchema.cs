using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Fixes;

[Migration(2026_12_06_11, "Fixes: the problem a raise in the fix inbox is about")]
public sealed class FixInboxProblemSchema : SchemaMigration
{
    public override void Up()
    {
        // A second raise of a problem while the first still waits in the inbox adds nothing.
        AddColumnUnlessExists("fix_inbox", "problem", column => column.AsString().Nullable());
        PortableSql("CREATE INDEX IF NOT EXISTS ix_fix_inbox_problem ON fix_inbox (device_id, problem) WHERE problem IS NOT NULL;");
    }
}
