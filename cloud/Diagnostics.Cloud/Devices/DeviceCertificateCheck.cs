using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Diagnostics.Cloud.Certificates;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Devices;

/// <summary>What a device's client certificate proved: the device it names, or why it is refused.</summary>
/// <param name="NamesAnotherDevice">The certificate is sound but its subject is not the device asked about.</param>
public readonly record struct DeviceCertificateVerdict(bool IsValid, bool NamesAnotherDevice, string Reason, string? Serial)
{
    public static DeviceCertificateVerdict Refused(string reason, bool namesAnotherDevice = false) => new(false, namesAnotherDevice, reason, null);
}

/// <summary>
/// A TLS client certificate taken as a device's identity, the same way on the broker (CONNECT) and on HTTPS (payload
/// downloads, report uploads): it must chain to the device CA and be valid now, name the device as its subject, be
/// one the cloud issued (the registry's list) and not be revoked there — even though its dates still hold — and the
/// device's credentials must not be revoked. Then no token is needed.
/// </summary>
public sealed class DeviceCertificateCheck(DeviceRegistry registry, IDeviceCredentialStore store, DeviceCertificateAuthority authority, TimeProvider time)
{
    public async Task<DeviceCertificateVerdict> VerifyAsync(X509Certificate2 certificate, string deviceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!authority.Vouches(certificate, out var why))
            return DeviceCertificateVerdict.Refused("client certificate " + why);
        var subject = CertificateIssuer.CommonNameOf(certificate);
        if (subject != deviceId || !Topics.IsValidDeviceId(deviceId))
            return DeviceCertificateVerdict.Refused($"client certificate is for '{subject}', not device '{deviceId}'", namesAnotherDevice: true);
        var issued = await store.GetCertificateAsync(certificate.SerialNumber, cancellationToken);
        var thumbprint = Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
        if (issued is null || issued.DeviceId != deviceId || issued.Thumbprint != thumbprint)
            return DeviceCertificateVerdict.Refused($"client certificate {certificate.SerialNumber} was not issued by this cloud");
        if (issued.RevokedAt is { } revokedAt)
            return DeviceCertificateVerdict.Refused($"client certificate {issued.Serial} was revoked at {revokedAt:u} ({issued.RevocationReason})");
        var credentials = await registry.GetCredentialsAsync(deviceId, cancellationToken);
        if (credentials is null || credentials.IsRevoked)
            return DeviceCertificateVerdict.Refused("the device's credentials are revoked");
        // The device uses its newest certificate: the ones issued before it are done with.
        if (credentials.ActiveCertificates > 1)
            await store.SupersedeOlderAsync(deviceId, issued.Serial, time.GetUtcNow(), cancellationToken);
        return new(true, false, "certificate", issued.Serial);
    }
}
