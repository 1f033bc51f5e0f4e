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
        var code = PairingCodes.Create();
        Directory.CreateDirectory(dataDirectory);
        // Write then rename: a crash never leaves half a code behind.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, code);
        File.Move(temporary, path, overwrite: true);
        return code;
    }
}
