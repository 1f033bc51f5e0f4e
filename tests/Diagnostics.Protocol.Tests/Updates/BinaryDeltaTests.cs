using System.Buffers.Binary;
using System.Security.Cryptography;

using Diagnostics.Protocol.Updates;
using Diagnostics.Testing;

namespace Diagnostics.Protocol.Tests.Updates;

public sealed class BinaryDeltaTests
{
    private static readonly byte[] Image = FirmwareImages.Create(1 << 20, seed: 11).Bytes;

    public static TheoryData<string> Pairs =>
    [
        "identical", "appended", "inserted in the middle", "deleted from the middle", "scattered address changes", "replaced section",
        "empty source", "empty target", "unrelated random data", "tiny images", "next minor release", "next major release",
    ];

    private static (byte[] Source, byte[] Target) Pair(string name)
    {
        var random = new Random(name.Length);
        switch (name)
        {
            case "identical":
                return (Image, Image.ToArray());
            case "appended":
                return (Image, [.. Image, .. RandomBytes(random, 70_000)]);
            case "inserted in the middle":
                return (Image, [.. Image.AsSpan(0, Image.Length / 2), .. RandomBytes(random, 3_001), .. Image.AsSpan(Image.Length / 2)]);
            case "deleted from the middle":
                return (Image, [.. Image.AsSpan(0, 300_000), .. Image.AsSpan(345_679)]);
            case "scattered address changes":
                return (Image, ScatterAddressChanges(Image, random, every: 256));
            case "replaced section":
                var replaced = Image.ToArray();
                RandomBytes(random, 100_000).CopyTo(replaced, 400_000);
                return (Image, replaced);
            case "empty source":
                return ([], Image);
            case "empty target":
                return (Image, []);
            case "unrelated random data":
                return (RandomBytes(random, 200_000), RandomBytes(random, 300_000));
            case "tiny images":
                return ("firmware 1"u8.ToArray(), "firmware 2!"u8.ToArray());
            case "next minor release":
                var minor = FirmwareImages.Create(1 << 20, seed: 5);
                return (minor.Bytes, FirmwareImages.NextRelease(minor, seed: 6).Bytes);
            case "next major release":
                var major = FirmwareImages.Create(1 << 20, seed: 7);
                return (major.Bytes, FirmwareImages.NextRelease(major, seed: 8, ReleaseChanges.Major).Bytes);
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "no such pair");
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Applying_the_delta_to_the_source_gives_the_target_byte_for_byte(string pair)
    {
        var (source, target) = Pair(pair);

        var delta = BinaryDelta.Create(source, target, cancellationToken: TestContext.Current.CancellationToken);
        var applied = await ApplyAsync(source, delta);

        Assert.Equal(target.Length, applied.Length);
        Assert.True(target.AsSpan().SequenceEqual(applied), $"{pair}: the applied delta differs from the target");
    }

    [Fact]
    public void A_release_with_scattered_address_changes_needs_a_small_delta()
    {
        var target = ScatterAddressChanges(Image, new Random(3), every: 128);

        var delta = BinaryDelta.Create(Image, target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(delta.Length < target.Length / 4, $"delta {delta.Length} bytes for a {target.Length}-byte image");
    }

    [Fact]
    public void A_realistic_minor_release_needs_a_delta_much_smaller_than_its_image()
    {
        var old = FirmwareImages.Create(2 << 20, seed: 21);
        var next = FirmwareImages.NextRelease(old, seed: 22);

        var delta = BinaryDelta.Create(old.Bytes, next.Bytes, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(delta.Length < next.Bytes.Length / 4, $"delta {delta.Length} bytes for a {next.Bytes.Length}-byte image");
    }

    [Fact]
    public async Task Images_larger_than_one_frame_round_trip_with_the_delta_read_from_a_package_entry()
    {
        var old = FirmwareImages.Create(20 << 20, seed: 31);
        var next = FirmwareImages.NextRelease(old, seed: 32);
        var reports = new List<double>();
        var progress = new SynchronousProgress(reports.Add);
        using var deltaFile = new MemoryStream();
        BinaryDelta.Create(old.Bytes, next.Bytes, deltaFile, progress, TestContext.Current.CancellationToken);

        // A device reads the delta as a package's payload entry: forward only, never seekable.
        using var package = new MemoryStream();
        deltaFile.Position = 0;
        await PackageArchive.WriteAsync(package, new SignedManifest(), deltaFile, null, TestContext.Current.CancellationToken);
        package.Position = 0;
        var (archive, payload, _) = await PackageArchive.OpenPayloadAsync(package, TestContext.Current.CancellationToken);
        using var applied = new MemoryStream();
        await using (archive)
        await using (payload)
        {
            Assert.False(payload.CanSeek);
            await BinaryDelta.ApplyAsync(new MemoryStream(old.Bytes, writable: false), payload, applied, TestContext.Current.CancellationToken);
        }

        Assert.True(next.Bytes.AsSpan().SequenceEqual(applied.ToArray()));
        Assert.Equal(1.0, reports[^1]);
        Assert.True(reports.Count > 2, "progress is reported along the way, not only at the end");
    }

    [Fact]
    public async Task A_delta_for_another_source_is_refused_before_anything_is_written()
    {
        var other = Image.ToArray();
        other[12345] ^= 0x40;
        var delta = BinaryDelta.Create(Image, ScatterAddressChanges(Image, new Random(1), every: 512), cancellationToken: TestContext.Current.CancellationToken);
        using var target = new MemoryStream();

        var refusal = await Assert.ThrowsAsync<InvalidDataException>(() =>
            BinaryDelta.ApplyAsync(new MemoryStream(other), new MemoryStream(delta), target, TestContext.Current.CancellationToken));

        Assert.Contains($"applies to an image of {Image.Length} bytes with SHA-256 {Convert.ToHexStringLower(SHA256.HashData(Image))}", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(other)), refusal.Message, StringComparison.Ordinal);
        Assert.Equal(0, target.Length);
    }

    [Fact]
    public async Task Something_that_is_not_a_delta_is_refused_as_such()
    {
        var refusal = await Assert.ThrowsAsync<InvalidDataException>(() =>
            ApplyAsync(Image, [.. "PK\u0003\u0004 a zip, not a delta, and long enough to hold a header of 88 bytes ........................."u8]));

        Assert.Contains("not a binary delta", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delta_cut_short_anywhere_is_refused()
    {
        var target = ScatterAddressChanges(Image, new Random(2), every: 512);
        var delta = BinaryDelta.Create(Image, target, cancellationToken: TestContext.Current.CancellationToken);
        int[] cuts = [0, 7, 40, BinaryDelta.HeaderLength, BinaryDelta.HeaderLength + 10, BinaryDelta.HeaderLength + 28, delta.Length / 2, delta.Length - 1];

        foreach (var cut in cuts)
        {
            var refusal = await Assert.ThrowsAsync<InvalidDataException>(() => ApplyAsync(Image, delta[..cut]));
            Assert.False(string.IsNullOrWhiteSpace(refusal.Message));
        }
    }

    [Fact]
    public async Task A_delta_with_anything_appended_is_refused()
    {
        var delta = BinaryDelta.Create(Image, Image, cancellationToken: TestContext.Current.CancellationToken);

        var refusal = await Assert.ThrowsAsync<InvalidDataException>(() => ApplyAsync(Image, [.. delta, 0]));

        Assert.Contains("goes on after its last frame", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_delta_is_refused_with_InvalidDataException_and_never_makes_a_wrong_image()
    {
        var target = ScatterAddressChanges(Image, new Random(4), every: 200);
        var delta = BinaryDelta.Create(Image, target, cancellationToken: TestContext.Current.CancellationToken);
        var random = new Random(5);
        // Every byte of the header and the first frame's header, then bytes anywhere in the blocks.
        var positions = Enumerable.Range(8, BinaryDelta.HeaderLength + 28 - 8)
            .Concat(Enumerable.Range(0, 200).Select(_ => random.Next(BinaryDelta.HeaderLength + 28, delta.Length)));
        var refused = 0;

        foreach (var position in positions)
        {
            var damaged = delta.ToArray();
            damaged[position] ^= (byte)(1 << random.Next(8));
            using var applied = new MemoryStream();
            var refusal = await Record.ExceptionAsync(() =>
                BinaryDelta.ApplyAsync(new MemoryStream(Image, writable: false), new MemoryStream(damaged), applied, TestContext.Current.CancellationToken));
            if (refusal is null)
            {
                // Brotli may decode a damaged back-reference to the same bytes (a run of zeros copied from elsewhere in
                // the zeros); the image is then exactly right, and the target hash proves it.
                Assert.True(target.AsSpan().SequenceEqual(applied.ToArray()), $"damage at byte {position} made a wrong image without a refusal");
                continue;
            }
            Assert.True(refusal is InvalidDataException, $"damage at byte {position}: {refusal.GetType().Name} {refusal.Message}");
            refused++;
        }

        Assert.True(refused > 200, $"only {refused} of {BinaryDelta.HeaderLength + 20 + 200} damaged deltas were refused");
    }

    [Fact]
    public async Task The_image_made_is_checked_against_the_hash_the_header_promises()
    {
        var target = Image.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(target.AsSpan(1000), 0xDEADBEEF);
        var delta = BinaryDelta.Create(Image, target, cancellationToken: TestContext.Current.CancellationToken);
        var damagedHash = delta.ToArray();
        damagedHash[60] ^= 0x01; // inside the target's SHA-256

        var refusal = await Assert.ThrowsAsync<InvalidDataException>(() => ApplyAsync(Image, damagedHash));

        Assert.Contains("it promises", refusal.Message, StringComparison.Ordinal);
    }

    private static async Task<byte[]> ApplyAsync(byte[] source, byte[] delta)
    {
        using var target = new MemoryStream();
        await BinaryDelta.ApplyAsync(new MemoryStream(source, writable: false), new MemoryStream(delta, writable: false), target, TestContext.Current.CancellationToken);
        return target.ToArray();
    }

    /// <summary>What moving code does to the words that hold addresses: one 4-byte value changed every so many bytes.</summary>
    private static byte[] ScatterAddressChanges(byte[] image, Random random, int every)
    {
        var changed = image.ToArray();
        for (var at = random.Next(every) & ~3; at + 4 <= changed.Length; at += (every / 2 + random.Next(every)) & ~3)
            BinaryPrimitives.WriteUInt32LittleEndian(changed.AsSpan(at), BinaryPrimitives.ReadUInt32LittleEndian(changed.AsSpan(at)) + 0x340);
        return changed;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
