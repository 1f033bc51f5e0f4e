using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Diagnostics.Agent.Provisioning;

/// <summary>
/// The device's client certificate and its private key, kept in the data directory (<c>device.crt</c>, and
/// <c>device.key</c> readable by the owner only). The key is made on the device and never leaves it: the cloud signs a
/// request for it. <see cref="Current"/> is what the next connection presents; a renewal replaces it on disk first.
/// </summary>
public sealed class DeviceCertificate
{
    public const string CertificateFile = "device.crt";
    public const string KeyFile = "device.key";

    private readonly string _dataDirectory;
    private X509Certificate2 _current;

    private DeviceCertificate(string dataDirectory, X509Certificate2 current)
    {
        _dataDirectory = dataDirectory;
        _current = current;
    }

    public X509Certificate2 Current => Volatile.Read(ref _current);

    /// <summary>Two thirds into the current certificate's lifetime: when the agent asks for the next one.</summary>
    public DateTimeOffset RenewAt
    {
        get
        {
            var current = Current;
            var notBefore = new DateTimeOffset(current.NotBefore.ToUniversalTime());
            return notBefore + (new DateTimeOffset(current.NotAfter.ToUniversalTime()) - notBefore) * 2 / 3;
        }
    }

    public static bool Exists(string dataDirectory) =>
        File.Exists(Path.Combine(dataDirectory, CertificateFile)) && File.Exists(Path.Combine(dataDirectory, KeyFile));

    /// <summary>The saved certificate, or null when there is none yet.</summary>
    public static DeviceCertificate? TryLoad(string dataDirectory)
    {
        if (!Exists(dataDirectory))
            return null;
        using var pem = X509Certificate2.CreateFromPemFile(Path.Combine(dataDirectory, CertificateFile), Path.Combine(dataDirectory, KeyFile));
        return new DeviceCertificate(dataDirectory, Usable(pem));
    }

    /// <summary>Saves a certificate for <paramref name="key"/> (key first, so a crash never leaves a certificate without its key) and holds it.</summary>
    public static async Task<DeviceCertificate> SaveAsync(string dataDirectory, ECDsa key, X509Certificate2 issued, CancellationToken cancellationToken)
    {
        var saved = await WriteAsync(dataDirectory, key, issued, cancellationToken);
        return new DeviceCertificate(dataDirectory, saved);
    }

    /// <summary>Replaces the held certificate (after a renewal): on disk first, then for the next connection.</summary>
    public async Task ReplaceAsync(ECDsa key, X509Certificate2 issued, CancellationToken cancellationToken) =>
        Volatile.Write(ref _current, await WriteAsync(_dataDirectory, key, issued, cancellationToken));

    /// <summary>A new P-256 key and a PKCS#10 request for it (subject <c>CN={deviceId}</c>), signed by that key.</summary>
    public static (ECDsa Key, CertificateRequest Request) NewRequest(string deviceId)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (key, RequestFor(deviceId, key));
    }

    /// <summary>A PKCS#10 request for <paramref name="key"/> with subject <c>CN={deviceId}</c> (the cloud sets the subject anyway).</summary>
    public static CertificateRequest RequestFor(string deviceId, ECDsa key)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName(deviceId);
        return new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
    }

    /// <summary>True when <paramref name="issued"/> is for <paramref name="key"/> and names <paramref name="deviceId"/>.</summary>
    public static bool Fits(X509Certificate2 issued, ECDsa key, string deviceId, out string reason)
    {
        ArgumentNullException.ThrowIfNull(issued);
        ArgumentNullException.ThrowIfNull(key);
        using var certificateKey = issued.GetECDsaPublicKey();
        if (certificateKey is null || !certificateKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            reason = "it is not for the key this device asked about";
            return false;
        }
        var subject = issued.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        reason = subject == deviceId ? "" : $"it names '{subject}', not '{deviceId}'";
        return reason.Length == 0;
    }

    /// <summary>SHA-256 over the public key (SubjectPublicKeyInfo): what an admin compares before approving a request.</summary>
    public static string KeyFingerprint(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    private static async Task<X509Certificate2> WriteAsync(string dataDirectory, ECDsa key, X509Certificate2 issued, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDirectory);
        var keyPath = Path.Combine(dataDirectory, KeyFile);
        await AtomicFile.WriteSecretAsync(keyPath, Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()), cancellationToken);
        await AtomicFile.WriteAsync(Path.Combine(dataDirectory, CertificateFile), Encoding.ASCII.GetBytes(issued.ExportCertificatePem() + "\n"), cancellationToken);
        using var withKey = issued.CopyWithPrivateKey(key);
        return Usable(withKey);
    }

    /// <summary>Through PKCS#12: some platforms' TLS stacks take only a key that went that way, not an ephemeral PEM one.</summary>
    private static X509Certificate2 Usable(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
}
