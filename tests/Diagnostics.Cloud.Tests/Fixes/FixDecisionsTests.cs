using Diagnostics.Cloud.Fixes;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Fixes;

public sealed class FixDecisionsTests
{
    private static readonly DateTimeOffset Raised = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static FixProposal Proposal(FixState state, string? verifyClears = "paper-jam", DateTimeOffset? commandExpiresAt = null, DateTimeOffset? verifyDeadline = null) => new(
        Id: "fix-1", DeviceId: "printer-1", Code: "E-101", Condition: "paper-jam", Severity: Severity.Error, Message: "Paper jam",
        EventSequence: 40, Attempt: 1, ArticleId: "kb-jam", ArticleVersion: 2, ArticleTitle: "Clear the paper path", Command: "clear-paper-path",
        Action: ConsentAction.Maintenance, Parameters: new Dictionary<string, string>(), Describe: null, VerifyClears: verifyClears,
        VerifyWithin: TimeSpan.FromMinutes(10), Reasons: [], State: state, Note: "", CreatedAt: Raised, ExpiresAt: Raised.AddDays(1),
        DecidedAt: null, DecidedBy: null, ConsentId: null, CommandId: "cmd-1", SentAt: null, CommandExpiresAt: commandExpiresAt,
        ResultOutcome: null, ResultDetail: null, ResultAt: null, VerifyDeadline: verifyDeadline, FinishedAt: null);

    private static DeviceProblems Status(ulong sequence, params string[] active) => new("LP400", "2.2.0", sequence, new HashSet<string>(active));

    [Fact]
    public void A_problem_gone_in_a_status_sent_after_it_was_raised_makes_its_proposal_obsolete()
    {
        Assert.Equal(FixState.Obsolete, FixDecisions.ByClock(Proposal(FixState.Proposed), Status(41), Raised)?.State);
        Assert.Null(FixDecisions.ByClock(Proposal(FixState.Proposed), Status(41, "paper-jam"), Raised));
        Assert.Null(FixDecisions.ByClock(Proposal(FixState.Proposed), Status(41, "E-101"), Raised));
    }

    [Fact]
    public void A_status_from_before_the_problem_was_raised_cannot_say_it_went_away()
    {
        Assert.Null(FixDecisions.ByClock(Proposal(FixState.Proposed), Status(39), Raised));
        Assert.Null(FixDecisions.ByClock(Proposal(FixState.Proposed), new DeviceProblems("LP400", "2.2.0", null, new HashSet<string>()), Raised));
    }

    [Fact]
    public void A_proposal_nobody_decided_expires_at_its_deadline()
    {
        Assert.Null(FixDecisions.ByClock(Proposal(FixState.Proposed), null, Raised.AddDays(1).AddSeconds(-1)));
        Assert.Equal(new FixMove(FixState.Expired, "Nobody decided in time.", "fix.expired", null), FixDecisions.ByClock(Proposal(FixState.Proposed), null, Raised.AddDays(1)));
    }

    [Fact]
    public void A_command_the_device_did_not_take_before_it_expired_expires_the_fix()
    {
        var sent = Proposal(FixState.Sent, commandExpiresAt: Raised.AddHours(1));

        Assert.Null(FixDecisions.ByClock(sent, Status(41), Raised.AddMinutes(59)));
        Assert.Equal(("command.expired", FixState.Expired), (FixDecisions.ByClock(sent, Status(41), Raised.AddHours(1))?.AuditAction, FixDecisions.ByClock(sent, Status(41), Raised.AddHours(1))?.State));
    }

    [Fact]
    public void A_fix_is_verified_when_its_condition_clears_and_failed_when_it_has_not_by_the_deadline()
    {
        var verifying = Proposal(FixState.Verifying, verifyDeadline: Raised.AddMinutes(10));

        Assert.Equal(new FixMove(FixState.Verified, "paper-jam cleared after the fix.", "fix.verified", true), FixDecisions.ByClock(verifying, Status(42), Raised.AddMinutes(1)));
        Assert.Null(FixDecisions.ByClock(verifying, Status(42, "paper-jam"), Raised.AddMinutes(9)));
        Assert.Equal(new FixMove(FixState.Failed, "paper-jam did not clear within 00:10:00.", "fix.failed", false), FixDecisions.ByClock(verifying, Status(42, "paper-jam"), Raised.AddMinutes(10)));
    }

    [Theory]
    [InlineData(CommandOutcome.Succeeded, null, FixState.Verified, true)]
    [InlineData(CommandOutcome.Succeeded, "paper-jam", FixState.Verifying, null)]
    [InlineData(CommandOutcome.Failed, "paper-jam", FixState.Failed, false)]
    [InlineData(CommandOutcome.Expired, "paper-jam", FixState.Expired, null)]
    [InlineData(CommandOutcome.Refused, "paper-jam", FixState.Failed, null)]
    public void A_command_result_moves_the_fix_and_counts_for_the_article_only_when_the_fix_itself_ran(
        CommandOutcome outcome, string? verifyClears, FixState state, bool? counts)
    {
        var move = FixDecisions.OfResult(Proposal(FixState.Sent, verifyClears), new CommandResult { CommandId = "cmd-1", Outcome = outcome, Detail = "done" });

        Assert.Equal((state, counts, "command.result"), (move.State, move.Outcome, move.AuditAction));
    }

    [Fact]
    public void A_request_from_support_has_no_problem_to_go_away()
    {
        var request = Proposal(FixState.Proposed) with { Code = FixWorkflow.DiagnosticsRequestCode, Condition = "" };

        Assert.True(FixDecisions.IsActive(new HashSet<string>(), request));
        Assert.Null(FixDecisions.ByClock(request, Status(41), Raised));
    }
}
