using System.CommandLine;
using System.Security.Cryptography;

using Diagnostics.FirmwareTools.CommandLine;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.FirmwareTools.Packages;

/// <summary><c>fwtool sign</c>: adds one key's signature to a package's manifest.</summary>
public static class SignCommand
{
    public static Command Create(FwtoolConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var package = new Argument<string>("package") { Description = "The package (.dxpkg) to sign; rewritten in place." };
        var key = new Option<string>("--key") { Description = "The private key (<name>.key.pem from 'fwtool keygen').", Required = true };
        var command = new Command("sign",
            "Sign a package's manifest with a private key. Signing again with another key adds a second signature (how releases are signed by an old and a new key while devices move from one to the other); signing again with the same key replaces its signature.")
        {
            package, key,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(console, parseResult.GetRequiredValue(package), parseResult.GetRequiredValue(key), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FwtoolConsole console, string path, string keyPath, CancellationToken cancellationToken)
    {
        using var key = await ReadPrivateKeyAsync(keyPath, cancellationToken);
        var package = await PackageFile.ReadAsync(path, cancellationToken);
        // Nothing that a device would refuse anyway gets a signature.
        var manifest = package.RequireValidManifest();
        var keyId = ManifestSigning.KeyId(key);
        var replacing = package.SignedManifest.Signatures.Any(signature => signature.KeyId == keyId);
        ManifestSigning.AddSignature(package.SignedManifest, key);

        await PackageFile.WriteAtomicallyAsync(path, async destination =>
        {
            var (file, archive, payload, length) = await PackageFile.OpenPayloadAsync(path, cancellationToken);
            await using (file)
            await using (archive)
            await using (payload)
            using (var progress = new ProgressBar(console, "rewriting package", length))
                await PackageArchive.WriteAsync(destination, package.SignedManifest, payload, progress, cancellationToken);
        }, cancellationToken);

        console.Out.WriteLine($"signed {manifest.PackageId} {manifest.Version} with key {keyId}{(replacing ? " (replacing its earlier signature)" : "")}");
        console.Out.WriteLine($"signatures: {string.Join(", ", package.SignedManifest.Signatures.Select(signature => signature.KeyId))}");
        return ExitCodes.Ok;
    }

    private static async Task<ECDsa> ReadPrivateKeyAsync(string path, CancellationToken cancellationToken)
    {
        var pem = await File.ReadAllTextAsync(path, cancellationToken);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
                throw CommandFailedException.Refused($"refused: {path} is an ECDSA key of {key.KeySize} bits; release keys are P-256");
            // A public key imports too; only signing would fail, with a less helpful message.
            key.ExportParameters(includePrivateParameters: true);
            return key;
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw CommandFailedException.Refused($"refused: {path} is not a private signing key (the .key.pem that 'fwtool keygen' writes): {exception.Message}");
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
