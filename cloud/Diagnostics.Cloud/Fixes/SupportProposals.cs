using Diagnostics.Cloud.Knowledge;
using Diagnostics.Protocol;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Fixes;

/// <summary>
/// Proposals support makes for a device, not from a problem it raised: a request for a diagnostics report, and an
/// article's automated fix suggested in a support session. Once stored they are proposals like the loop's own, which
/// <see cref="FixWorkflow"/> moves on (approval, command, result); their codes begin with
/// <see cref="FixWorkflow.SupportRequestPrefix"/>.
/// </summary>
public sealed class SupportProposals(
    SqliteFixStore store,
    KnowledgeBase knowledge,
    FixWorkflow workflow,
    IOptions<FixOptions> options,
    TimeProvider time)
{
    private static readonly FixState[] OpenStates = [FixState.Proposed, FixState.Sent, FixState.Verifying];

    /// <summary>
    /// Support asks for a diagnostics report: a proposal the owner approves like a fix (or a standing diagnostics consent
    /// approves). One open request per device at a time: asking again answers the open one.
    /// </summary>
    public async Task<FixProposal> RequestDiagnosticsAsync(string deviceId, string actor, CancellationToken cancellationToken)
    {
        var open = (await store.ListAsync([deviceId], OpenStates, 100, cancellationToken))
            .FirstOrDefault(p => p.Command == DeviceCommands.CollectDiagnostics);
        if (open is not null)
            return open;
        var now = time.GetUtcNow();
        var request = new FixProposal(
            "fix-" + Guid.NewGuid().ToString("N"), deviceId, FixWorkflow.DiagnosticsRequestCode, "", Severity.Report,
            ProposalTexts.Write("Diagnostics.Message", actor), 0, 1, null, null, ProposalTexts.Write("Diagnostics.Title"), DeviceCommands.CollectDiagnostics,
            ConsentAction.Diagnostics, new Dictionary<string, string>(), ProposalTexts.Write("Diagnostics.Describe"), null, null,
            [ProposalTexts.Write("Diagnostics.RequestedBy", actor)], FixState.Proposed, "", now, now + options.Value.ProposalLifetime,
            null, null, null, null, null, null, null, null, null, null, null);
        await store.WriteAsync(async work =>
        {
            await SqliteFixStore.InsertAsync(work, request, cancellationToken);
            await work.AuditAsync(now, actor, "report.requested", deviceId, request.Id, new Dictionary<string, string?>(), cancellationToken);
            return true;
        }, cancellationToken);
        await workflow.ProposedBySupportAsync(request, now, consentMayApprove: true, cancellationToken);
        return await store.GetAsync(request.Id, cancellationToken) ?? request;
    }

    /// <summary>
    /// Support (the bot or an agent, in a session) proposes an article's automated fix for the device. It waits for the
    /// customer's approval in the chat: a standing consent does not approve it, because the customer is right there to
    /// ask. An open proposal of the same article for the device is answered instead of a second one.
    /// </summary>
    public async Task<FixProposal?> ProposeForSessionAsync(string deviceId, string articleId, string actor, CancellationToken cancellationToken)
    {
        if (knowledge.Index.Find(articleId) is not var (article, version) || article.Remediation is not { } fix)
            return null;
        var open = (await store.ListAsync([deviceId], OpenStates, 100, cancellationToken))
            .FirstOrDefault(p => p.ArticleId == articleId);
        if (open is not null)
            return open;
        var now = time.GetUtcNow();
        var proposal = new FixProposal(
            "fix-" + Guid.NewGuid().ToString("N"), deviceId, FixWorkflow.SupportRequestPrefix + article.Id, "", Severity.Report,
            ProposalTexts.Write("Suggestion.Message", actor, article.Title),
            0, 1, article.Id, version, article.Title, fix.Command, fix.Action, fix.Parameters, fix.Describe, fix.VerifyClears, fix.VerifyWithin,
            [ProposalTexts.Write("Suggestion.SuggestedBy", actor)], FixState.Proposed, "", now, now + options.Value.ProposalLifetime,
            null, null, null, null, null, null, null, null, null, null, null);
        await store.WriteAsync(async work =>
        {
            await SqliteFixStore.InsertAsync(work, proposal, cancellationToken);
            await work.AuditAsync(now, actor, "fix.proposed", deviceId, proposal.Id, new Dictionary<string, string?>
            {
                ["article"] = $"{article.Id} v{version}",
                ["command"] = fix.Command,
                ["origin"] = "support session",
            }, cancellationToken);
            return true;
        }, cancellationToken);
        await workflow.ProposedBySupportAsync(proposal, now, consentMayApprove: false, cancellationToken);
        return proposal;
    }
}
