using Diagnostics.Cloud.Messaging;
using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Fixes;

/// <summary>
/// Consent: the standing kind ("yes to maintenance on this printer for 30 days"), granted and revoked with their audit
/// records, the set in force sent retained to the device (which checks every command against it, offline too), and the
/// consent each command carries. What a grant approves is the <see cref="FixWorkflow"/>'s business.
/// </summary>
public sealed partial class ConsentPolicies(
    SqliteFixStore store,
    IDownlinkPublisher downlink,
    IOptions<FixOptions> options,
    TimeProvider time,
    CloudMetrics metrics,
    ILogger<ConsentPolicies> logger)
{
    /// <summary>How the ids of standing consents begin; a one-time approval's id begins otherwise.</summary>
    public const string IdPrefix = "policy-";

    /// <summary>Records a standing consent and sends the device its new set. Throws on an action or a duration the rules do not allow.</summary>
    public async Task<ConsentPolicy> GrantAsync(string deviceId, ConsentAction action, TimeSpan duration, string actor, CancellationToken cancellationToken)
    {
        if (action == ConsentAction.Unspecified || !Enum.IsDefined(action))
            throw new ArgumentOutOfRangeException(nameof(action), action, "Not a consent action.");
        var longest = options.Value.MaxPolicyDuration;
        if (duration <= TimeSpan.Zero || duration > longest)
            throw new ArgumentOutOfRangeException(nameof(duration), duration, $"A standing consent lasts up to {longest.TotalDays} days.");
        var now = time.GetUtcNow();
        var policy = new ConsentPolicy(IdPrefix + Guid.NewGuid().ToString("N"), deviceId, action, actor, now, now + duration, null, null);
        await store.WriteAsync(async work =>
        {
            await SqliteFixStore.InsertPolicyAsync(work, policy, cancellationToken);
            await work.AuditAsync(now, actor, "consent.granted", deviceId, policy.Id, new Dictionary<string, string?>
            {
                ["action"] = action.ToString().ToLowerInvariant(),
                ["expires"] = SqliteFixStore.Format(policy.ExpiresAt),
            }, cancellationToken);
            return true;
        }, cancellationToken);
        LogPolicy(deviceId, policy.Id, "granted", actor);
        await PublishAsync(deviceId, cancellationToken);
        return policy;
    }

    /// <summary>Revokes a standing consent of the device and sends the device its new set; false when there was none to revoke.</summary>
    public async Task<bool> RevokeAsync(string deviceId, string policyId, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var revoked = await store.WriteAsync(async work =>
        {
            if (!await SqliteFixStore.RevokePolicyAsync(work, deviceId, policyId, actor, now, cancellationToken))
                return false;
            await work.AuditAsync(now, actor, "consent.revoked", deviceId, policyId, new Dictionary<string, string?>(), cancellationToken);
            return true;
        }, cancellationToken);
        if (revoked)
        {
            LogPolicy(deviceId, policyId, "revoked", actor);
            await PublishAsync(deviceId, cancellationToken);
        }
        return revoked;
    }

    /// <summary>The device's standing consent for <paramref name="action"/> that holds now, if any.</summary>
    public async Task<ConsentPolicy?> InForceAsync(string deviceId, ConsentAction action, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return (await store.PoliciesAsync(deviceId, cancellationToken)).FirstOrDefault(p => p.Action == action && p.IsInForce(now));
    }

    /// <summary>The standing consent a proposal was approved under, or null for a one-time approval.</summary>
    public async Task<ConsentPolicy?> BehindAsync(FixProposal proposal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        return proposal.ConsentId is { } consentId && consentId.StartsWith(IdPrefix, StringComparison.Ordinal)
            ? (await store.PoliciesAsync(proposal.DeviceId, cancellationToken)).FirstOrDefault(p => p.Id == consentId)
            : null;
    }

    /// <summary>Sends the device its standing consents in force, retained: a consent missing from a newer set is revoked.</summary>
    public async Task PublishAsync(string deviceId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var set = SetInForce(await store.PoliciesAsync(deviceId, cancellationToken), now);
        try
        {
            await downlink.PublishAsync(Topics.Downlink(deviceId, Topics.ConsentKind), WireCodec.Encode(set), cancellationToken, retain: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.Error("fixes.publish");
            LogPublishFailed(ex, "consent set", deviceId);
        }
    }

    /// <summary>The consent set a device is sent at <paramref name="now"/>: its standing consents neither revoked nor expired.</summary>
    public static ConsentSet SetInForce(IEnumerable<ConsentPolicy> policies, DateTimeOffset now) => new()
    {
        IssuedUnixMs = now.ToUnixTimeMilliseconds(),
        Grants = [.. policies.Where(p => p.IsInForce(now)).Select(p => new ConsentGrant
        {
            ConsentId = p.Id,
            Action = p.Action,
            GrantedUnixMs = p.GrantedAt.ToUnixTimeMilliseconds(),
            ExpiresUnixMs = p.ExpiresAt.ToUnixTimeMilliseconds(),
            GrantedBy = p.GrantedBy,
        })],
    };

    /// <summary>
    /// The consent a sent proposal's command carries: a one-time approval is bound to the command and lasts as long as
    /// it; a standing consent (<paramref name="policy"/>) names no command and lasts as the policy does, so the device
    /// can find it revoked in a newer consent set.
    /// </summary>
    public static ConsentGrant GrantFor(FixProposal sent, ConsentPolicy? policy)
    {
        ArgumentNullException.ThrowIfNull(sent);
        return new ConsentGrant
        {
            ConsentId = sent.ConsentId!,
            Action = sent.Action!.Value,
            GrantedUnixMs = (policy?.GrantedAt ?? sent.DecidedAt!.Value).ToUnixTimeMilliseconds(),
            ExpiresUnixMs = (policy?.ExpiresAt ?? sent.CommandExpiresAt!.Value).ToUnixTimeMilliseconds(),
            CommandId = policy is null ? sent.CommandId! : "",
            GrantedBy = policy?.GrantedBy ?? sent.DecidedBy ?? "",
        };
    }

    [LoggerMessage(EventId = FixesEventIds.FixPolicy, Level = LogLevel.Information, Message = "Standing consent {PolicyId} for {DeviceId} {Change} by {Actor}")]
    private partial void LogPolicy(string deviceId, string policyId, string change, string actor);

    [LoggerMessage(EventId = FixesEventIds.FixPublishFailed, Level = LogLevel.Warning, Message = "Could not send {What} to {DeviceId} now; it goes again when the device reconnects")]
    private partial void LogPublishFailed(Exception exception, string what, string deviceId);
}
