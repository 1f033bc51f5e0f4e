using System.IO.Compression;

using Diagnostics.FirmwareTools.CommandLine;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.FirmwareTools.Packages;

/// <summary>A <c>.dxpkg</c> on disk as the commands read it: the signed manifest, what it claims (not yet verified), the payload's size.</summary>
public sealed record PackageFile(string Path, SignedManifest SignedManifest, UpdateManifest? Claimed, string? DecodeError, long PayloadLength)
{
    public static async Task<PackageFile> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var (signed, error) = await PackageArchive.ReadManifestAsync(stream, cancellationToken);
        if (signed is null)
            throw CommandFailedException.Refused($"refused: {path} is not a package: {error}");
        stream.Position = 0;
        var (archive, payload, length) = await PackageArchive.OpenPayloadAsync(stream, cancellationToken);
        await payload.DisposeAsync();
        await archive.DisposeAsync();
        var claimed = PackageArchive.TryDecodeUnverified(signed, out var decodeError);
        return new PackageFile(path, signed, claimed, decodeError, length);
    }

    /// <summary>The claimed manifest if it follows every manifest rule; otherwise the command stops with the rule it breaks.</summary>
    public UpdateManifest RequireValidManifest()
    {
        if (Claimed is null)
            throw CommandFailedException.Refused($"refused: {Path}: {DecodeError}");
        if (ManifestChecks.DescribeProblem(Claimed) is { } problem)
            throw CommandFailedException.Refused($"refused: {Path}: {problem}");
        return Claimed;
    }

    /// <summary>Opens the payload for one forward read; dispose the archive after the stream.</summary>
    public static async Task<(Stream File, ZipArchive Archive, Stream Payload, long Length)> OpenPayloadAsync(string path, CancellationToken cancellationToken)
    {
        var file = File.OpenRead(path);
        try
        {
            var (archive, payload, length) = await PackageArchive.OpenPayloadAsync(file, cancellationToken);
            return (file, archive, payload, length);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    /// <summary>The whole payload in memory (delta computation needs it all), with progress.</summary>
    public static async Task<byte[]> ReadPayloadAsync(string path, ProgressBar? progress, CancellationToken cancellationToken)
    {
        var (file, archive, payload, length) = await OpenPayloadAsync(path, cancellationToken);
        await using (file)
        await using (archive)
        await using (payload)
        {
            if (length > BinaryDelta.MaxImageBytes)
                throw CommandFailedException.Refused($"refused: {path}'s payload is {length} bytes; deltas are made for images up to {BinaryDelta.MaxImageBytes} bytes");
            var bytes = new byte[length];
            await new ProgressStream(payload, progress).ReadExactlyAsync(bytes, cancellationToken);
            return bytes;
        }
    }

    /// <summary>Writes a package to <paramref name="path"/> through a temporary file beside it, so a reader never sees half a package.</summary>
    public static async Task WriteAtomicallyAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var fullPath = System.IO.Path.GetFullPath(path);
        var temporary = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(fullPath)!, $".{System.IO.Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await write(stream);
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
