using System.ComponentModel.DataAnnotations;
using System.Runtime.Serialization;
using Diagnostics.Cloud.Storage;

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

    /// <summary>How many sessions an agent holds at once unless a supervisor sets their own limit.</summary>
    [Range(1, 50)]
    public int DefaultMaxSessionsPerAgent { get; set; } = 5;

    /// <summary>The largest picture a chat takes; a larger one is refused with this limit in the answer.</summary>
    [Range(1024, 50 * 1024 * 1024)]
    public int MaxImageBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>
    /// How much waiting one step of severity is worth in the queue: an error waits this much less than a warning.
    /// Waiting always counts, so nobody waits for ever behind a stream of more severe sessions.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan SeverityHeadStart { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A conversation with the assistant that nobody wrote in for this long ends, unresolved (the customer left).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan BotIdleTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the fix cards of open sessions are looked at besides when their device changes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan FixCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Where a session is: with the bot, waiting for a person, with a person, or over.</summary>
public enum SessionState
{
    Bot,
    Queued,
    Assigned,
    Closed,
}

/// <summary>Who or what ended a session well, or that nobody did.</summary>
public enum SessionResolution
{
    /// <summary>The bot's answer (steps or an automated fix) solved it: no person was needed.</summary>
    Bot,
    Agent,
    /// <summary>The customer left it, or it was closed without a solution.</summary>
    Unresolved,
}

public enum MessageKind
{
    Text,
    /// <summary>A picture (body: JSON with its id, type and size; the bytes are read from the image endpoint).</summary>
    Image,
    /// <summary>The device's status when it was posted: state, conditions, supplies (JSON body).</summary>
    DeviceStatus,
    /// <summary>A knowledge-base article shown as steps (JSON body).</summary>
    Article,
    /// <summary>A fix the device can run, with Approve for the customer: a fix-loop proposal (JSON body with its id).</summary>
    Fix,
    /// <summary>An update offered to the device, with its state (JSON body with the rollout).</summary>
    Update,
    /// <summary>What solved it, for the customer to keep (JSON body).</summary>
    Solution,
    /// <summary>The customer's rating of the help (JSON body).</summary>
    Rating,
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

/// <summary>What a session was about, chosen by the agent who closes it (the bot picks from the article's tags).</summary>
public static class SessionCategories
{
    public static readonly IReadOnlyList<string> All =
    [
        "Paper handling", "Print quality", "Supplies", "Connectivity", "Hardware fault", "Firmware and updates", "Setup and use", "Other",
    ];
}

/// <summary>A conversation as stored. Not sealed: <see cref="SupportSessionForReader"/> adds what an API reader reads beside it.</summary>
public record SupportSession(
    string Id,
    string CustomerId,
    string CustomerName,
    string? DeviceId,
    SessionState State,
    string? AgentId,
    string? AgentName,
    string OpenedBy,
    DateTimeOffset OpenedAt,
    int Priority,
    string? HandoverReason,
    DateTimeOffset? QueuedAt,
    DateTimeOffset? AssignedAt,
    DateTimeOffset? FirstResponseAt,
    DateTimeOffset? ClosedAt,
    SessionResolution? Resolution,
    string? Category,
    string? Summary,
    string? Solution,
    int? Rating,
    string? RatingComment,
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

/// <summary>A staff member as the queue sees them: taking sessions or not, their limit and how many they hold.</summary>
public sealed record SupportAgent(string AgentId, string Name, bool Available, int MaxSessions, int OpenSessions);

/// <summary>A reply agents keep, in one language; <see cref="Topic"/> links one reply's languages (null: written once).</summary>
public sealed record CannedReply(string Id, string Title, string Body, string CreatedBy, DateTimeOffset CreatedAt, string Language = "en", string? Topic = null);

/// <summary>A stored picture of a chat.</summary>
public sealed record SupportImage(string Id, string SessionId, string ContentType, long Bytes, string Sha256, byte[] Content);

/// <summary>The supervisor's figures over sessions that ended in a period.</summary>
public sealed record SupportFigures(
    DateTimeOffset From,
    DateTimeOffset To,
    int Closed,
    int ResolvedByBot,
    double? BotResolutionRate,
    int ReachedAPerson,
    TimeSpan? FirstResponseMedian,
    TimeSpan? FirstResponseP90,
    TimeSpan? HandleTimeMedian,
    TimeSpan? HandleTimeMean,
    int Rated,
    double? SatisfactionMean,
    IReadOnlyList<int> RatingCounts,
    int Reviewed,
    double? ReviewScoreMean,
    IReadOnlyList<AgentFigures> Agents,
    int OpenNow,
    int QueuedNow);

public sealed record AgentFigures(string AgentId, string Name, int Handled, TimeSpan? HandleTimeMedian, double? SatisfactionMean, int Reviewed, double? ReviewScoreMean);

/// <summary>
/// A supervisor's quality review of a closed conversation: a score from 1 to 5 and what the agent should hear. The
/// agent is the one who held the conversation when it closed; none when the assistant handled it alone.
/// </summary>
public sealed record SessionReview(
    string SessionId,
    string? AgentId,
    string? AgentName,
    string ReviewerId,
    string ReviewerName,
    int Score,
    string? Comment,
    DateTimeOffset ReviewedAt,
    string? Rubric = null)
{
    /// <summary>The rubric's criteria the reviewer found met (<see cref="ReviewRubric"/> keys).</summary>
    public IReadOnlyList<string> Met => ReviewRubric.Parse(Rubric);
}

/// <summary>
/// What a supervisor checks in a conversation, one criterion each, so a score says why: the same questions for every
/// review make reviews comparable between agents and over time. Stored as the keys of the criteria met.
/// </summary>
public static class ReviewRubric
{
    public const string Greeted = "greeted";
    public const string Understood = "understood";
    public const string RightFix = "right-fix";
    public const string PlainWords = "plain-words";
    public const string Confirmed = "confirmed";

    /// <summary>Every criterion, in the order a conversation goes.</summary>
    public static readonly IReadOnlyList<string> All = [Greeted, Understood, RightFix, PlainWords, Confirmed];

    public static IReadOnlyList<string> Parse(string? stored) =>
        string.IsNullOrEmpty(stored) ? [] : [.. stored.Split(',').Where(All.Contains)];

    /// <summary>The stored form of the criteria met (known ones only, in rubric order), or why it cannot be stored.</summary>
    public static bool TryFormat(IReadOnlyCollection<string>? met, out string? stored, out string? error)
    {
        stored = null;
        error = null;
        if (met is null || met.Count == 0)
            return true;
        if (met.FirstOrDefault(m => !All.Contains(m)) is { } unknown)
        {
            error = SupportExplanations.Text("NotACriterion", unknown, string.Join(", ", All));
            return false;
        }
        stored = string.Join(',', All.Where(met.Contains));
        return true;
    }
}

public static class SupportStates
{
    public static string ToStorage(this SessionState state) => StorageMapping.ToStorage(state);

    public static string ToStorage(this SessionResolution resolution) => StorageMapping.ToStorage(resolution);

    public static string ToStorage(this MessageKind kind) => StorageMapping.ToStorage(kind);

    public static MessageKind ParseKind(string value) => StorageMapping.FromStorage<MessageKind>(value);
}
