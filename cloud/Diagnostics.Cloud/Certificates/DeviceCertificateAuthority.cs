using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Diagnostics.Cloud.Observability;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Certificates;

/// <summary>A device certificate the CA just signed, with what the registry keeps of it.</summary>
public sealed record IssuedCertificate(string DeviceId, string Serial, string Thumbprint, DateTimeOffset NotBefore, DateTimeOffset NotAfter, byte[] Der)
{
    public string Pem => PemEncoding.WriteString("CERTIFICATE", Der);

    /// <summary>What the registry keeps of a certificate, read from its DER.</summary>
    public static IssuedCertificate FromDer(string deviceId, byte[] der)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        return new IssuedCertificate(deviceId, certificate.SerialNumber, Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)),
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime()), new DateTimeOffset(certificate.NotAfter.ToUniversalTime()), der);
    }
}

/// <summary>
/// The CA that signs devices' client certificates: the operator's (<c>Certificates:DeviceCa*</c>) or one created at
/// first start (<c>device-ca.crt</c>/<c>device-ca.key</c> in the certificate directory). It signs a certificate whose
/// subject is the device id alone, for the key of a request that checked out, and tells whether a certificate a client
/// presents chains to it. Whether a certificate it issued is still good (not revoked) is the registry's business.
/// </summary>
public sealed partial class DeviceCertificateAuthority(
    IOptions<CertificateOptions> options, CertificateDirectory directory, TimeProvider time, ILogger<DeviceCertificateAuthority> logger)
{
    public const string CaCertificateFile = "device-ca.crt";
    public const string CaKeyFile = "device-ca.key";

    private static readonly TimeSpan CreatedCaLifetime = TimeSpan.FromDays(3650);
    // Devices' clocks drift: a certificate valid from a few minutes ago is not refused by one that runs behind.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private readonly Lazy<(X509Certificate2 Certificate, string Path)> _ca = new(() => LoadOrCreate(options.Value, directory, time, logger));

    public X509Certificate2 Certificate => _ca.Value.Certificate;

    public string CertificatePath => _ca.Value.Path;

    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>Signs a client certificate with subject <c>CN={deviceId}</c> for the requested key, valid for the configured lifetime.</summary>
    public IssuedCertificate Issue(string deviceId, SigningRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        var lifetime = options.Value.DeviceCertificateLifetime;
        // Backdated for skew, but never by more than a tenth of the lifetime: a short-lived certificate renews on time.
        var skew = TimeSpan.FromTicks(Math.Min(ClockSkew.Ticks, lifetime.Ticks / 10));
        using var certificate = CertificateIssuer.IssueClientCertificate(Certificate, deviceId, request.PublicKey, now - skew, now + lifetime);
        return IssuedCertificate.FromDer(deviceId, certificate.RawData);
    }

    /// <summary>True when the certificate chains to this CA, is valid now and may authenticate a TLS client; otherwise why not.</summary>
    public bool Vouches(X509Certificate2 presented, out string reason)
    {
        ArgumentNullException.ThrowIfNull(presented);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        // Revocation is the registry's own list (see DeviceRegistry); the CA publishes no CRL.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(CertificateIssuer.ClientAuthentication));
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        if (chain.Build(presented) && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(Certificate.RawDataMemory.Span))
        {
            reason = "";
            return true;
        }
        var problems = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct().ToList();
        reason = problems.Count == 0 ? "it does not chain to the device CA" : "not valid under the device CA: " + string.Join(", ", problems);
        return false;
    }

    /// <summary>
    /// A revocation list (RFC 5280 section 5, PEM) signed by this CA naming <paramref name="revoked"/>, valid from now until
    /// <paramref name="nextUpdate"/>; its number grows with the time it was made, so a newer list always outranks an older one.
    /// </summary>
    public string RevocationListPem(IEnumerable<RevokedCertificate> revoked, DateTimeOffset nextUpdate)
    {
        ArgumentNullException.ThrowIfNull(revoked);
        var now = time.GetUtcNow();
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(Convert.FromHexString(certificate.Serial), certificate.RevokedAt ?? now,
                certificate.Superseded ? X509RevocationReason.Superseded : null);
        }
        var der = builder.Build(Certificate, new System.Numerics.BigInteger(now.ToUnixTimeMilliseconds()), nextUpdate, HashAlgorithmName.SHA256, thisUpdate: now);
        return PemEncoding.WriteString("X509 CRL", der);
    }

    private static (X509Certificate2, string) LoadOrCreate(CertificateOptions settings, CertificateDirectory directory, TimeProvider time, ILogger logger)
    {
        if (settings.DeviceCaCertificatePath.Length > 0)
        {
            var path = Path.GetFullPath(settings.DeviceCaCertificatePath);
            var own = CertificateFiles.LoadWithKey(path, settings.DeviceCaKeyPath.Length > 0 ? Path.GetFullPath(settings.DeviceCaKeyPath) : "", settings.DeviceCaPassword);
            LogUsing(logger, "the operator's", path, own.Subject, own.NotAfter);
            return (own, path);
        }
        var certificatePath = directory.File(CaCertificateFile);
        var keyPath = directory.File(CaKeyFile);
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            var kept = CertificateFiles.LoadWithKey(certificatePath, keyPath, "");
            LogUsing(logger, "the cloud's own", certificatePath, kept.Subject, kept.NotAfter);
            return (kept, certificatePath);
        }
        var created = CertificateIssuer.CreateCertificateAuthority($"Diagnostics device CA ({Environment.MachineName})", time.GetUtcNow(), CreatedCaLifetime);
        CertificateFiles.WritePem(created, certificatePath, keyPath);
        LogUsing(logger, "a NEW", certificatePath, created.Subject, created.NotAfter);
        return (created, certificatePath);
    }

    [LoggerMessage(EventId = CertificatesEventIds.DeviceCaLoaded, Level = LogLevel.Information, Message = "Device CA: {Which} {Path} ({Subject}, valid until {NotAfter:u}) signs device certificates")]
    private static partial void LogUsing(ILogger logger, string which, string path, string subject, DateTime notAfter);
}

/// <summary>
/// One entry of a revocation list: the certificate's serial (hex), when it was revoked (now when unknown), and whether a
/// newer certificate replaced it. Its own type so that the CA does not depend on the device registry's records.
/// </summary>
public sealed record RevokedCertificate(string Serial, DateTimeOffset? RevokedAt, bool Superseded);
