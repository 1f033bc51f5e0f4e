using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Diagnostics.Cloud.Localization;

namespace Diagnostics.Cloud.Certificates;

/// <summary>A certificate signing request that checked out: the key it asks a certificate for, and that key's SHA-256 fingerprint.</summary>
public sealed record SigningRequest(PublicKey PublicKey, string KeyFingerprint);

/// <summary>
/// Reads PKCS#10 certificate signing requests (RFC 2986) from devices: well formed, signed by the key they carry (proof
/// that the device holds it), and a key strong enough (ECDSA P-256 or larger, RSA 2048 or larger). The subject and
/// extensions the device asks for are ignored: the CA decides what the certificate says. Pure, no I/O.
/// </summary>
public static class SigningRequests
{
    /// <summary>Larger requests are refused unread; a real one is well under 2 KB.</summary>
    public const int MaxBytes = 8 * 1024;

    // Why a request was refused: worded for the admin who sent it, and in English for the log and a device's answer over MQTT.
    private static readonly LocalizedTexts Texts = new("Certificates.SigningRequests");

    public static SigningRequest? TryParse(byte[] der, out LocalizedMessage? error)
    {
        ArgumentNullException.ThrowIfNull(der);
        return TryLoad(() => CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, out _, CertificateRequestLoadOptions.Default),
            der.Length, MaxBytes, out error);
    }

    /// <summary>The same from PEM text (<c>-----BEGIN CERTIFICATE REQUEST-----</c>), as HTTP clients send it.</summary>
    public static SigningRequest? TryParsePem(string? pem, out LocalizedMessage? error) =>
        TryLoad(() => CertificateRequest.LoadSigningRequestPem(pem!, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default),
            pem?.Length ?? 0, MaxBytes * 2, out error);

    /// <summary>SHA-256 over the SubjectPublicKeyInfo: what a device shows and an admin compares before approving.</summary>
    public static string FingerprintOf(PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    private static SigningRequest? TryLoad(Func<CertificateRequest> load, int length, int limit, out LocalizedMessage? error)
    {
        if (length == 0)
        {
            error = new(Texts, "Empty");
            return null;
        }
        if (length > limit)
        {
            error = new(Texts, "TooLarge", MaxBytes);
            return null;
        }
        CertificateRequest request;
        try
        {
            // Default options check the request's signature with the key it carries.
            request = load();
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // The parser's words are English and about ASN.1: the reader gets ours, the log keeps both.
            error = new(Texts, "NotARequest") { Cause = ex.Message };
            return null;
        }
        if (!IsStrongEnough(request.PublicKey, out error))
            return null;
        return new SigningRequest(request.PublicKey, FingerprintOf(request.PublicKey));
    }

    private static bool IsStrongEnough(PublicKey key, out LocalizedMessage? error)
    {
        using (var ecdsa = key.GetECDsaPublicKey())
        {
            if (ecdsa is not null)
            {
                error = ecdsa.KeySize >= 256 ? null : new(Texts, "WeakEcdsa", ecdsa.KeySize);
                return error is null;
            }
        }
        using (var rsa = key.GetRSAPublicKey())
        {
            if (rsa is not null)
            {
                error = rsa.KeySize >= 2048 ? null : new(Texts, "WeakRsa", rsa.KeySize);
                return error is null;
            }
        }
        error = new(Texts, "KeyType", key.Oid.FriendlyName ?? key.Oid.Value);
        return false;
    }
}
