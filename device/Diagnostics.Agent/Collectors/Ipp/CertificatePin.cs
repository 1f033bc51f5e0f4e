using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>
/// Trusts one printer certificate by its SHA-256 fingerprint, as well as anything the system trust store accepts:
/// printers present self-signed certificates, and pinning is how a gateway talks IPPS to them without trusting all.
/// </summary>
public sealed class CertificatePin
{
    private readonly byte[] _sha256;

    private CertificatePin(byte[] sha256) => _sha256 = sha256;

    /// <summary>Hex with optional colons or spaces (as openssl prints it); null when it is not 32 bytes of hex.</summary>
    public static CertificatePin? TryParse(string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        var hex = fingerprint.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (hex.Length != 64)
            return null;
        try
        {
            return new CertificatePin(Convert.FromHexString(hex));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public bool Matches(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(certificate.GetRawCertData()), _sha256);
    }

    /// <summary>An HTTP client for one printer that accepts its pinned certificate (name mismatch and self-signature included).</summary>
    public HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (certificate is not null && Matches(certificate)),
        },
    });
}
