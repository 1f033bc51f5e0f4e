using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Fixes;

/// <summary>
/// A proposal's next state with the note that explains it, the audit action it is recorded as, and what it says of the
/// article's fix: true verified, false failed, null neither.
/// </summary>
public sealed record FixMove(FixState State, string Note, string AuditAction, bool? Outcome);

/// <summary>
/// What the fix loop decides, pure so the rules can be tested alone: when an open proposal closes by the clock or by the
/// device's newest status, and what a command's result means. <see cref="FixWorkflow"/> reads the rows, asks these, and
/// records the answer with its audit record.
/// </summary>
public static class FixDecisions
{
    /// <summary>How an open proposal moves on by the clock and the device's status now, or null when it stays as it is.</summary>
    /// <param name="device">The device's newest status; null, or without a status sequence, when it has stored none.</param>
    public static FixMove? ByClock(FixProposal proposal, DeviceProblems? device, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        // Nothing is known to be gone before the device stored a status.
        var conditions = device?.StatusSequence is null ? null : device.Active;
        return proposal.State switch
        {
            // Only a status sent after the problem was raised can say it went away: one from before still shows the
            // device as it was then.
            FixState.Proposed when device?.StatusSequence > proposal.EventSequence && !IsActive(device.Active, proposal) =>
                new FixMove(FixState.Obsolete, FixNotes.Write("Obsolete"), "fix.obsolete", null),
            FixState.Proposed when proposal.ExpiresAt <= now =>
                new FixMove(FixState.Expired, FixNotes.Write("Expired"), "fix.expired", null),
            FixState.Sent when proposal.CommandExpiresAt <= now =>
                new FixMove(FixState.Expired, FixNotes.Write("CommandExpired"), "command.expired", null),
            FixState.Verifying when conditions is not null && proposal.VerifyClears is { } clears && !conditions.Contains(clears) =>
                new FixMove(FixState.Verified, FixNotes.Write("Cleared", clears), "fix.verified", true),
            FixState.Verifying when proposal.VerifyDeadline <= now =>
                new FixMove(FixState.Failed, FixNotes.Write("NotCleared", proposal.VerifyClears, proposal.VerifyWithin), "fix.failed", false),
            _ => null,
        };
    }

    /// <summary>
    /// What the device's result for a sent proposal's command means: a success with a condition to watch is verified
    /// only once it clears; a refusal or a late arrival says nothing of the article's fix.
    /// </summary>
    public static FixMove OfResult(FixProposal proposal, CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(result);
        return result.Outcome switch
        {
            CommandOutcome.Succeeded when proposal.VerifyClears is null => new FixMove(FixState.Verified, FixNotes.Write("Ran", proposal.Command, result.Detail), "command.result", true),
            CommandOutcome.Succeeded => new FixMove(FixState.Verifying, FixNotes.Write("RanWaiting", proposal.Command, proposal.VerifyClears), "command.result", null),
            CommandOutcome.Failed => new FixMove(FixState.Failed, FixNotes.Write("CouldNotRun", proposal.Command, result.Detail), "command.result", false),
            CommandOutcome.Expired => new FixMove(FixState.Expired, FixNotes.Write("TooLate", result.Detail), "command.result", null),
            _ => new FixMove(FixState.Failed, FixNotes.Write("Refused", proposal.Command, result.Detail), "command.result", null),
        };
    }

    /// <summary>Whether the proposal's problem is still among <paramref name="active"/> (conditions and codes); a request from support has no problem to go away.</summary>
    public static bool IsActive(IReadOnlySet<string> active, FixProposal proposal)
    {
        ArgumentNullException.ThrowIfNull(active);
        ArgumentNullException.ThrowIfNull(proposal);
        return FixWorkflow.IsSupportRequest(proposal.Code) || (proposal.Condition.Length > 0 && active.Contains(proposal.Condition)) || active.Contains(proposal.Code);
    }
}
