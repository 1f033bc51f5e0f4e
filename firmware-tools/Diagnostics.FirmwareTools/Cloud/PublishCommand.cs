using System.CommandLine;

using Diagnostics.FirmwareTools.CommandLine;
using Diagnostics.FirmwareTools.Packages;

namespace Diagnostics.FirmwareTools.Cloud;

/// <summary><c>fwtool publish</c>: uploads a signed package to the cloud's update catalog.</summary>
public static class PublishCommand
{
    public static Command Create(FwtoolConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var package = new Argument<string>("package") { Description = "The signed package (.dxpkg) to upload." };
        var cloud = new CloudOptions();
        var command = new Command("publish",
            "Upload a signed package to the cloud's update catalog, where rollouts can use it. The cloud checks it as devices will and refuses what they would refuse.")
        {
            package,
        };
        cloud.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetRequiredValue(package);
            var file = await PackageFile.ReadAsync(path, cancellationToken);
            var manifest = file.RequireValidManifest();
            if (file.SignedManifest.Signatures.Count == 0)
                throw CommandFailedException.Refused($"refused: {path} is unsigned; sign it with 'fwtool sign {path} --key <name>.key.pem' first");

            using var client = await cloud.SignInAsync(parseResult, console, cancellationToken);
            PublishedPackage published;
            bool created;
            using (var progress = new ProgressBar(console, "uploading", new FileInfo(path).Length))
                (published, created) = await client.PublishPackageAsync(path, progress, cancellationToken);

            console.Out.WriteLine(created
                ? $"published {published.PackageId}: {published.Kind} {published.Version} to {client.Address}"
                : $"already published (the identical package was there): {published.PackageId}: {published.Kind} {published.Version}");
            console.Out.WriteLine(published.IsDelta
                ? $"delta from {published.DeltaFromVersion}: {published.PayloadSize} bytes to download, {published.ImageSize}-byte image"
                : $"full image: {published.PayloadSize} bytes");
            if (published.KeyId is { Length: > 0 } keyId)
                console.Out.WriteLine($"verified by the cloud with key {keyId}");
            if (!string.Equals(published.PackageId, manifest.PackageId, StringComparison.Ordinal))
                console.Out.WriteLine($"note: the cloud lists it as {published.PackageId}; the manifest says {manifest.PackageId}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
