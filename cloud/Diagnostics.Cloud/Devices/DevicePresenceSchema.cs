using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Devices;

[Migration(2026_12_06_10, "Devices: when the broker last saw each device connect or go away")]
public sealed class DevicePresenceSchema : SchemaMigration
{
    // A message received before the device's last connect or disconnect does not set it online.
    public override void Up() => AddColumnUnlessExists("devices", "presence_at_ms", column => column.AsInt64().Nullable());
}
