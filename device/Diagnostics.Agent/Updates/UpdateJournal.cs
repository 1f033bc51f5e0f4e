using System.Text.Json;
using System.Text.Json.Serialization;
using Diagnostics.Protocol;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Updates;

/// <summary>Where the device is with one offer, as far as a restart needs to know.</summary>
public enum UpdateStage
{
    /// <summary>Accepted; waiting for its start time or for the device to be idle.</summary>
    Waiting = 0,
    Downloading = 1,
    Verifying = 2,
    /// <summary>Writing the image; the boot pointer may or may not have switched yet.</summary>
    Installing = 3,
    /// <summary>The new image is set to boot (on trial); the device is rebooting into it.</summary>
    Rebooting = 4,
    HealthCheck = 5,
    /// <summary>The new version failed; the device is going back to the old one.</summary>
    RollingBack = 6,
    /// <summary>Nothing left to do; <see cref="UpdateJournalEntry.LastReport"/> is the final answer.</summary>
    Finished = 7,
}

/// <summary>One offer the device has seen.</summary>
/// <param name="Offer">The offer's wire bytes while it is not finished, so a restart can carry on without the broker.</param>
/// <param name="LastReport">The last report sent (wire bytes): what a repeat of the offer is answered with.</param>
/// <param name="FromVersion">The version the device ran when it accepted the offer.</param>
/// <param name="ErrorsBefore">Error conditions active before the update: the health check looks for new ones only.</param>
/// <param name="TrialStartedUnixMs">When the new version was first booted; the health check's window counts from it.</param>
/// <param name="RollbackReason">Why the new version is being given up, while the device goes back to the old one.</param>
/// <param name="RollbackCause">The same reason coded (null in a journal an older agent wrote), so the rollback's report can carry it.</param>
public sealed record UpdateJournalEntry(
    string OfferId,
    string PackageId,
    string TargetVersion,
    UpdateStage Stage,
    byte[]? Offer,
    byte[]? LastReport,
    string FromVersion,
    IReadOnlyList<string> ErrorsBefore,
    long TrialStartedUnixMs,
    long RecordedUnixMs,
    string RollbackReason = "",
    UpdateDetail? RollbackCause = null)
{
    [JsonIgnore]
    public bool IsFinished => Stage == UpdateStage.Finished;

    public UpdateOffer? DecodeOffer() => Offer is null ? null : WireCodec.Decode<UpdateOffer>(Offer, DownlinkPayloads.MaxUpdateOfferBytes).Value;

    public UpdateReport? DecodeReport() => LastReport is null ? null : WireCodec.Decode<UpdateReport>(LastReport).Value;
}

/// <summary>
/// The offers this device has seen, in <c>{dataDirectory}/updates/journal.json</c> (rewritten atomically on every
/// change): what makes each offer id install at most once across the broker's re-deliveries of the retained offer and
/// agent restarts, and what tells a restarted agent where it was (downloading, installing, on trial, rolling back).
/// </summary>
public sealed partial class UpdateJournal : IDisposable
{
    public const string FileName = "journal.json";

    /// <summary>Offers are rare (a few a year); this many finished ones are plenty to recognise a re-delivered one.</summary>
    public const int MaxEntries = 100;

    private readonly string _path;
    private readonly List<UpdateJournalEntry> _entries;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _writing = new(1, 1);

    private UpdateJournal(string path, List<UpdateJournalEntry> entries)
    {
        _path = path;
        _entries = entries;
    }

    public string FilePath => _path;

    /// <summary>Opens the journal; a file that cannot be read is moved aside (<c>.unreadable</c>) and <paramref name="problem"/> says why.</summary>
    public static UpdateJournal Open(string directory, out string? problem)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        problem = null;
        var entries = new List<UpdateJournalEntry>();
        if (File.Exists(path))
        {
            try
            {
                entries = JsonSerializer.Deserialize(File.ReadAllBytes(path), UpdateJournalJson.Default.JournalFile)?.Entries?.Where(e => e is { OfferId.Length: > 0 }).ToList()
                    ?? throw new JsonException("The file holds no entries list.");
            }
            catch (JsonException ex)
            {
                problem = ex.Message;
                File.Move(path, path + ".unreadable", overwrite: true);
            }
        }
        return new UpdateJournal(path, entries);
    }

    public UpdateJournalEntry? Find(string offerId)
    {
        lock (_lock)
            return _entries.Find(e => e.OfferId == offerId);
    }

    /// <summary>The offer being worked on (at most one is), or null.</summary>
    public UpdateJournalEntry? Current
    {
        get
        {
            lock (_lock)
                return _entries.FindLast(e => !e.IsFinished);
        }
    }

    /// <summary>Records <paramref name="entry"/> (replacing the one with its offer id); durable when this returns.</summary>
    public async Task SaveAsync(UpdateJournalEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await _writing.WaitAsync(cancellationToken);
        try
        {
            byte[] content;
            lock (_lock)
            {
                _entries.RemoveAll(e => e.OfferId == entry.OfferId);
                _entries.Add(entry);
                // Finished entries go first when the journal is full; an unfinished one is never dropped.
                while (_entries.Count > MaxEntries && _entries.FindIndex(e => e.IsFinished) is >= 0 and var oldest)
                    _entries.RemoveAt(oldest);
                content = JsonSerializer.SerializeToUtf8Bytes(new JournalFile(_entries), UpdateJournalJson.Default.JournalFile);
            }
            await AtomicFile.WriteAsync(_path, content, cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    public void Dispose() => _writing.Dispose();

    private sealed record JournalFile(List<UpdateJournalEntry>? Entries);

    // Generated at compile time (the agent is published trimmed, with Native AOT); steps by name, as always.
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
    [JsonSerializable(typeof(JournalFile))]
    private sealed partial class UpdateJournalJson : JsonSerializerContext;
}
