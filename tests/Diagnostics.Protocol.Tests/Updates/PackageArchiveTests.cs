using System.IO.Compression;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Protocol.Tests.Updates;

public sealed class PackageArchiveTests
{
    private static MemoryStream Zip(byte[] manifestEntry)
    {
        var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var stream = zip.CreateEntry(PackageArchive.ManifestEntry, CompressionLevel.NoCompression).Open())
                stream.Write(manifestEntry);
            using (var stream = zip.CreateEntry(PackageArchive.PayloadEntry, CompressionLevel.NoCompression).Open())
                stream.Write("image"u8);
        }
        buffer.Position = 0;
        return buffer;
    }

    [Fact]
    public async Task A_manifest_entry_whose_field_claims_more_bytes_than_it_holds_is_refused_with_a_reason()
    {
        // Found by fuzzing: field 1 (the manifest's bytes) claims 177,583 bytes and carries 3. protobuf-net reports
        // that as an InvalidOperationException, which the reader let through to the upload endpoint and fwtool.
        using var package = Zip([0x0A, 0xAF, 0xEB, 0x0A, 0x01, 0x02, 0x03]);

        var (manifest, error) = await PackageArchive.ReadManifestAsync(package, TestContext.Current.CancellationToken);

        Assert.Null(manifest);
        Assert.StartsWith($"{PackageArchive.ManifestEntry} does not decode", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_package_as_written_reads_back()
    {
        var signed = new SignedManifest { Manifest = [1, 2, 3], Signatures = [new ManifestSignature { KeyId = "k", Algorithm = SignatureAlgorithm.EcdsaP256Sha256, Signature = new byte[64] }] };
        using var package = new MemoryStream();
        await PackageArchive.WriteAsync(package, signed, new MemoryStream("image"u8.ToArray()), null, TestContext.Current.CancellationToken);
        package.Position = 0;

        var (manifest, error) = await PackageArchive.ReadManifestAsync(package, TestContext.Current.CancellationToken);

        Assert.Null(error);
        Assert.Equal(signed.Manifest, manifest!.Manifest);
        Assert.Equal("k", manifest.Signatures.Single().KeyId);
    }
}
