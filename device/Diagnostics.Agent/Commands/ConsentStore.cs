using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Commands;

/// <summary>
/// The newest <see cref="ConsentSet"/> received, kept in <c>{dataDirectory}/consent-set.pb</c> (its wire encoding) so a
/// revocation survives a restart: the device must not run a command on a consent it once learnt was revoked just
/// because it restarted before the broker re-delivered the set. An older or equally old set changes nothing (the broker
/// re-delivers the retained set on every connect).
/// </summary>
public sealed class ConsentStore
{
    public const string FileName = "consent-set.pb";

    private readonly string _path;
    private readonly Lock _lock = new();
    private ConsentSet? _latest;

    private ConsentStore(string path, ConsentSet? latest)
    {
        _path = path;
        _latest = latest;
    }

    /// <summary>The newest set received, or null when none ever was. Never mutated once stored.</summary>
    public ConsentSet? Latest
    {
        get
        {
            lock (_lock)
                return _latest;
        }
    }

    /// <summary>Opens the store; a file that cannot be read is moved aside (<c>.unreadable</c>) and <paramref name="problem"/> says why.</summary>
    public static ConsentStore Open(string dataDirectory, out string? problem)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        problem = null;
        ConsentSet? latest = null;
        if (File.Exists(path))
        {
            var decoded = WireCodec.Decode<ConsentSet>(File.ReadAllBytes(path), DownlinkPayloads.MaxConsentSetBytes);
            if (decoded.IsSuccess)
            {
                latest = decoded.Value;
            }
            else
            {
                problem = $"{decoded.Error}: {decoded.Detail}";
                File.Move(path, path + ".unreadable", overwrite: true);
            }
        }
        return new ConsentStore(path, latest);
    }

    /// <summary>Keeps <paramref name="set"/> when it is newer than the one held (saved before this returns); false when it is not.</summary>
    public async Task<bool> TryApplyAsync(ConsentSet set, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(set);
        lock (_lock)
        {
            if (_latest is { } current && set.IssuedUnixMs <= current.IssuedUnixMs)
                return false;
        }
        var temporary = _path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await file.WriteAsync(WireCodec.Encode(set), cancellationToken);
            file.Flush(flushToDisk: true);
        }
        lock (_lock)
        {
            // Two sets racing in: the newer one wins, on disk and in memory.
            if (_latest is { } current && set.IssuedUnixMs <= current.IssuedUnixMs)
            {
                File.Delete(temporary);
                return false;
            }
            File.Move(temporary, _path, overwrite: true);
            _latest = set;
        }
        return true;
    }
}
