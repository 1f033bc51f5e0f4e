using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Devices;

[Migration(2026_12_06_09, "Devices: issued certificates, certificate requests, revoked credentials")]
public sealed class DeviceCredentialsSchema : SchemaMigration
{
    public override void Up()
    {
        // Set when the device's credentials were revoked (decommissioned): its history stays, its token and certificates
        // no longer authenticate, and registering its id again gives it new ones.
        AddColumnUnlessExists("devices", "credentials_revoked_at_ms", column => column.AsInt64().Nullable());

        // Client certificates the device CA issued. A device presenting one is accepted while it is within its validity
        // and not revoked here: this table is the cloud's own revocation list (the CA publishes none).
        CreateTableUnlessExists("device_certificates", table => table
            .WithColumn("serial").AsString().NotNullable().PrimaryKey()
            .WithColumn("device_id").AsString().NotNullable()
            .WithColumn("thumbprint").AsString().NotNullable()
            .WithColumn("not_before_ms").AsInt64().NotNullable()
            .WithColumn("not_after_ms").AsInt64().NotNullable()
            .WithColumn("issued_at_ms").AsInt64().NotNullable()
            .WithColumn("revoked_at_ms").AsInt64().Nullable()
            .WithColumn("revocation_reason").AsString().Nullable());
        PortableSql("CREATE INDEX IF NOT EXISTS ix_device_certificates_device ON device_certificates (device_id, issued_at_ms);");

        // Certificate requests from devices that showed neither the enrollment key nor a token: an admin decides. The id
        // is the requester's secret (it fetches its certificate with it); one request per device waits at a time.
        CreateTableUnlessExists("certificate_requests", table => table
            .WithColumn("id").AsString().NotNullable().PrimaryKey()
            .WithColumn("device_id").AsString().NotNullable()
            .WithColumn("model").AsString().NotNullable()
            .WithColumn("csr").AsBinary().NotNullable()
            .WithColumn("key_fingerprint").AsString().NotNullable()
            .WithColumn("state").AsString().NotNullable()
            .WithColumn("requested_at_ms").AsInt64().NotNullable()
            .WithColumn("requested_from").AsString().NotNullable()
            .WithColumn("decided_by").AsString().Nullable()
            .WithColumn("decided_at_ms").AsInt64().Nullable()
            .WithColumn("certificate").AsBinary().Nullable());
        PortableSql("""
            CREATE UNIQUE INDEX IF NOT EXISTS ix_certificate_requests_waiting ON certificate_requests (device_id) WHERE state IN ('pending', 'approved');
            CREATE INDEX IF NOT EXISTS ix_certificate_requests_state ON certificate_requests (state, requested_at_ms);
            """);
    }
}
