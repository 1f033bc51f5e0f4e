using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Accounts;

[Migration(2026_12_06_03, "Accounts: people and the devices they own")]
public sealed class AccountsSchema : SchemaMigration
{
    public override void Up()
    {
        if (CreateTableUnlessExists("accounts", table => table
            .WithColumn("id").AsString().NotNullable().PrimaryKey()
            .WithColumn("email").AsCustom(Dialect.CaseInsensitiveTextType).NotNullable()
            .WithColumn("display_name").AsString().NotNullable()
            .WithColumn("role").AsString().NotNullable()
            .WithColumn("password_hash").AsString().NotNullable()
            .WithColumn("created_at_ms").AsInt64().NotNullable()))
        {
            // One account per address, whatever its case: the NOCASE column's index on SQLite (a database adopted from before
            // migrations has it as a column constraint), an index of lower(email) on PostgreSQL.
            PortableSql($"CREATE UNIQUE INDEX IF NOT EXISTS ux_accounts_email ON accounts ({Dialect.IgnoringCase("email")});");
        }
        CreateTableUnlessExists("device_owners", table => table
            .WithColumn("device_id").AsString().NotNullable().PrimaryKey()
            .WithColumn("account_id").AsString().NotNullable()
            .WithColumn("paired_at_ms").AsInt64().NotNullable());
        PortableSql("CREATE INDEX IF NOT EXISTS ix_device_owners_account ON device_owners (account_id);");
    }
}

[Migration(2026_12_06_30, "Accounts: the name a customer gives each of their devices")]
public sealed class DeviceNicknameSchema : SchemaMigration
{
    // "Office printer": set at pairing or later, the owner's alone; null until they name it.
    public override void Up() => AddColumnUnlessExists("device_owners", "nickname", column => column.AsString().Nullable());
}

[Migration(2026_12_06_32, "Accounts: password-reset links (their secrets' hashes)")]
public sealed class PasswordResetSchema : SchemaMigration
{
    public override void Up()
    {
        CreateTableUnlessExists("password_resets", table => table
            .WithColumn("token_hash").AsString().NotNullable().PrimaryKey()
            .WithColumn("account_id").AsString().NotNullable()
            .WithColumn("created_at_ms").AsInt64().NotNullable()
            .WithColumn("expires_at_ms").AsInt64().NotNullable()
            .WithColumn("used_at_ms").AsInt64().Nullable());
        PortableSql("CREATE INDEX IF NOT EXISTS ix_password_resets_account ON password_resets (account_id, created_at_ms);");
    }
}

[Migration(2026_12_06_50, "Accounts: the language each person reads the apps in")]
public sealed class AccountLanguageSchema : SchemaMigration
{
    // A culture name the apps have translations for ("zh-Hans", "ja"); null until the person picks one, and then the
    // browser's Accept-Language decides.
    public override void Up() => AddColumnUnlessExists("accounts", "language", column => column.AsString().Nullable());
}
