using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;

using Diagnostics.FirmwareTools.CommandLine;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.FirmwareTools.Packages;

/// <summary><c>fwtool delta</c>: a delta package from the release devices run to a new one.</summary>
public static class DeltaCommand
{
    public static Command Create(FwtoolConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var from = new Option<string>("--from") { Description = "The release devices run now: its package (.dxpkg) or its image (then give --from-version).", Required = true };
        var fromVersion = new Option<string>("--from-version") { Description = "The version of the --from image, when --from is an image rather than a package." };
        var to = new Option<string>("--to") { Description = "The new release's full package (.dxpkg).", Required = true };
        var output = new Option<string>("--out") { Description = "The delta package to write (.dxpkg); replaced if it exists.", Required = true };
        var id = new Option<string>("--id") { Description = "The delta package's id; default: <new package id>-from-<old version>." };
        var command = new Command("delta",
            "Build a delta package: the new package's manifest with the delta as its payload, installable only on devices running the --from image. The result is unsigned: sign it with 'fwtool sign'.")
        {
            from, fromVersion, to, output, id,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(console, parseResult.GetRequiredValue(from), parseResult.GetValue(fromVersion),
            parseResult.GetRequiredValue(to), parseResult.GetRequiredValue(output), parseResult.GetValue(id), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FwtoolConsole console, string fromPath, string? fromVersion, string toPath, string outputPath, string? id, CancellationToken cancellationToken)
    {
        var newPackage = await PackageFile.ReadAsync(toPath, cancellationToken);
        var newManifest = newPackage.RequireValidManifest();
        if (newManifest.IsDelta)
            throw CommandFailedException.Refused($"refused: {toPath} is itself a delta (from {newManifest.DeltaFromVersion}); a delta is made from two full images");

        var (oldImage, oldVersion) = await ReadOldImageAsync(console, fromPath, fromVersion, cancellationToken);
        byte[] newImage;
        using (var progress = new ProgressBar(console, "reading new image", newPackage.PayloadLength))
            newImage = await PackageFile.ReadPayloadAsync(toPath, progress, cancellationToken);
        RequireMatches(newManifest, newImage, toPath);

        byte[] delta;
        using (var progress = new ProgressBar(console, "computing delta", newImage.Length))
            delta = await Task.Run(() => BinaryDelta.Create(oldImage, newImage, progress.AsFraction(), cancellationToken), cancellationToken);
        // A delta that does not make the new image must never be signed; applying it here costs little next to making it.
        await BinaryDelta.ApplyAsync(new MemoryStream(oldImage, writable: false), new MemoryStream(delta, writable: false), Stream.Null, cancellationToken);

        var manifest = PackageArchive.TryDecodeUnverified(newPackage.SignedManifest, out _)!;
        manifest.PackageId = id ?? $"{newManifest.PackageId}-from-{oldVersion}";
        manifest.DeltaFromVersion = oldVersion;
        manifest.DeltaFromSha256 = SHA256.HashData(oldImage);
        manifest.PayloadSize = delta.Length;
        manifest.PayloadSha256 = SHA256.HashData(delta);
        if (ManifestChecks.DescribeProblem(manifest) is { } problem)
            throw CommandFailedException.Refused($"refused: the delta's manifest would be invalid: {problem}");

        await PackageFile.WriteAtomicallyAsync(outputPath, destination =>
            PackageArchive.WriteAsync(destination, new SignedManifest { Manifest = ManifestSigning.Encode(manifest) }, new MemoryStream(delta, writable: false), null, cancellationToken),
            cancellationToken);

        var share = 100.0 * delta.Length / Math.Max(1, newImage.Length);
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"delta {delta.Length} bytes, {share:0.0}% of the full image ({newImage.Length} bytes) (saves {100 - share:0.0}%)"));
        console.Out.WriteLine($"wrote {outputPath}: {manifest.PackageId}, {oldVersion} -> {manifest.Version}, for devices running the image with SHA-256 {Convert.ToHexStringLower(manifest.DeltaFromSha256)}");
        console.Out.WriteLine($"the delta package is unsigned: sign it with 'fwtool sign {outputPath} --key <name>.key.pem'");
        return ExitCodes.Ok;
    }

    private static async Task<(byte[] Image, string Version)> ReadOldImageAsync(FwtoolConsole console, string path, string? version, CancellationToken cancellationToken)
    {
        if (await IsZipAsync(path, cancellationToken))
        {
            var package = await PackageFile.ReadAsync(path, cancellationToken);
            var manifest = package.RequireValidManifest();
            if (manifest.IsDelta)
                throw CommandFailedException.Refused($"refused: {path} is a delta; give the full package (or the image) devices run");
            if (version is not null && FirmwareVersion.Compare(version, manifest.Version) != 0)
                throw CommandFailedException.Usage($"--from-version {version} contradicts {path}, which is version {manifest.Version}");
            byte[] image;
            using (var progress = new ProgressBar(console, "reading old image", package.PayloadLength))
                image = await PackageFile.ReadPayloadAsync(path, progress, cancellationToken);
            RequireMatches(manifest, image, path);
            return (image, manifest.Version);
        }
        if (version is null)
            throw CommandFailedException.Usage($"{path} is an image, not a package: give its version with --from-version");
        if (!FirmwareVersion.IsReleaseVersion(version))
            throw CommandFailedException.Usage($"--from-version \"{version}\" is not dotted numbers such as 2.4.1");
        if (new FileInfo(path).Length > BinaryDelta.MaxImageBytes)
            throw CommandFailedException.Refused($"refused: {path} is larger than the {BinaryDelta.MaxImageBytes} bytes deltas are made for");
        return (await File.ReadAllBytesAsync(path, cancellationToken), version);
    }

    private static void RequireMatches(UpdateManifest manifest, byte[] image, string path)
    {
        var check = ManifestChecks.CheckImage(manifest, image.Length, SHA256.HashData(image));
        if (!check.IsAccepted)
            throw CommandFailedException.Refused($"refused: {path}: {check.Detail}");
    }

    private static async Task<bool> IsZipAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        var magic = new byte[4];
        return await file.ReadAtLeastAsync(magic, 4, throwOnEndOfStream: false, cancellationToken) == 4 && magic.AsSpan().SequenceEqual("PK\u0003\u0004"u8);
    }
}
