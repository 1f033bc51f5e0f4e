using System.Security.Cryptography;

namespace Diagnostics.Protocol.Updates;

/// <summary>What a device knows about itself when it judges an update.</summary>
/// <param name="Model">As the device reports it in its status.</param>
/// <param name="HardwareRevision">Empty when the device does not know its own.</param>
/// <param name="RunningVersion">The version it runs now.</param>
/// <param name="RunningImageSha256">The hash of the image it runs, when known: a delta applies to that image only.</param>
public sealed record DeviceFacts(string Model, string HardwareRevision, string RunningVersion, byte[]? RunningImageSha256 = null);

/// <summary>A manifest that passed every check, or the first check it failed.</summary>
/// <param name="Problem">The packaging rule a malformed manifest breaks, by code and values (its <see cref="ManifestProblem.Text"/> is <paramref name="Detail"/>); null otherwise.</param>
/// <param name="Coded">A refusal of the bytes (payload or image against the manifest) as the device reports it, by code and values (its <see cref="UpdateDetail.Text"/> is <paramref name="Detail"/>); null otherwise.</param>
public sealed record ManifestCheck(UpdateManifest? Manifest, UpdateFailure Failure, string Detail, ManifestProblem? Problem = null, UpdateDetail? Coded = null)
{
    public bool IsAccepted => Failure == UpdateFailure.None;

    internal static ManifestCheck Refuse(UpdateFailure failure, string detail, UpdateManifest? manifest = null) => new(manifest, failure, detail);

    internal static ManifestCheck Refuse(ManifestProblem problem, UpdateManifest? manifest = null) => new(manifest, UpdateFailure.ManifestMalformed, problem.Text, problem);

    internal static ManifestCheck Refuse(UpdateFailure failure, UpdateDetail coded, UpdateManifest manifest) => new(manifest, failure, coded.Text, Coded: coded);
}

/// <summary>
/// The checks a device makes before it downloads and again before it installs, in one place so the agent, the cloud's
/// upload and <c>fwtool verify</c> agree. Each refusal names the check and the values that failed it.
/// </summary>
public static class ManifestChecks
{
    /// <summary>Manifests are a few hundred bytes; anything near this is not one.</summary>
    public const int MaxManifestBytes = 64 * 1024;

    private static readonly long LatestUnixMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>Signature first (nothing unsigned is even read), then the fields a signed manifest must have.</summary>
    public static ManifestCheck CheckSigned(SignedManifest signedManifest, IEnumerable<TrustedKey> trustedKeys)
    {
        ArgumentNullException.ThrowIfNull(signedManifest);
        if (signedManifest.Manifest.Length is 0 or > MaxManifestBytes)
            return ManifestCheck.Refuse(new ManifestProblem(ManifestProblem.ManifestSize, $"the manifest is {signedManifest.Manifest.Length} bytes; it must be 1 to {MaxManifestBytes}",
                Invariant(signedManifest.Manifest.Length), Invariant(MaxManifestBytes)));
        var signature = ManifestSigning.Verify(signedManifest, trustedKeys);
        if (!signature.IsValid)
            return ManifestCheck.Refuse(signature.Failure, signature.Detail);
        var decoded = WireCodec.Decode<UpdateManifest>(signedManifest.Manifest, MaxManifestBytes);
        if (!decoded.IsSuccess)
            return ManifestCheck.Refuse(UpdateFailure.ManifestMalformed, $"the signed manifest does not decode: {decoded.Detail}");
        var manifest = decoded.Value!;
        var problem = FindProblem(manifest);
        return problem is null
            ? new ManifestCheck(manifest, UpdateFailure.None, signature.Detail)
            : ManifestCheck.Refuse(problem, manifest);
    }

    /// <summary>What makes a manifest unusable, or null: the rules <c>fwtool pack</c> enforces, checked again by every reader; as the signing tools print it.</summary>
    public static string? DescribeProblem(UpdateManifest manifest) => FindProblem(manifest)?.Text;

    /// <summary>The first packaging rule the manifest breaks, by code and values, or null (<see cref="DescribeProblem"/> in words).</summary>
    public static ManifestProblem? FindProblem(UpdateManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (string.IsNullOrWhiteSpace(manifest.PackageId) || manifest.PackageId.Length > 128 || !manifest.PackageId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            return new(ManifestProblem.PackageId, $"package id \"{manifest.PackageId}\" must be 1 to 128 letters, digits, '-', '_' or '.'", manifest.PackageId);
        if (manifest.Kind is not (PackageKind.Firmware or PackageKind.Driver))
            return new(ManifestProblem.Kind, $"kind {manifest.Kind} is neither firmware nor driver", manifest.Kind.ToString());
        if (!FirmwareVersion.IsReleaseVersion(manifest.Version))
            return new(ManifestProblem.Version, $"version \"{manifest.Version}\" is not dotted numbers such as 2.4.1", manifest.Version);
        if (manifest.Models.Count == 0 || manifest.Models.Any(string.IsNullOrWhiteSpace))
            return new(ManifestProblem.NoModel, "the manifest names no compatible model");
        if (manifest.MinimumFromVersion.Length > 0 && !FirmwareVersion.IsReleaseVersion(manifest.MinimumFromVersion))
            return new(ManifestProblem.MinimumFromVersion, $"minimum version to update from \"{manifest.MinimumFromVersion}\" is not dotted numbers", manifest.MinimumFromVersion);
        if (manifest.ImageSize <= 0 || manifest.ImageSha256.Length != 32)
            return new(ManifestProblem.ImageUndescribed, "the manifest does not give the image's size and SHA-256");
        if (manifest.PayloadSize <= 0 || manifest.PayloadSha256.Length != 32)
            return new(ManifestProblem.PayloadUndescribed, "the manifest does not give the payload's size and SHA-256");
        // Devices and the cloud turn these into DateTimeOffsets, which end at 9999; a release made before 1970 is none.
        if (manifest.CreatedUnixMs < 0 || manifest.ExpiresUnixMs > LatestUnixMs)
            return new(ManifestProblem.DatesOutOfRange, "the manifest's creation and expiry must be dates from 1970 to 9999");
        if (manifest.ExpiresUnixMs <= manifest.CreatedUnixMs)
            return new(ManifestProblem.ExpiresBeforeCreated, "the manifest expires before it was created");
        if (DriverChecks.FindProblem(manifest) is { } driverProblem)
            return driverProblem;
        if (manifest.IsDelta)
        {
            if (!FirmwareVersion.IsReleaseVersion(manifest.DeltaFromVersion) || manifest.DeltaFromSha256.Length != 32)
                return new(ManifestProblem.DeltaBaseUnnamed, "a delta must name the version and SHA-256 of the image it applies to");
        }
        else if (manifest.PayloadSize != manifest.ImageSize || !manifest.PayloadSha256.AsSpan().SequenceEqual(manifest.ImageSha256))
        {
            return new(ManifestProblem.FullPayloadNotImage, "a full package's payload must be its image (same size and SHA-256)");
        }
        return null;
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether this device may install this (signature-checked) manifest now.</summary>
    public static ManifestCheck CheckForDevice(UpdateManifest manifest, DeviceFacts device, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(device);
        if (now.ToUnixTimeMilliseconds() >= manifest.ExpiresUnixMs)
            return ManifestCheck.Refuse(UpdateFailure.Expired, $"the package expired at {DateTimeOffset.FromUnixTimeMilliseconds(manifest.ExpiresUnixMs):u}; the device's clock says {now:u}", manifest);
        if (!manifest.Models.Contains(device.Model, StringComparer.OrdinalIgnoreCase))
            return ManifestCheck.Refuse(UpdateFailure.WrongModel, $"the package is for {string.Join(", ", manifest.Models)}; this device is a {device.Model}", manifest);
        if (manifest.HardwareRevisions.Count > 0 && !manifest.HardwareRevisions.Contains(device.HardwareRevision, StringComparer.OrdinalIgnoreCase))
            return ManifestCheck.Refuse(UpdateFailure.WrongHardwareRevision,
                $"the package supports hardware revision(s) {string.Join(", ", manifest.HardwareRevisions)}; this device is revision {(device.HardwareRevision.Length == 0 ? "unknown" : device.HardwareRevision)}", manifest);
        if (FirmwareVersion.Compare(manifest.Version, device.RunningVersion) is not { } order)
        {
            if (!manifest.IsRollbackRelease)
                return ManifestCheck.Refuse(UpdateFailure.Downgrade, $"the device's version \"{device.RunningVersion}\" cannot be compared with {manifest.Version}; only a signed rollback release may replace it", manifest);
        }
        else if (order <= 0 && !manifest.IsRollbackRelease)
        {
            return ManifestCheck.Refuse(UpdateFailure.Downgrade, order == 0
                ? $"the device already runs {device.RunningVersion}"
                : $"{manifest.Version} is older than the running {device.RunningVersion}, and the package is not a signed rollback release", manifest);
        }
        if (manifest.MinimumFromVersion.Length > 0 && FirmwareVersion.Compare(device.RunningVersion, manifest.MinimumFromVersion) is null or < 0)
            return ManifestCheck.Refuse(UpdateFailure.VersionTooOld, $"the device runs {device.RunningVersion}; this package updates from {manifest.MinimumFromVersion} or later", manifest);
        if (manifest.IsDelta)
        {
            if (FirmwareVersion.Compare(manifest.DeltaFromVersion, device.RunningVersion) != 0)
                return ManifestCheck.Refuse(UpdateFailure.DeltaBaseMismatch, $"the delta applies to {manifest.DeltaFromVersion}; the device runs {device.RunningVersion}", manifest);
            if (device.RunningImageSha256 is { } running && !running.AsSpan().SequenceEqual(manifest.DeltaFromSha256))
                return ManifestCheck.Refuse(UpdateFailure.DeltaBaseMismatch,
                    $"the delta applies to an image with SHA-256 {Convert.ToHexStringLower(manifest.DeltaFromSha256)}; the running image's is {Convert.ToHexStringLower(running)}", manifest);
        }
        return new ManifestCheck(manifest, UpdateFailure.None, "accepted");
    }

    /// <summary>The downloaded payload against the manifest.</summary>
    public static ManifestCheck CheckPayload(UpdateManifest manifest, long size, ReadOnlySpan<byte> sha256) =>
        CheckBytes(manifest, size, sha256, manifest.PayloadSize, manifest.PayloadSha256, UpdateFailure.PayloadSizeMismatch, UpdateFailure.PayloadHashMismatch, image: false);

    /// <summary>The image to install (the payload, or the result of applying a delta) against the manifest.</summary>
    public static ManifestCheck CheckImage(UpdateManifest manifest, long size, ReadOnlySpan<byte> sha256) =>
        CheckBytes(manifest, size, sha256, manifest.ImageSize, manifest.ImageSha256, UpdateFailure.PayloadSizeMismatch, UpdateFailure.ImageHashMismatch, image: true);

    /// <summary>SHA-256 of a stream from its current position to its end.</summary>
    public static async Task<(long Size, byte[] Sha256)> HashAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long size = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            size += read;
        }
        return (size, hash.GetHashAndReset());
    }

    private static ManifestCheck CheckBytes(UpdateManifest manifest, long size, ReadOnlySpan<byte> sha256, long expectedSize, byte[] expectedSha256,
        UpdateFailure sizeFailure, UpdateFailure hashFailure, bool image)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (size != expectedSize)
            return ManifestCheck.Refuse(sizeFailure, UpdateDetail.SizeMismatch(image, size, expectedSize), manifest);
        if (!sha256.SequenceEqual(expectedSha256))
            return ManifestCheck.Refuse(hashFailure, UpdateDetail.HashMismatch(image, sha256, expectedSha256), manifest);
        return new ManifestCheck(manifest, UpdateFailure.None, $"{(image ? "image" : "payload")} matches the manifest");
    }
}
