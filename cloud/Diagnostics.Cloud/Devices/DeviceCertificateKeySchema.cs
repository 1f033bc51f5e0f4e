using Diagnostics.Cloud.Storage;
using FluentMigrator;

namespace Diagnostics.Cloud.Devices;

[Migration(2026_12_07_47, "Devices: the key and bytes of each issued certificate, so a repeated request for one key gets the same certificate")]
public sealed class DeviceCertificateKeySchema : SchemaMigration
{
    public override void Up()
    {
        // SHA-256 of the certified key's SubjectPublicKeyInfo (as SigningRequests.FingerprintOf) and the certificate's
        // DER. Certificates issued before this step have neither: a request for their key gets a new certificate.
        AddColumnUnlessExists("device_certificates", "key_fingerprint", column => column.AsString().Nullable());
        AddColumnUnlessExists("device_certificates", "certificate", column => column.AsBinary().Nullable());
        PortableSql("CREATE INDEX IF NOT EXISTS ix_device_certificates_key ON device_certificates (device_id, key_fingerprint);");
    }
}
