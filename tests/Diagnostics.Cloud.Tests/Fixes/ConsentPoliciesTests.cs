using Diagnostics.Cloud.Fixes;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Fixes;

/// <summary>The consents the device is sent, against the rules the device checks them by (<c>CommandChecks.CheckConsent</c>).</summary>
public sealed class ConsentPoliciesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static ConsentPolicy Policy(string id, ConsentAction action, DateTimeOffset expiresAt, DateTimeOffset? revokedAt = null) =>
        new(id, "printer-1", action, "owner@example.com", Now.AddDays(-1), expiresAt, revokedAt, revokedAt is null ? null : "owner@example.com");

    private static FixProposal Sent(string consentId) => new(
        Id: "fix-1", DeviceId: "printer-1", Code: "paper-jam", Condition: "paper-jam", Severity: Severity.Error, Message: "Paper jam",
        EventSequence: 7, Attempt: 1, ArticleId: "kb-jam", ArticleVersion: 2, ArticleTitle: "Clear the paper path", Command: "clear-paper-path",
        Action: ConsentAction.Maintenance, Parameters: new Dictionary<string, string>(), Describe: null, VerifyClears: "paper-jam",
        VerifyWithin: TimeSpan.FromMinutes(10), Reasons: [], State: FixState.Sent, Note: "", CreatedAt: Now.AddMinutes(-5), ExpiresAt: Now.AddDays(1),
        DecidedAt: Now, DecidedBy: "owner@example.com", ConsentId: consentId, CommandId: "cmd-1", SentAt: Now, CommandExpiresAt: Now.AddHours(1),
        ResultOutcome: null, ResultDetail: null, ResultAt: null, VerifyDeadline: null, FinishedAt: null);

    [Fact]
    public void The_set_sent_to_the_device_lists_only_the_standing_consents_neither_revoked_nor_expired()
    {
        var set = ConsentPolicies.SetInForce(
        [
            Policy("policy-in-force", ConsentAction.Maintenance, Now.AddDays(29)),
            Policy("policy-revoked", ConsentAction.Diagnostics, Now.AddDays(29), revokedAt: Now.AddHours(-1)),
            Policy("policy-expired", ConsentAction.Install, Now.AddDays(-1)),
            Policy("policy-expiring-now", ConsentAction.Install, Now),
        ], Now);

        Assert.Equal(Now.ToUnixTimeMilliseconds(), set.IssuedUnixMs);
        var grant = Assert.Single(set.Grants);
        Assert.Equal(("policy-in-force", ConsentAction.Maintenance, Now.AddDays(-1).ToUnixTimeMilliseconds(), Now.AddDays(29).ToUnixTimeMilliseconds(), "owner@example.com", ""),
            (grant.ConsentId, grant.Action, grant.GrantedUnixMs, grant.ExpiresUnixMs, grant.GrantedBy, grant.CommandId));
    }

    [Fact]
    public void A_one_time_approval_is_bound_to_its_command_and_lasts_as_long_as_the_command()
    {
        var grant = ConsentPolicies.GrantFor(Sent("approval-fix-1"), policy: null);

        Assert.Equal(("approval-fix-1", ConsentAction.Maintenance, "cmd-1", Now.ToUnixTimeMilliseconds(), Now.AddHours(1).ToUnixTimeMilliseconds(), "owner@example.com"),
            (grant.ConsentId, grant.Action, grant.CommandId, grant.GrantedUnixMs, grant.ExpiresUnixMs, grant.GrantedBy));
    }

    [Fact]
    public void A_command_sent_under_a_standing_consent_names_no_command_so_the_device_can_find_it_revoked()
    {
        var policy = Policy("policy-1", ConsentAction.Maintenance, Now.AddDays(29));

        var grant = ConsentPolicies.GrantFor(Sent("policy-1"), policy);

        Assert.Equal(("policy-1", "", Now.AddDays(-1).ToUnixTimeMilliseconds(), Now.AddDays(29).ToUnixTimeMilliseconds(), "owner@example.com"),
            (grant.ConsentId, grant.CommandId, grant.GrantedUnixMs, grant.ExpiresUnixMs, grant.GrantedBy));
    }
}
