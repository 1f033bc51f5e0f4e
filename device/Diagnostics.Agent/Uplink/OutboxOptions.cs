namespace Diagnostics.Agent.Uplink;

/// <summary>How the durable outbox stores messages until the cloud acknowledges them.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>Most messages kept; beyond it the overflow policy discards (heartbeats, then statuses, then events).</summary>
    public int MaxMessages { get; set; } = 100_000;

    public OutboxDurability Durability { get; set; } = OutboxDurability.Full;

    /// <summary>
    /// The outbox file is this process's alone while it runs (SQLite <c>locking_mode=EXCLUSIVE</c>): the WAL index lives in
    /// the process's memory, not in a shared <c>-shm</c> file, so each outbox holds two open files instead of three. The
    /// fleet simulator sets it (10,000 outboxes in a few processes); nothing else may open the file until the process ends.
    /// </summary>
    public bool ExclusiveFile { get; set; }

    public IEnumerable<string> Validate()
    {
        if (MaxMessages < 1)
            yield return $"{Section}:MaxMessages must be 1 or more (was {MaxMessages}).";
        if (!Enum.IsDefined(Durability))
            yield return $"{Section}:Durability must be Full or ProcessCrash (was {Durability}).";
    }
}

/// <summary>What a committed enqueue survives.</summary>
public enum OutboxDurability
{
    /// <summary>synchronous=FULL: survives power loss. The default for real devices.</summary>
    Full = 0,

    /// <summary>synchronous=NORMAL in WAL mode: survives a killed process, not a power cut. Used by the simulator.</summary>
    ProcessCrash = 1,
}
