using System.ComponentModel.DataAnnotations;

namespace Diagnostics.Cloud.Support;

public sealed class SupportOptions
{
    public const string SectionName = "Support";

    /// <summary>The longest text message; a longer one is refused, not cut.</summary>
    [Range(1, 100_000)]
    public int MaxTextLength { get; set; } = 4000;

    /// <summary>How long a client's "wait for the next message" may hold its request open.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most messages one read returns; a client that missed more reads again from the last it got.</summary>
    [Range(1, 10_000)]
    public int MaxMessagesPerRead { get; set; } = 500;
}

/// <summary>Where a session is: with the bot, waiting for a person, with a person, or over.</summary>
public enum SessionState
{
    Bot,
    Queued,
    Assigned,
    Closed,
}

public enum MessageKind
{
    Text,
    /// <summary>The device's status when it was posted: state, conditions, supplies (JSON body).</summary>
    DeviceStatus,
    /// <summary>Something the system says: the session opened, an agent joined, it closed.</summary>
    System,
}

public enum AuthorKind
{
    Customer,
    Agent,
    Bot,
    System,
}

public sealed record SupportSession(
    string Id,
    string CustomerId,
    string? DeviceId,
    SessionState State,
    string? AgentId,
    string OpenedBy,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ClosedAt,
    long LastSequence);

/// <summary>One message, with its place in the session. Internal notes are for agents only.</summary>
public sealed record SupportMessage(
    string SessionId,
    long Sequence,
    MessageKind Kind,
    AuthorKind AuthorKind,
    string AuthorId,
    string AuthorName,
    string Body,
    bool Internal,
    string? ClientId,
    DateTimeOffset At);

public static class SupportStates
{
    public static string ToStorage(this SessionState state) => state.ToString().ToLowerInvariant();

    public static string ToStorage(this MessageKind kind) => kind switch
    {
        MessageKind.DeviceStatus => "device-status",
        _ => kind.ToString().ToLowerInvariant(),
    };

    public static MessageKind ParseKind(string value) => value == "device-status" ? MessageKind.DeviceStatus : Enum.Parse<MessageKind>(value, ignoreCase: true);
}
