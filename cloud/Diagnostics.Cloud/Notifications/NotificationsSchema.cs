using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Notifications;

[Migration(2026_12_06_04, "Notifications: what each owner is told about their devices")]
public sealed class NotificationsSchema : SchemaMigration
{
    public override void Up()
    {
        if (CreateTableUnlessExists("notifications", table => table
                .WithColumn("id").AsInt64().NotNullable().PrimaryKey().Identity()
                .WithColumn("account_id").AsString().NotNullable()
                .WithColumn("device_id").AsString().NotNullable()
                .WithColumn("seq").AsInt64().NotNullable()
                .WithColumn("code").AsString().NotNullable()
                .WithColumn("condition").AsString().NotNullable()
                .WithColumn("severity").AsString().NotNullable()
                .WithColumn("message").AsString().NotNullable()
                .WithColumn("created_at_ms").AsInt64().NotNullable()
                .WithColumn("read_at_ms").AsInt64().Nullable()))
        {
            // One notification per owner and event (a database adopted from before migrations has this as a table constraint).
            PortableSql("CREATE UNIQUE INDEX IF NOT EXISTS ux_notifications_account_event ON notifications (account_id, device_id, seq);");
        }
        PortableSql("CREATE INDEX IF NOT EXISTS ix_notifications_account ON notifications (account_id, id DESC);");
    }
}

[Migration(2026_12_06_31, "Notifications: finding an owner's unread notification of a device's problem")]
public sealed class UnreadNotificationSchema : SchemaMigration
{
    // A problem that comes back before its owner read about it is not notified twice; this finds the unread one.
    public override void Up() =>
        PortableSql("CREATE INDEX IF NOT EXISTS ix_notifications_unread_code ON notifications (account_id, device_id, code) WHERE read_at_ms IS NULL;");
}
