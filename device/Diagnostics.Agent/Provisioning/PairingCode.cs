using System.Security.Cryptography;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Provisioning;

/// <summary>
/// Keeps the device's pairing code (see <see cref="PairingCodes"/>) in <c>{dataDirectory}/pairing-code</c>: created
/// once, so the code on a label or in a manual stays valid across restarts.
/// </summary>
public static class PairingCode
{
    public const string FileName = "pairing-code";

    /// <summary>The saved code, or a new one saved for next time.</summary>
    public static string LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path) && PairingCodes.Normalize(File.ReadAllText(path)) is { } saved)
            return saved;
        Span<byte> random = stackalloc byte[PairingCodes.Length];
        FillFromKernel(random);
        var code = PairingCodes.FromRandomBytes(random);
        Directory.CreateDirectory(dataDirectory);
        // Write then rename: a crash never leaves half a code behind.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, code);
        File.Move(temporary, path, overwrite: true);
        return code;
    }

    /// <summary>
    /// Bytes from the kernel's cryptographic generator (the one OpenSSL seeds itself from). Not
    /// <see cref="RandomNumberGenerator"/>: on Linux it loads OpenSSL (libssl, libcrypto: about 4 MiB resident for the
    /// rest of the process's life) into an agent that otherwise needs it only for TLS, certificates and update checks.
    /// </summary>
    private static void FillFromKernel(Span<byte> bytes)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomNumberGenerator.Fill(bytes);
            return;
        }
        using var kernel = new FileStream("/dev/urandom", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        kernel.ReadExactly(bytes);
    }
}
