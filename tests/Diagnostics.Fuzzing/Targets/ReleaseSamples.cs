using System.Security.Cryptography;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Fuzzing.Targets;

/// <summary>
/// Releases as <c>fwtool pack</c>, <c>fwtool delta</c> and <c>fwtool sign</c> make them (the same library calls), from
/// small seeded images, signed by one fixed test key that the fuzzed readers trust.
/// </summary>
public static class ReleaseSamples
{
    public const long CreatedUnixMs = 1_790_000_000_000;
    public const long ExpiresUnixMs = CreatedUnixMs + (365L * 86_400_000);
    public const string Model = "Acme LaserPro 500";

    // A key made for these tests only (P-256), fixed so the seeds are the same on every run but for ECDSA's random nonce.
    private const string TestKeyPem = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgi2F03/A5P1dn7ByO
        WJh35YmH0eZo2oDCBpI5h82EOnihRANCAASN5+nRX+CjPF0ogUdalupE6j3rgQnm
        fpTiDI5cGvW5ZN+atO0mdeEJ9cUl92j1Tmfr5jMK6EdK5uueMlP4+KuS
        -----END PRIVATE KEY-----
        """;

    private static readonly Lazy<ECDsa> Key = new(() =>
    {
        var key = ECDsa.Create();
        key.ImportFromPem(TestKeyPem);
        return key;
    });

    private static readonly Lazy<TrustedKey> Trusted = new(() =>
        TrustedKey.TryFromPem(Key.Value.ExportSubjectPublicKeyInfoPem(), out var error) ?? throw new InvalidOperationException(error));

    public static TrustedKey TrustedKey => Trusted.Value;

    /// <summary>The image a device runs (version 2.4.0): 16 KiB of seeded bytes with some structure repeated.</summary>
    public static byte[] RunningImage { get; } = MakeImage(2_4_0, 16 * 1024);

    /// <summary>Version 2.4.1: the running image with a few bytes changed and a block inserted in the middle.</summary>
    public static byte[] NextImage { get; } =
        [.. RunningImage.AsSpan(0, 6000), .. MakeImage(2_4_1, 700), .. RunningImage.AsSpan(6000).ToArray().Select((b, i) => i % 97 == 0 ? (byte)(b + 1) : b)];

    public static DeviceFacts Device { get; } = new(Model, "B", "2.4.0", SHA256.HashData(RunningImage));

    public static UpdateManifest FullManifest() => new()
    {
        PackageId = "acme-lx500-fw-2.4.1", Kind = PackageKind.Firmware, Version = "2.4.1", Models = [Model], HardwareRevisions = ["A", "B"],
        MinimumFromVersion = "2.0", ImageSize = NextImage.Length, ImageSha256 = SHA256.HashData(NextImage),
        PayloadSize = NextImage.Length, PayloadSha256 = SHA256.HashData(NextImage),
        CreatedUnixMs = CreatedUnixMs, ExpiresUnixMs = ExpiresUnixMs, ReleaseNotes = "Fixes duplex jams.",
    };

    public static UpdateManifest DeltaManifest()
    {
        var delta = Delta();
        var manifest = FullManifest();
        manifest.PackageId = "acme-lx500-fw-2.4.1-from-2.4.0";
        manifest.DeltaFromVersion = "2.4.0";
        manifest.DeltaFromSha256 = SHA256.HashData(RunningImage);
        manifest.PayloadSize = delta.Length;
        manifest.PayloadSha256 = SHA256.HashData(delta);
        return manifest;
    }

    public static byte[] Delta() => BinaryDelta.Create(RunningImage, NextImage);

    public static SignedManifest Sign(byte[] manifest)
    {
        var signed = new SignedManifest { Manifest = manifest };
        ManifestSigning.AddSignature(signed, Key.Value);
        return signed;
    }

    public static SignedManifest SignedFullManifest() => Sign(ManifestSigning.Encode(FullManifest()));

    /// <summary>A <c>.dxpkg</c> as PackageArchive writes it.</summary>
    public static byte[] Package(SignedManifest manifest, byte[] payload)
    {
        using var package = new MemoryStream();
        PackageArchive.WriteAsync(package, manifest, new MemoryStream(payload, writable: false), null, CancellationToken.None).GetAwaiter().GetResult();
        return package.ToArray();
    }

    private static byte[] MakeImage(int seed, int length)
    {
        var random = new Random(seed);
        var image = new byte[length];
        random.NextBytes(image);
        // Firmware repeats itself (padding, tables): give the delta's matcher something to find.
        for (var at = 1024; at + 256 < length; at += 2048)
            image.AsSpan(0, 256).CopyTo(image.AsSpan(at));
        return image;
    }
}
