using System.Security.Cryptography;
using ProtoBuf;

namespace Diagnostics.Protocol.Updates;

/// <summary>A public key a device or the cloud trusts to sign releases, with its id.</summary>
public sealed class TrustedKey : IDisposable
{
    private TrustedKey(string keyId, ECDsa key)
    {
        KeyId = keyId;
        Key = key;
    }

    public string KeyId { get; }

    internal ECDsa Key { get; }

    /// <summary>Reads a P-256 public key from PEM (<c>-----BEGIN PUBLIC KEY-----</c>), or explains why it cannot.</summary>
    public static TrustedKey? TryFromPem(string pem, out string? error)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (ArgumentException exception)
        {
            key.Dispose();
            error = $"not a PEM public key: {exception.Message}";
            return null;
        }
        catch (CryptographicException exception)
        {
            key.Dispose();
            error = $"not a usable public key: {exception.Message}";
            return null;
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            error = $"an ECDSA key of {key.KeySize} bits; release keys are P-256";
            return null;
        }
        error = null;
        return new TrustedKey(ManifestSigning.KeyId(key), key);
    }

    public void Dispose() => Key.Dispose();
}

/// <summary>Signing and verifying manifests (ECDSA P-256, SHA-256). Pure: bytes and keys in, values out.</summary>
public static class ManifestSigning
{
    public static ECDsa CreateKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>First 8 bytes of the SHA-256 of the key's SubjectPublicKeyInfo, lowercase hex: short, stable, and the same for its private and public halves.</summary>
    public static string KeyId(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 8));
    }

    public static byte[] Encode(UpdateManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        using var stream = new MemoryStream();
        ProtocolModel.Instance.Serialize(stream, manifest);
        return stream.ToArray();
    }

    /// <summary>Adds a signature by <paramref name="privateKey"/>; one already made by the same key is replaced.</summary>
    public static void AddSignature(SignedManifest signedManifest, ECDsa privateKey)
    {
        ArgumentNullException.ThrowIfNull(signedManifest);
        ArgumentNullException.ThrowIfNull(privateKey);
        var keyId = KeyId(privateKey);
        signedManifest.Signatures.RemoveAll(signature => signature.KeyId == keyId);
        signedManifest.Signatures.Add(new ManifestSignature
        {
            KeyId = keyId,
            Algorithm = SignatureAlgorithm.EcdsaP256Sha256,
            Signature = privateKey.SignData(signedManifest.Manifest, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        });
    }

    /// <summary>
    /// The key that vouches for the manifest: the first trusted key whose signature verifies. Signatures by keys not
    /// trusted are ignored (a release signed by an old and a new key verifies on devices that know either).
    /// </summary>
    public static SignatureCheck Verify(SignedManifest signedManifest, IEnumerable<TrustedKey> trustedKeys)
    {
        ArgumentNullException.ThrowIfNull(signedManifest);
        ArgumentNullException.ThrowIfNull(trustedKeys);
        if (signedManifest.Signatures.Count == 0)
            return new SignatureCheck(null, UpdateFailure.SignatureInvalid, "the manifest is not signed");
        var byId = trustedKeys.ToDictionary(key => key.KeyId, StringComparer.Ordinal);
        var untrusted = new List<string>();
        foreach (var signature in signedManifest.Signatures)
        {
            if (!byId.TryGetValue(signature.KeyId, out var key))
            {
                untrusted.Add(signature.KeyId);
                continue;
            }
            if (signature.Algorithm != SignatureAlgorithm.EcdsaP256Sha256)
                return new SignatureCheck(null, UpdateFailure.SignatureInvalid, $"signature by key {signature.KeyId} uses unsupported algorithm {signature.Algorithm}");
            var valid = signature.Signature.Length == 64
                && key.Key.VerifyData(signedManifest.Manifest, signature.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            if (!valid)
                return new SignatureCheck(null, UpdateFailure.SignatureInvalid, $"the signature by trusted key {signature.KeyId} does not match the manifest (altered after signing, or a forged signature)");
            return new SignatureCheck(signature.KeyId, UpdateFailure.None, $"signed by trusted key {signature.KeyId}");
        }
        return new SignatureCheck(null, UpdateFailure.UntrustedKey,
            $"signed only by key(s) {string.Join(", ", untrusted)}, none of them trusted here (trusted: {(byId.Count == 0 ? "none" : string.Join(", ", byId.Keys))})");
    }
}

/// <summary>The outcome of <see cref="ManifestSigning.Verify"/>: the key that vouched, or why none did.</summary>
public sealed record SignatureCheck(string? KeyId, UpdateFailure Failure, string Detail)
{
    public bool IsValid => Failure == UpdateFailure.None;
}
