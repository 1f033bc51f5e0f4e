using System.IO.Compression;
using System.Security.Cryptography;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Fuzzing.Targets;

/// <summary>
/// What a device, the cloud's package upload and <c>fwtool verify</c> read of a release: the signed manifest and the
/// checks on it, the <c>.dxpkg</c> zip, and the binary delta a device applies to its running image.
/// </summary>
/// <remarks>
/// A fuzzer cannot forge a signature or a SHA-256, so where a check stands before the code worth fuzzing the harness
/// does what a release engineer would: with the first input byte odd it signs the manifest bytes it was given with the
/// trusted test key (manifest), wraps them in a well-formed zip (package), or fills in the source image's size and hash
/// (delta). With it even, the input goes in untouched, as an attacker would send it.
/// </remarks>
public static class UpdateTargets
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(ReleaseSamples.CreatedUnixMs + 86_400_000);

    public static FuzzTarget Manifest { get; } = new()
    {
        Name = "manifest",
        Covers = "SignedManifest decoding, ManifestSigning.Verify, ManifestChecks (CheckSigned, CheckForDevice, CheckPayload, CheckImage)",
        Seeds = () =>
        [
            [0, .. WireCodec.Encode(ReleaseSamples.SignedFullManifest())],
            [0, .. WireCodec.Encode(ReleaseSamples.Sign(ManifestSigning.Encode(ReleaseSamples.DeltaManifest())))],
            [1, .. ManifestSigning.Encode(ReleaseSamples.FullManifest())],
            [1, .. ManifestSigning.Encode(ReleaseSamples.DeltaManifest())],
        ],
        Parse = input =>
        {
            var (mode, bytes) = FuzzTarget.ModeAndRest(input);
            SignedManifest signed;
            if (mode % 2 == 0)
            {
                var decoded = WireCodec.Decode<SignedManifest>(bytes, ManifestChecks.MaxManifestBytes + 4096);
                if (!decoded.IsSuccess)
                    return ParseOutcome.TypedError;
                signed = decoded.Value!;
                // What fwtool shows of a package it cannot verify.
                if (PackageArchive.TryDecodeUnverified(signed, out var error) is null && string.IsNullOrEmpty(error))
                    throw new ContractViolationException("TryDecodeUnverified returned no manifest and no error");
            }
            else
            {
                signed = ReleaseSamples.Sign(bytes);
            }
            return CheckRelease(signed);
        },
    };

    public static FuzzTarget Package { get; } = new()
    {
        Name = "package",
        Covers = "PackageArchive.ReadManifestAsync, OpenPayloadAsync and the payload read (.dxpkg zip), then ManifestChecks",
        Seeds = () =>
        [
            [0, .. ReleaseSamples.Package(ReleaseSamples.SignedFullManifest(), ReleaseSamples.NextImage)],
            [0, .. ReleaseSamples.Package(ReleaseSamples.Sign(ManifestSigning.Encode(ReleaseSamples.DeltaManifest())), ReleaseSamples.Delta())],
            [0, .. ReleaseSamples.Package(new SignedManifest { Manifest = ManifestSigning.Encode(ReleaseSamples.FullManifest()) }, ReleaseSamples.NextImage)],
            [1, .. WireCodec.Encode(ReleaseSamples.SignedFullManifest())],
        ],
        // Zip's central directory, entry buffers and the 80 KiB hashing buffer, whatever the package's size.
        FixedAllocationBytes = 4 << 20,
        DocumentedExceptions = [typeof(InvalidDataException)],
        Parse = input =>
        {
            var (mode, bytes) = FuzzTarget.ModeAndRest(input);
            var package = mode % 2 == 0 ? bytes : WellFormedZip(bytes, ReleaseSamples.NextImage);
            return ReadPackageAsync(package).GetAwaiter().GetResult();
        },
    };

    public static FuzzTarget Delta { get; } = new()
    {
        Name = "delta",
        Covers = "BinaryDelta.ApplyAsync (header, frames, Brotli blocks, control entries) over the device's running image",
        Seeds = () =>
        [
            [1, .. ReleaseSamples.Delta()],
            [1, .. BinaryDelta.Create(ReleaseSamples.RunningImage, [])],
            [1, .. BinaryDelta.Create(ReleaseSamples.RunningImage, ReleaseSamples.RunningImage.AsSpan(100, 3000))],
            [0, .. ReleaseSamples.Delta()],
        ],
        // By design a device holds one frame while applying, whatever the delta's size: the frame's decoded and
        // compressed blocks and its output (BinaryDelta.MaxFrameBytes of target, its control at most 13 bytes per target byte).
        FixedAllocationBytes = 256L << 20,
        DocumentedExceptions = [typeof(InvalidDataException)],
        Parse = input =>
        {
            var (mode, delta) = FuzzTarget.ModeAndRest(input);
            if (mode % 2 == 1 && delta.Length >= BinaryDelta.HeaderLength)
            {
                BitConverter.TryWriteBytes(delta.AsSpan(8, 8), (long)ReleaseSamples.RunningImage.Length);
                SHA256.HashData(ReleaseSamples.RunningImage).CopyTo(delta.AsSpan(16, 32));
            }
            using var source = new MemoryStream(ReleaseSamples.RunningImage, writable: false);
            BinaryDelta.ApplyAsync(source, new MemoryStream(delta, writable: false), Stream.Null, CancellationToken.None).GetAwaiter().GetResult();
            return ParseOutcome.Value;
        },
    };

    private static ParseOutcome CheckRelease(SignedManifest signed)
    {
        var check = ManifestChecks.CheckSigned(signed, [ReleaseSamples.TrustedKey]);
        if (!check.IsAccepted)
            return Refused(check);
        var manifest = check.Manifest!;
        var forDevice = ManifestChecks.CheckForDevice(manifest, ReleaseSamples.Device, Now);
        _ = ManifestChecks.CheckPayload(manifest, ReleaseSamples.NextImage.Length, SHA256.HashData(ReleaseSamples.NextImage));
        _ = ManifestChecks.CheckImage(manifest, ReleaseSamples.NextImage.Length, SHA256.HashData(ReleaseSamples.NextImage));
        return forDevice.IsAccepted ? ParseOutcome.Value : Refused(forDevice);
    }

    private static ParseOutcome Refused(ManifestCheck check) =>
        check.Failure != UpdateFailure.None && !string.IsNullOrEmpty(check.Detail)
            ? ParseOutcome.TypedError
            : throw new ContractViolationException($"a refused manifest says {check.Failure}: '{check.Detail}'");

    private static async Task<ParseOutcome> ReadPackageAsync(byte[] bytes)
    {
        using var package = new MemoryStream(bytes, writable: false);
        var (signed, error) = await PackageArchive.ReadManifestAsync(package, CancellationToken.None);
        if (signed is null)
            return string.IsNullOrEmpty(error) ? throw new ContractViolationException("ReadManifestAsync returned no manifest and no error") : ParseOutcome.TypedError;
        var outcome = CheckRelease(signed);
        package.Position = 0;
        var (archive, payload, _) = await PackageArchive.OpenPayloadAsync(package, CancellationToken.None);
        await using (archive)
        await using (payload)
        {
            var (size, sha256) = await ManifestChecks.HashAsync(payload, CancellationToken.None);
            if (outcome == ParseOutcome.Value)
                _ = ManifestChecks.CheckPayload(ManifestChecks.CheckSigned(signed, [ReleaseSamples.TrustedKey]).Manifest!, size, sha256);
        }
        return outcome;
    }

    /// <summary>A zip as PackageArchive writes it, with <paramref name="manifestEntry"/> as manifest.pb whatever it holds.</summary>
    private static byte[] WellFormedZip(ReadOnlySpan<byte> manifestEntry, byte[] payload)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var stream = zip.CreateEntry(PackageArchive.ManifestEntry, CompressionLevel.NoCompression).Open())
                stream.Write(manifestEntry);
            using (var stream = zip.CreateEntry(PackageArchive.PayloadEntry, CompressionLevel.NoCompression).Open())
                stream.Write(payload);
        }
        return buffer.ToArray();
    }
}
