using System.Text.Json;
using System.Text.Json.Serialization;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Commands;

/// <summary>One command the device has seen: started (no outcome yet) or finished with its result.</summary>
public sealed record CommandJournalEntry(
    string CommandId, string Name, long RecordedUnixMs, CommandOutcome? Outcome, string Detail, long StartedUnixMs, long FinishedUnixMs)
{
    [JsonIgnore]
    public bool IsFinished => Outcome is not null;

    public CommandResult ToResult() => new()
    {
        CommandId = CommandId,
        Name = Name,
        Outcome = Outcome ?? CommandOutcome.Unspecified,
        Detail = Detail,
        StartedUnixMs = StartedUnixMs,
        FinishedUnixMs = FinishedUnixMs,
    };
}

/// <summary>
/// The command ids this device has seen, with their results, in <c>{dataDirectory}/command-journal.json</c>: what makes a
/// command run at most once across broker re-deliveries, the cloud's re-sends and agent restarts. A command is recorded
/// as started before its action runs and as finished before its result is enqueued, so a crash in between is seen on
/// the next delivery and the command is not run again. Every change rewrites the file atomically (temp file, flushed to
/// disk, renamed over the old one).
/// </summary>
/// <remarks>
/// Bounded: the latest <see cref="CommandOptions.JournalMaxEntries"/> ids are kept, and any younger than
/// <see cref="CommandOptions.JournalMaxAge"/> (the cloud re-sends a command only until it expires, minutes to hours),
/// but never more than <see cref="HardMaxEntries"/>. Not thread-safe: the executor runs one command at a time.
/// </remarks>
public sealed partial class CommandJournal
{
    public const string FileName = "command-journal.json";

    /// <summary>A cap even on young entries, so a cloud gone wild cannot make every write rewrite megabytes.</summary>
    public const int HardMaxEntries = 10_000;

    private readonly string _path;
    private readonly CommandOptions _options;
    private readonly TimeProvider _time;
    private readonly List<CommandJournalEntry> _entries;
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    private CommandJournal(string path, CommandOptions options, TimeProvider time, List<CommandJournalEntry> entries)
    {
        _path = path;
        _options = options;
        _time = time;
        _entries = entries;
        Reindex();
    }

    public string FilePath => _path;

    public int Count => _entries.Count;

    /// <summary>
    /// Opens the journal in <paramref name="dataDirectory"/>. A file that cannot be read is moved aside (kept as
    /// <c>.unreadable</c> for a person to look at) and the journal starts empty; <paramref name="problem"/> says why.
    /// </summary>
    public static CommandJournal Open(string dataDirectory, CommandOptions options, TimeProvider time, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        problem = null;
        var entries = new List<CommandJournalEntry>();
        if (File.Exists(path))
        {
            try
            {
                var stored = JsonSerializer.Deserialize(File.ReadAllBytes(path), CommandJournalJson.Default.JournalFile);
                entries = stored?.Entries?.Where(e => e is { CommandId.Length: > 0 }).ToList()
                    ?? throw new JsonException("The file holds no entries list.");
            }
            catch (JsonException ex)
            {
                problem = ex.Message;
                File.Move(path, path + ".unreadable", overwrite: true);
            }
        }
        return new CommandJournal(path, options, time, entries);
    }

    public CommandJournalEntry? Find(string commandId) =>
        _index.TryGetValue(commandId, out var at) ? _entries[at] : null;

    /// <summary>Records that the command's action is about to run; durable when this returns.</summary>
    public Task RecordStartedAsync(string commandId, string name, long startedUnixMs, CancellationToken cancellationToken) =>
        SaveAsync(new CommandJournalEntry(commandId, name, Now(), null, "", startedUnixMs, 0), cancellationToken);

    /// <summary>Records a command's result (replacing its started entry); durable when this returns.</summary>
    public Task RecordAsync(CommandResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        return SaveAsync(new CommandJournalEntry(result.CommandId, result.Name, Now(), result.Outcome, result.Detail, result.StartedUnixMs, result.FinishedUnixMs), cancellationToken);
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task SaveAsync(CommandJournalEntry entry, CancellationToken cancellationToken)
    {
        if (_index.TryGetValue(entry.CommandId, out var at))
            _entries.RemoveAt(at);
        _entries.Add(entry);
        Prune(entry.RecordedUnixMs);
        Reindex();
        await AtomicFile.WriteAsync(_path, (file, token) => JsonSerializer.SerializeAsync(file, new JournalFile(_entries), CommandJournalJson.Default.JournalFile, token), cancellationToken);
    }

    private void Prune(long nowUnixMs)
    {
        var oldestYoung = nowUnixMs - (long)_options.JournalMaxAge.TotalMilliseconds;
        var keepFrom = Math.Max(0, _entries.Count - _options.JournalMaxEntries);
        // Entries are in the order they were recorded: drop from the front what is neither recent by count nor by age.
        var drop = 0;
        while (drop < keepFrom && _entries[drop].RecordedUnixMs < oldestYoung)
            drop++;
        drop = Math.Max(drop, _entries.Count - HardMaxEntries);
        if (drop > 0)
            _entries.RemoveRange(0, drop);
    }

    private void Reindex()
    {
        _index.Clear();
        for (var i = 0; i < _entries.Count; i++)
            _index[_entries[i].CommandId] = i;
    }

    private sealed record JournalFile(List<CommandJournalEntry>? Entries);

    // Generated at compile time (the agent is published trimmed, with Native AOT); outcomes by name, as always.
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, WriteIndented = false)]
    [JsonSerializable(typeof(JournalFile))]
    private sealed partial class CommandJournalJson : JsonSerializerContext;
}
