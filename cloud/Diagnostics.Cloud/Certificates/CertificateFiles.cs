using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Diagnostics.Cloud.Certificates;

/// <summary>Reads certificates with their keys from PEM or PKCS#12 files, and writes them as PEM (keys readable by the owner only).</summary>
internal static class CertificateFiles
{
    /// <summary>
    /// A certificate with its private key: PKCS#12 for <c>.pfx</c>/<c>.p12</c>, otherwise PEM with the key in
    /// <paramref name="keyPath"/> (or in the same file when empty), encrypted when a password is given.
    /// </summary>
    public static X509Certificate2 LoadWithKey(string certificatePath, string keyPath, string password)
    {
        if (IsPkcs12(certificatePath))
            return X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password.Length == 0 ? null : password);
        var key = keyPath.Length == 0 ? null : keyPath;
        using var pem = password.Length == 0
            ? X509Certificate2.CreateFromPemFile(certificatePath, key)
            : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, key);
        // A PEM key is ephemeral; some platforms' TLS stacks take only a key that went through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>What identifies a version of the files: their sizes and write times (a copy, a rename or an edit changes it).</summary>
    public static string Stamp(params string[] paths) =>
        string.Join('|', paths.Where(p => p.Length > 0).Select(p =>
        {
            var file = new FileInfo(p);
            return file.Exists ? $"{file.Length}@{file.LastWriteTimeUtc.Ticks}" : "missing";
        }));

    /// <summary>Writes the certificate (PEM) and its private key (PKCS#8 PEM, owner-only) beside it, each replaced whole.</summary>
    public static void WritePem(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new ArgumentException("The certificate has no private key.", nameof(certificate));
        WriteAtomically(keyPath, key.ExportPkcs8PrivateKeyPem(), ownerOnly: true);
        WriteAtomically(certificatePath, certificate.ExportCertificatePem() + "\n", ownerOnly: false);
    }

    private static bool IsPkcs12(string path) =>
        path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Write then rename: a reader (or a crash) never sees half a file. The temporary name is the writer's own, so two
    /// instances making the same file in one folder at once (two hosts started together) each rename a whole file.
    /// </summary>
    public static void WriteAtomically(string path, string text, bool ownerOnly)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (ownerOnly && !OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(temporary, System.Text.Encoding.ASCII, options))
            writer.Write(text);
        File.Move(temporary, path, overwrite: true);
    }
}
