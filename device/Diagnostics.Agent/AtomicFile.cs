namespace Diagnostics.Agent;

/// <summary>
/// Replaces a file so that after a crash or a power cut it holds the old content or the new, never a mix: the new
/// content goes to a temporary file beside it, is flushed to disk, and is renamed over the old one.
/// </summary>
public static class AtomicFile
{
    public static Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        WriteAsync(path, (stream, token) => stream.WriteAsync(content, token).AsTask(), cancellationToken);

    /// <summary>The same for a secret (a private key): readable and writable by the owner only, from the first byte.</summary>
    public static Task WriteSecretAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        WriteAsync(path, (stream, token) => stream.WriteAsync(content, token).AsTask(), cancellationToken, ownerOnly: true);

    /// <summary>Writes through <paramref name="write"/> into the temporary file, then makes it <paramref name="path"/>.</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken, bool ownerOnly = false)
    {
        ArgumentNullException.ThrowIfNull(write);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 81920, Options = FileOptions.Asynchronous,
        };
        if (ownerOnly && !OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            await using (var file = new FileStream(temporary, options))
            {
                await write(file, cancellationToken);
                // On disk before the rename: the rename must never publish bytes still in the page cache.
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
