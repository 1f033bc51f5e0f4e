using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;

using Diagnostics.FirmwareTools.CommandLine;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.FirmwareTools.Packages;

/// <summary><c>fwtool pack</c>: an unsigned package from an image and what it is for.</summary>
public static class PackCommand
{
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(365);

    public static Command Create(FwtoolConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var payload = new Option<string>("--payload") { Description = "The image to ship, as the device installs it.", Required = true };
        var id = new Option<string>("--id") { Description = "Package id, unique per package: letters, digits, '-', '_', '.' (e.g. acme-lx500-fw-2.4.1).", Required = true };
        var kind = new Option<string>("--kind") { Description = "What the package installs: firmware or driver.", Required = true };
        kind.AcceptOnlyFromAmong("firmware", "driver");
        var version = new Option<string>("--version") { Description = "The release's version: dotted numbers, 1 to 4 parts (2.4.1).", Required = true };
        var models = new Option<string[]>("--model") { Description = "A model the package is for, as devices report it. Repeat for several.", Required = true };
        var revisions = new Option<string[]>("--hardware-revision") { Description = "A hardware revision it supports. Repeat for several; none: every revision." };
        var platforms = new Option<DriverPlatform[]>("--platform")
        {
            Description = "Drivers only: a host platform it installs on, os[/arch,arch]:format, e.g. linux:cups-ppd, windows/x64,arm64:windows-inf, macos:mac-pkg "
                + "(os: linux, windows, macos; format: cups-ppd, printer-application, windows-inf, mac-pkg). Repeat for several; a driver needs at least one.",
            CustomParser = ParsePlatforms,
        };
        var minimumFrom = new Option<string>("--min-from-version") { Description = "The oldest version that may update to this one directly; default: any." };
        var expiresIn = new Option<TimeSpan?>("--expires-in")
        {
            Description = "How long devices may install it, from now (e.g. 365d, 12w). Default: 365d.",
            CustomParser = result => DurationText.ParseArgument(result),
        };
        var expires = new Option<DateTimeOffset?>("--expires")
        {
            Description = "When devices stop installing it (e.g. 2027-06-30 or 2027-06-30T12:00:00Z; UTC unless an offset is given).",
            CustomParser = ParseDate,
        };
        var rollback = new Option<bool>("--rollback") { Description = "A signed rollback release: devices accept it even over a newer version." };
        var notes = new Option<string>("--notes") { Description = "Release notes shown before approval: the text, or @file to read it from a file." };
        var output = new Option<string>("--out") { Description = "The package file to write (.dxpkg); replaced if it exists.", Required = true };

        var command = new Command("pack", "Pack an image into an unsigned package (.dxpkg) whose manifest says what it is and which devices may install it; sign it next with 'fwtool sign'.")
        {
            payload, id, kind, version, models, revisions, platforms, minimumFrom, expiresIn, expires, rollback, notes, output,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(expiresIn) is not null && result.GetResult(expires) is not null)
                result.AddError("Give --expires-in or --expires, not both.");
        });
        command.SetAction((parseResult, cancellationToken) => RunAsync(console, new Request(
            parseResult.GetRequiredValue(payload),
            parseResult.GetRequiredValue(id),
            parseResult.GetRequiredValue(kind) == "driver" ? PackageKind.Driver : PackageKind.Firmware,
            parseResult.GetRequiredValue(version),
            parseResult.GetRequiredValue(models),
            parseResult.GetValue(revisions) ?? [],
            parseResult.GetValue(platforms) ?? [],
            parseResult.GetValue(minimumFrom) ?? "",
            parseResult.GetValue(expiresIn),
            parseResult.GetValue(expires),
            parseResult.GetValue(rollback),
            parseResult.GetValue(notes),
            parseResult.GetRequiredValue(output)), cancellationToken));
        return command;
    }

    /// <summary>Dates as <c>--expires</c> and <c>--now</c> take them: ISO 8601, UTC unless an offset is given.</summary>
    internal static DateTimeOffset? ParseDate(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
            return date;
        result.AddError($"'{text}' is not a date: write it as 2027-06-30 or 2027-06-30T12:00:00Z.");
        return null;
    }

    /// <summary>Every <c>--platform</c> value, each <c>os[/arch,arch]:format</c>.</summary>
    private static DriverPlatform[] ParsePlatforms(System.CommandLine.Parsing.ArgumentResult result)
    {
        var parsed = new List<DriverPlatform>();
        foreach (var token in result.Tokens)
        {
            if (HostPlatforms.TryParse(token.Value, out var error) is { } platform)
                parsed.Add(platform);
            else
                result.AddError($"--platform {token.Value}: {error}.");
        }
        return [.. parsed];
    }

    private sealed record Request(string Payload, string Id, PackageKind Kind, string Version, string[] Models, string[] HardwareRevisions, DriverPlatform[] Platforms, string MinimumFromVersion,
        TimeSpan? ExpiresIn, DateTimeOffset? Expires, bool Rollback, string? Notes, string Output);

    private static async Task<int> RunAsync(FwtoolConsole console, Request request, CancellationToken cancellationToken)
    {
        var now = console.Time.GetUtcNow();
        var notes = request.Notes is ['@', .. var notesPath] ? await File.ReadAllTextAsync(notesPath, cancellationToken) : request.Notes ?? "";
        var length = new FileInfo(request.Payload) is { Exists: true } info ? info.Length : throw new FileNotFoundException($"the payload {request.Payload} does not exist");
        if (length == 0)
            throw CommandFailedException.Refused($"refused: the payload {request.Payload} is empty");

        var manifest = new UpdateManifest
        {
            PackageId = request.Id,
            Kind = request.Kind,
            Version = request.Version,
            Models = [.. request.Models],
            HardwareRevisions = [.. request.HardwareRevisions],
            Platforms = [.. request.Platforms],
            MinimumFromVersion = request.MinimumFromVersion,
            ImageSize = length,
            PayloadSize = length,
            CreatedUnixMs = now.ToUnixTimeMilliseconds(),
            ExpiresUnixMs = (request.Expires ?? now + (request.ExpiresIn ?? DefaultLifetime)).ToUnixTimeMilliseconds(),
            IsRollbackRelease = request.Rollback,
            ReleaseNotes = notes,
        };
        // The rules checked before hashing (with a stand-in hash) so a typo in --version costs no pass over a large image.
        manifest.ImageSha256 = manifest.PayloadSha256 = new byte[32];
        if (ManifestChecks.DescribeProblem(manifest) is { } problem)
            throw CommandFailedException.Refused($"refused: {problem}");

        byte[] sha256;
        await using (var file = File.OpenRead(request.Payload))
        using (var progress = new ProgressBar(console, "hashing payload", length))
            (_, sha256) = await ManifestChecks.HashAsync(new ProgressStream(file, progress), cancellationToken);
        manifest.ImageSha256 = sha256;
        manifest.PayloadSha256 = sha256;

        await PackageFile.WriteAtomicallyAsync(request.Output, async destination =>
        {
            await using var file = File.OpenRead(request.Payload);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using (var progress = new ProgressBar(console, "packing", length))
                await PackageArchive.WriteAsync(destination, new SignedManifest { Manifest = ManifestSigning.Encode(manifest) }, new ProgressStream(file, progress, hash), null, cancellationToken);
            // The file was read twice; a build still writing it would make a package whose manifest lies.
            if (!hash.GetHashAndReset().AsSpan().SequenceEqual(sha256))
                throw CommandFailedException.Refused($"refused: {request.Payload} changed while it was being packed; pack it again when it is complete");
        }, cancellationToken);

        console.Out.WriteLine($"packed {manifest.PackageId}: {KindName(manifest.Kind)} {manifest.Version} for {string.Join(", ", manifest.Models)}"
            + (manifest.HardwareRevisions.Count > 0 ? $" (hardware revision {string.Join(", ", manifest.HardwareRevisions)})" : "")
            + (manifest.Platforms.Count > 0 ? $" on {string.Join("; ", manifest.Platforms)}" : ""));
        console.Out.WriteLine($"image {length} bytes, SHA-256 {Convert.ToHexStringLower(sha256)}");
        console.Out.WriteLine($"expires {DateTimeOffset.FromUnixTimeMilliseconds(manifest.ExpiresUnixMs):u}{(manifest.IsRollbackRelease ? "; a rollback release" : "")}");
        console.Out.WriteLine($"wrote {request.Output} (unsigned: sign it with 'fwtool sign {request.Output} --key <name>.key.pem')");
        return ExitCodes.Ok;
    }

    internal static string KindName(PackageKind kind) => kind switch
    {
        PackageKind.Firmware => "firmware",
        PackageKind.Driver => "driver",
        _ => kind.ToString(),
    };
}
