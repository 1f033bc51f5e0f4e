using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Diagnostics.Cloud.Certificates;

/// <summary>
/// Makes certificates with .NET's <see cref="CertificateRequest"/>: self-signed CAs, and certificates a CA signs for a
/// server or a device. Keys are ECDSA P-256 (fast to make and to handshake with; OpenSSL, Mosquitto and every
/// current TLS stack take them). Pure apart from the random serial numbers.
/// </summary>
internal static class CertificateIssuer
{
    /// <summary>id-kp-serverAuth (RFC 5280, 4.2.1.12).</summary>
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>id-kp-clientAuth (RFC 5280, 4.2.1.12).</summary>
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>A new self-signed CA with its private key, allowed to sign end-entity certificates only (path length 0).</summary>
    public static X509Certificate2 CreateCertificateAuthority(string commonName, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Name(commonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(now.AddMinutes(-5), now + lifetime);
    }

    /// <summary>A new key and a certificate for it that <paramref name="issuer"/> signs, for TLS servers under these names.</summary>
    public static X509Certificate2 IssueServerCertificate(
        X509Certificate2 issuer, string commonName, IEnumerable<string> dnsNames, IEnumerable<System.Net.IPAddress> addresses, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Name(commonName), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames.Distinct(StringComparer.OrdinalIgnoreCase))
            names.AddDnsName(dns);
        foreach (var address in addresses.Distinct())
            names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = Sign(issuer, request, ServerAuthentication, now.AddMinutes(-5), now + lifetime);
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>A client certificate for <paramref name="publicKey"/> (from a device's request), its subject the device id alone.</summary>
    public static X509Certificate2 IssueClientCertificate(X509Certificate2 issuer, string commonName, PublicKey publicKey, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(Name(commonName), publicKey, HashAlgorithmName.SHA256);
        return Sign(issuer, request, ClientAuthentication, notBefore, notAfter);
    }

    /// <summary>The subject's common name, or null when it has none.</summary>
    public static string? CommonNameOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return string.IsNullOrEmpty(name) ? null : name;
    }

    private static X509Certificate2 Sign(X509Certificate2 issuer, CertificateRequest request, string usage, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        // A certificate cannot outlive its issuer: the chain would stop validating first.
        var until = notAfter > issuer.NotAfter ? new DateTimeOffset(issuer.NotAfter.ToUniversalTime()) : notAfter;
        return request.Create(issuer, notBefore, until, NewSerialNumber());
    }

    /// <summary>128 random bits, positive (RFC 5280 4.1.2.2: unique per CA, at most 20 octets, not negative).</summary>
    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01; // never a leading zero octet: the DER encoding keeps all 16 bytes
        return serial;
    }

    private static X500DistinguishedName Name(string commonName)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName(commonName);
        return name.Build();
    }
}
