namespace Diagnostics.Agent.Commands;

/// <summary>How the agent runs the cloud's commands. Bound from the <c>Commands</c> section.</summary>
public sealed class CommandOptions
{
    public const string Section = "Commands";

    /// <summary>The journal keeps at least this many of the latest command ids ...</summary>
    public int JournalMaxEntries { get; set; } = 500;

    /// <summary>... and every one younger than this, so a command re-sent within its life is never run twice.</summary>
    public TimeSpan JournalMaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A device action that takes longer is abandoned and reported Failed, so one hung printer cannot block the queue.</summary>
    public TimeSpan ActionTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public IEnumerable<string> Validate()
    {
        if (JournalMaxEntries is < 1 or > CommandJournal.HardMaxEntries)
            yield return $"{Section}:JournalMaxEntries must be between 1 and {CommandJournal.HardMaxEntries} (was {JournalMaxEntries}).";
        if (JournalMaxAge < TimeSpan.Zero || JournalMaxAge > TimeSpan.FromDays(365))
            yield return $"{Section}:JournalMaxAge must be between 0 and 365 days (was {JournalMaxAge}).";
        if (ActionTimeout <= TimeSpan.Zero || ActionTimeout > TimeSpan.FromHours(1))
            yield return $"{Section}:ActionTimeout must be above 0 and at most 1 hour (was {ActionTimeout}).";
    }
}
