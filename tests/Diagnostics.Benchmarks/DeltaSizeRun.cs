using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;

using Diagnostics.Protocol.Updates;
using Diagnostics.Testing;

namespace Diagnostics.Benchmarks;

/// <summary>
/// How large binary deltas are for realistic release pairs (<see cref="FirmwareImages"/>), against the full image
/// compressed with Brotli at the delta's own settings as the reference a delta has to beat.
/// </summary>
internal static class DeltaSizeRun
{
    // The settings BinaryDelta compresses its blocks with, so the reference differs only in what is compressed.
    private const int BrotliQuality = 9;
    private const int BrotliWindow = 24;

    public static void Run(IReadOnlyList<int> sizesMiB)
    {
        Console.WriteLine("delta-size: delta of each release against the one before it, and the full image Brotli-compressed (quality 9, 16 MiB window) as the reference");
        Console.WriteLine($"  {"image",-6} {"release",-18} {"image bytes",13} {"delta bytes",13} {"delta/image",11} {"brotli bytes",13} {"brotli/image",12} {"delta/brotli",12} {"create s",9} {"apply s",8}");
        foreach (var sizeMiB in sizesMiB)
        {
            var old = FirmwareImages.Create(sizeMiB << 20, seed: 1);
            (string Name, FirmwareImage Image)[] releases =
            [
                ("minor", FirmwareImages.NextRelease(old, seed: 2, ReleaseChanges.Minor)),
                ("major", FirmwareImages.NextRelease(old, seed: 3, ReleaseChanges.Major)),
                ("resource replaced", FirmwareImages.NextRelease(old, seed: 4, ReleaseChanges.ResourceReplaced)),
            ];
            foreach (var (name, next) in releases)
            {
                var creating = Stopwatch.StartNew();
                var delta = BinaryDelta.Create(old.Bytes, next.Bytes);
                var createSeconds = creating.Elapsed.TotalSeconds;
                var applying = Stopwatch.StartNew();
                using var applied = new MemoryStream(next.Bytes.Length);
                BinaryDelta.ApplyAsync(new MemoryStream(old.Bytes, writable: false), new MemoryStream(delta, writable: false), applied, CancellationToken.None).GetAwaiter().GetResult();
                var applySeconds = applying.Elapsed.TotalSeconds;
                if (!applied.GetBuffer().AsSpan(0, (int)applied.Length).SequenceEqual(next.Bytes))
                    throw new InvalidOperationException($"{sizeMiB} MiB {name}: the applied delta does not give the new image");
                var compressed = BrotliSize(next.Bytes);

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {sizeMiB + " MiB",-6} {name,-18} {next.Bytes.Length,13:N0} {delta.Length,13:N0} {100.0 * delta.Length / next.Bytes.Length,10:N1}% {compressed,13:N0} {100.0 * compressed / next.Bytes.Length,11:N1}% {100.0 * delta.Length / compressed,11:N1}% {createSeconds,9:N1} {applySeconds,8:N1}"));
            }
        }
    }

    private static long BrotliSize(byte[] image)
    {
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(image.Length)];
        if (!BrotliEncoder.TryCompress(image, buffer, out var written, BrotliQuality, BrotliWindow))
            throw new InvalidOperationException("Brotli could not compress the image into its worst-case size");
        return written;
    }
}
