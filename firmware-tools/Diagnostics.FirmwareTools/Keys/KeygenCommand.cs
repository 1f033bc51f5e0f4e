using System.CommandLine;

using Diagnostics.FirmwareTools.CommandLine;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.FirmwareTools.Keys;

/// <summary><c>fwtool keygen</c>: a new release signing key pair.</summary>
public static class KeygenCommand
{
    public static Command Create(FwtoolConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var output = new Option<string>("--out")
        {
            Description = "Path and name of the key pair without extension: writes <name>.key.pem (private) and <name>.pub.pem (public).",
            Required = true,
        };
        var command = new Command("keygen", "Create a release signing key pair (ECDSA P-256) and print its key id. Never overwrites a key.") { output };
        command.SetAction((parseResult, cancellationToken) => RunAsync(console, parseResult.GetRequiredValue(output), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FwtoolConsole console, string name, CancellationToken cancellationToken)
    {
        var privatePath = name + ".key.pem";
        var publicPath = name + ".pub.pem";
        foreach (var path in new[] { privatePath, publicPath })
        {
            if (File.Exists(path))
                throw CommandFailedException.Refused($"refused: {path} exists; keygen never overwrites a key (a lost private key cannot be recovered)");
        }

        // "--out keys/release-2026" in a fresh checkout: the folder is made, readable by its owner only (it holds a private key).
        CreateFolderFor(privatePath);
        using var key = ManifestSigning.CreateKey();
        // The private key file is created readable by its owner only, before a byte is written to it.
        var privateOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            privateOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var privateFile = new StreamWriter(privatePath, privateOptions))
            await privateFile.WriteAsync(key.ExportPkcs8PrivateKeyPem().AsMemory(), cancellationToken);
        await using (var publicFile = new StreamWriter(publicPath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write }))
            await publicFile.WriteAsync(key.ExportSubjectPublicKeyInfoPem().AsMemory(), cancellationToken);

        console.Out.WriteLine($"key id: {ManifestSigning.KeyId(key)}");
        console.Out.WriteLine($"private key: {privatePath} (keep it offline; it signs releases every device will install)");
        console.Out.WriteLine($"public key:  {publicPath} (pin it in the agent's configuration; give it to 'fwtool verify --trusted')");
        return ExitCodes.Ok;
    }

    private static void CreateFolderFor(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is null || Directory.Exists(folder))
            return;
        // A folder that cannot be made is an I/O error like any other (exit code 3, the system's message).
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(folder);
        else
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
