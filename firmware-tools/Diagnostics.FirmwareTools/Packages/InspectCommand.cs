using System.CommandLine;
using System.Text.Json;

using Diagnostics.FirmwareTools.CommandLine;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.FirmwareTools.Packages;

/// <summary><c>fwtool inspect</c>: everything a package says about itself, verified or not.</summary>
public static class InspectCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create(FwtoolConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var package = new Argument<string>("package") { Description = "The package (.dxpkg) to show." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text (hashes in lowercase hex, dates in ISO 8601 UTC)." };
        var command = new Command("inspect",
            "Show every manifest field, the signatures with their key ids and the payload's size. Nothing is verified: use 'fwtool verify' for that.")
        {
            package, json,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(console, parseResult.GetRequiredValue(package), parseResult.GetValue(json), cancellationToken));
        return command;
    }

    /// <summary>What <c>inspect --json</c> prints.</summary>
    public sealed record PackageDescription(
        string PackageId, string Kind, string Version, IReadOnlyList<string> Models, IReadOnlyList<string> HardwareRevisions, string? MinimumFromVersion,
        long ImageSize, string ImageSha256, long PayloadSize, string PayloadSha256, long PayloadEntrySize, bool IsDelta, string? DeltaFromVersion,
        string? DeltaFromSha256, DateTimeOffset Created, DateTimeOffset Expires, bool IsRollbackRelease, string ReleaseNotes,
        IReadOnlyList<SignatureDescription> Signatures, IReadOnlyList<string> Platforms);

    public sealed record SignatureDescription(string KeyId, string Algorithm);

    private static async Task<int> RunAsync(FwtoolConsole console, string path, bool json, CancellationToken cancellationToken)
    {
        var package = await PackageFile.ReadAsync(path, cancellationToken);
        var manifest = package.Claimed ?? throw CommandFailedException.Refused($"refused: {path}: {package.DecodeError}");
        var description = new PackageDescription(
            manifest.PackageId, PackCommand.KindName(manifest.Kind), manifest.Version, manifest.Models, manifest.HardwareRevisions,
            manifest.MinimumFromVersion.Length > 0 ? manifest.MinimumFromVersion : null,
            manifest.ImageSize, Convert.ToHexStringLower(manifest.ImageSha256), manifest.PayloadSize, Convert.ToHexStringLower(manifest.PayloadSha256),
            package.PayloadLength, manifest.IsDelta, manifest.IsDelta ? manifest.DeltaFromVersion : null,
            manifest.IsDelta ? Convert.ToHexStringLower(manifest.DeltaFromSha256) : null,
            DateTimeOffset.FromUnixTimeMilliseconds(manifest.CreatedUnixMs), DateTimeOffset.FromUnixTimeMilliseconds(manifest.ExpiresUnixMs),
            manifest.IsRollbackRelease, manifest.ReleaseNotes,
            [.. package.SignedManifest.Signatures.Select(signature => new SignatureDescription(signature.KeyId, signature.Algorithm.ToString()))],
            [.. manifest.Platforms.Select(HostPlatforms.ToText)]);

        if (json)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(description, Json));
            return ExitCodes.Ok;
        }

        var output = console.Out;
        output.WriteLine($"package        {description.PackageId}");
        output.WriteLine($"kind           {description.Kind}");
        output.WriteLine($"version        {description.Version}");
        output.WriteLine($"models         {string.Join(", ", description.Models)}");
        output.WriteLine($"hardware       {(description.HardwareRevisions.Count > 0 ? string.Join(", ", description.HardwareRevisions) : "every revision")}");
        if (description.Platforms.Count > 0)
            output.WriteLine($"platforms      {string.Join("; ", description.Platforms)}");
        output.WriteLine($"updates from   {description.MinimumFromVersion ?? "any version"}");
        output.WriteLine($"image          {description.ImageSize} bytes, SHA-256 {description.ImageSha256}");
        output.WriteLine($"payload        {description.PayloadSize} bytes, SHA-256 {description.PayloadSha256}");
        output.WriteLine($"payload entry  {description.PayloadEntrySize} bytes{(description.PayloadEntrySize == description.PayloadSize ? "" : " (the manifest says otherwise: 'fwtool verify' fails)")}");
        output.WriteLine(description.IsDelta
            ? $"delta          yes: from {description.DeltaFromVersion} (image SHA-256 {description.DeltaFromSha256}); {100.0 * description.PayloadSize / Math.Max(1, description.ImageSize):0.0}% of the image"
            : "delta          no: the payload is the image");
        output.WriteLine($"created        {description.Created:u}");
        output.WriteLine($"expires        {description.Expires:u}");
        output.WriteLine($"rollback       {(description.IsRollbackRelease ? "yes: devices accept it over a newer version" : "no")}");
        output.WriteLine($"release notes  {(description.ReleaseNotes.Length > 0 ? description.ReleaseNotes.ReplaceLineEndings("\n               ") : "(none)")}");
        if (description.Signatures.Count == 0)
            output.WriteLine("signatures     none: the package is unsigned ('fwtool sign' it)");
        foreach (var (signature, index) in description.Signatures.Select((signature, index) => (signature, index)))
            output.WriteLine($"{(index == 0 ? "signatures" : ""),-15}key {signature.KeyId} ({signature.Algorithm})");
        output.WriteLine("(not verified: 'fwtool verify --trusted <key>.pub.pem' checks signatures and hashes)");
        return ExitCodes.Ok;
    }
}
