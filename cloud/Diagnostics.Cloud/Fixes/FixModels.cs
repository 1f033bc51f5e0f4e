using System.ComponentModel.DataAnnotations;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Fixes;

/// <summary>Where a fix proposal is in its life. Open states lead to a closed one; closed states never change.</summary>
public enum FixState
{
    /// <summary>The knowledge base has no article for the problem: shown, so an agent knows to write one or call.</summary>
    NoMatch,
    /// <summary>An article with customer steps only: nothing for the device to run; the customer follows the steps.</summary>
    Advice,
    /// <summary>Waiting for the customer to approve or decline the automated fix.</summary>
    Proposed,
    /// <summary>Approved (by the customer or a standing policy); the command is on its way or running.</summary>
    Sent,
    /// <summary>The device ran it; the cloud waits for the condition to clear.</summary>
    Verifying,
    Verified,
    Failed,
    Declined,
    /// <summary>Nobody decided in time, or the device did not run the command before it expired.</summary>
    Expired,
    /// <summary>The problem went away before anything was done.</summary>
    Obsolete,
}

public static class FixStates
{
    public static bool IsOpen(this FixState state) => state is FixState.Proposed or FixState.Sent or FixState.Verifying;

    public static string ToStorage(this FixState state) => StorageMapping.ToStorage(state);

    public static FixState Parse(string value) => StorageMapping.FromStorage<FixState>(value);
}

/// <summary>One proposal to fix one problem on one device with one article (the next article is a new proposal).</summary>
public sealed record FixProposal(
    string Id,
    string DeviceId,
    string Code,
    string Condition,
    Severity Severity,
    string Message,
    ulong EventSequence,
    int Attempt,
    string? ArticleId,
    int? ArticleVersion,
    string? ArticleTitle,
    string? Command,
    ConsentAction? Action,
    IReadOnlyDictionary<string, string> Parameters,
    string? Describe,
    string? VerifyClears,
    TimeSpan? VerifyWithin,
    IReadOnlyList<string> Reasons,
    FixState State,
    string Note,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? DecidedAt,
    string? DecidedBy,
    string? ConsentId,
    string? CommandId,
    DateTimeOffset? SentAt,
    DateTimeOffset? CommandExpiresAt,
    CommandOutcome? ResultOutcome,
    string? ResultDetail,
    DateTimeOffset? ResultAt,
    DateTimeOffset? VerifyDeadline,
    DateTimeOffset? FinishedAt);

/// <summary>A standing consent: an action the device may take without asking, until it expires or is revoked.</summary>
public sealed record ConsentPolicy(
    string Id,
    string DeviceId,
    ConsentAction Action,
    string GrantedBy,
    DateTimeOffset GrantedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? RevokedBy)
{
    public bool IsInForce(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;
}

public sealed class FixOptions
{
    public const string SectionName = "Fixes";

    /// <summary>How long a proposal waits for the customer's decision.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan ProposalLifetime { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long an approved command may wait for the device (offline devices get it on reconnect until then).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan CommandLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a device that took a command has to report its result before the fix counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan ResultTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the loop looks at deadlines when nothing else wakes it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest standing consent a customer can give.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "366.00:00:00")]
    public TimeSpan MaxPolicyDuration { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How many articles are tried, one after another, for one problem before suggesting a session.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 3;
}
