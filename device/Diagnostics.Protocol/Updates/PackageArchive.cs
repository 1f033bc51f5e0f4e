using System.IO.Compression;
using ProtoBuf;

namespace Diagnostics.Protocol.Updates;

/// <summary>
/// The package file (<c>.dxpkg</c>): a zip holding <c>manifest.pb</c> (a <see cref="SignedManifest"/>, with no
/// signatures until it is signedManifest) and <c>payload.bin</c> (stored uncompressed, so its bytes are read as they are).
/// A zip so that any tool can list it; the manifest's own hashes, not the zip's, are what devices trust.
/// </summary>
public static class PackageArchive
{
    public const string Extension = ".dxpkg";
    public const string ManifestEntry = "manifest.pb";
    public const string PayloadEntry = "payload.bin";

    /// <summary>Writes a package: the manifest and the payload copied from <paramref name="payload"/>.</summary>
    public static async Task WriteAsync(Stream destination, SignedManifest manifest, Stream payload, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(payload);
        await using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        var manifestEntry = zip.CreateEntry(ManifestEntry, CompressionLevel.NoCompression);
        await using (var stream = await manifestEntry.OpenAsync(cancellationToken))
            ProtocolModel.Instance.Serialize(stream, manifest);
        var payloadEntry = zip.CreateEntry(PayloadEntry, CompressionLevel.NoCompression);
        await using var target = await payloadEntry.OpenAsync(cancellationToken);
        var buffer = new byte[1 << 16];
        long copied = 0;
        int read;
        while ((read = await payload.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            copied += read;
            progress?.Report(copied);
        }
    }

    /// <summary>Reads the manifest of a package, or explains why the file is not a package.</summary>
    public static async Task<(SignedManifest? Manifest, string? Error)> ReadManifestAsync(Stream package, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(package);
        try
        {
            await using var zip = new ZipArchive(package, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.GetEntry(ManifestEntry) is not { } entry)
                return (null, $"the package has no {ManifestEntry}");
            if (entry.Length is 0 or > ManifestChecks.MaxManifestBytes + 4096)
                return (null, $"{ManifestEntry} is {entry.Length} bytes; a manifest is at most {ManifestChecks.MaxManifestBytes}");
            if (zip.GetEntry(PayloadEntry) is null)
                return (null, $"the package has no {PayloadEntry}");
            await using var stream = await entry.OpenAsync(cancellationToken);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            var decoded = WireCodec.Decode<SignedManifest>(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ManifestChecks.MaxManifestBytes + 4096);
            return decoded.IsSuccess ? (decoded.Value, null) : (null, $"{ManifestEntry} does not decode: {decoded.Detail}");
        }
        catch (InvalidDataException exception)
        {
            return (null, $"not a package (a {Extension} is a zip archive): {exception.Message}");
        }
    }

    /// <summary>Opens the payload of a package for reading; dispose the returned archive after the stream.</summary>
    /// <exception cref="InvalidDataException">Not a zip, no payload, a payload not stored as it is, or (while reading) damaged.</exception>
    public static async Task<(ZipArchive Archive, Stream Payload, long Length)> OpenPayloadAsync(Stream package, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(package);
        var zip = new ZipArchive(package, ZipArchiveMode.Read, leaveOpen: true);
        var entry = zip.GetEntry(PayloadEntry);
        if (entry is null)
        {
            await zip.DisposeAsync();
            throw new InvalidDataException($"the package has no {PayloadEntry}");
        }
        // Stored as it is, the payload is at most the package's size; a deflated one can expand a thousandfold before
        // its size is checked against the manifest (200 KB of package held 200 MB of payload).
        if (entry.CompressedLength != entry.Length)
        {
            await zip.DisposeAsync();
            throw new InvalidDataException($"{PayloadEntry} is compressed ({entry.CompressedLength} bytes for {entry.Length}); a package stores it as it is");
        }
        return (zip, await entry.OpenAsync(cancellationToken), entry.Length);
    }

    /// <summary>Decodes a manifest's bytes without checking any signature: for showing what an unsigned or untrusted package claims.</summary>
    public static UpdateManifest? TryDecodeUnverified(SignedManifest signedManifest, out string? error)
    {
        ArgumentNullException.ThrowIfNull(signedManifest);
        var decoded = WireCodec.Decode<UpdateManifest>(signedManifest.Manifest, ManifestChecks.MaxManifestBytes);
        error = decoded.IsSuccess ? null : $"the manifest does not decode: {decoded.Detail}";
        return decoded.Value;
    }
}
