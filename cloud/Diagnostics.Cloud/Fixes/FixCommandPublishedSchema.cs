using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Fixes;

[Migration(2026_12_07_18, "Fixes: when each command was handed to the broker, so one whose instance died first still goes out")]
public sealed class FixCommandPublishedSchema : SchemaMigration
{
    public override void Up()
    {
        AddColumnUnlessExists("fix_proposals", "command_published_at_ms", column => column.AsInt64().Nullable());
        // Commands approved before this step went out then (or at the device's reconnects since): none is owed.
        PortableSql("UPDATE fix_proposals SET command_published_at_ms = sent_at_ms WHERE sent_at_ms IS NOT NULL AND command_published_at_ms IS NULL;");
        PortableSql("CREATE INDEX IF NOT EXISTS ix_fix_proposals_unpublished ON fix_proposals (sent_at_ms) WHERE command_published_at_ms IS NULL;");
    }
}
