using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Updates;

[Migration(2026_12_07_64, "Updates: the code and values of what a device said about its update, to word it in each reader's language")]
public sealed class RolloutDeviceDetailSchema : SchemaMigration
{
    // JSON of the report's UpdateDetail (code, values, English text); null for rows written before and for the service's own notes.
    public override void Up() => AddColumnUnlessExists("rollout_devices", "device_detail", column => column.AsString().Nullable());
}
