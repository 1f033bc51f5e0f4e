using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Fixes;

/// <summary>Why an approval or a decision did not happen.</summary>
public enum FixDecisionError
{
    None,
    NotFound,
    /// <summary>Already decided, or closed: the answer carries the proposal as it is (approving twice sends one command).</summary>
    NotOpen,
    /// <summary>Nothing for the device to run (advice or no match): there is nothing to approve.</summary>
    NothingToApprove,
}

/// <summary>
/// The fix loop: a problem a device raises becomes a proposal from the best article; the customer's approval (or a
/// standing policy) sends its command with the consent it rests on; the device's result and then its telemetry
/// decide whether the fix is verified; a failed or declined fix makes way for the next article, and outcomes feed
/// the articles' success rates. Every step is one conditional state change with its audit record. Standing consents
/// themselves are kept by <see cref="ConsentPolicies"/>, commands go out through <see cref="FixCommandSender"/>, and
/// the proposals support makes start in <see cref="SupportProposals"/>.
/// </summary>
public sealed partial class FixWorkflow(
    SqliteFixStore store,
    KnowledgeBase knowledge,
    IDeviceStore devices,
    ConsentPolicies consents,
    FixCommandSender commands,
    FleetChanges changes,
    IOptions<FixOptions> options,
    TimeProvider time,
    CloudMetrics metrics,
    ILogger<FixWorkflow> logger)
{
    public const string SystemActor = "system";

    /// <summary>How the codes of proposals that come from support, not from a problem the device raised, begin.</summary>
    public const string SupportRequestPrefix = "support:";

    /// <summary>The code of a proposal that is not about a problem but a request from support for a diagnostics report.</summary>
    public const string DiagnosticsRequestCode = SupportRequestPrefix + "diagnostics-request";

    /// <summary>A request from support has no raised problem behind it: nothing to go away, no next article to offer.</summary>
    public static bool IsSupportRequest(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return code.StartsWith(SupportRequestPrefix, StringComparison.Ordinal);
    }

    private FixOptions Settings => options.Value;

    /// <summary>How many inbox items one pass takes: the raises among them are decided together and written in one transaction.</summary>
    public const int InboxBatchSize = 200;

    private static readonly FixState[] OpenStates = [FixState.Proposed, FixState.Sent, FixState.Verifying];

    /// <summary>
    /// Takes what ingestion left: new problems become proposals (a batch of them in one transaction), command results move
    /// theirs on. Returns how many items it took.
    /// </summary>
    public async Task<int> ProcessInboxAsync(CancellationToken cancellationToken)
    {
        var items = await store.PeekInboxAsync(InboxBatchSize, cancellationToken);
        var raises = items.Where(i => i.Envelope.Event is not null).ToList();
        try
        {
            await ProposeAsync(raises, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One at a time then, so one item that cannot be handled does not hold back the others.
            metrics.Error("fixes.inbox");
            LogInboxBatchFailed(ex, raises.Count);
            foreach (var raise in raises)
                await ProcessItemAsync(raise, cancellationToken);
        }
        foreach (var item in items.Where(i => i.Envelope.Event is null))
            await ProcessItemAsync(item, cancellationToken);
        return items.Count;
    }

    private async Task ProcessItemAsync(FixInboxItem item, CancellationToken cancellationToken)
    {
        try
        {
            if (item.Envelope.Event is not null)
                await ProposeAsync([item], cancellationToken);
            else if (item.Envelope.CommandResult is { } result)
                await ApplyResultAsync(item, result, cancellationToken);
            else
                await store.WriteAsync(async work => { await SqliteFixStore.RemoveFromInboxAsync(work, item, cancellationToken); return true; }, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Left in the inbox: the next pass tries again (a store hiccup must not lose a problem).
            metrics.Error("fixes.inbox");
            LogInboxFailed(ex, item.DeviceId, item.Sequence);
        }
    }

    /// <summary>The customer (or a policy) approves: the command goes out with the consent. Approving again changes nothing.</summary>
    public async Task<(FixProposal? Proposal, FixDecisionError Error)> ApproveAsync(string proposalId, string actor, CancellationToken cancellationToken) =>
        await ApproveAsync(proposalId, actor, policy: null, cancellationToken);

    public async Task<(FixProposal? Proposal, FixDecisionError Error)> DeclineAsync(string proposalId, string actor, CancellationToken cancellationToken)
    {
        var proposal = await store.GetAsync(proposalId, cancellationToken);
        if (proposal is null)
            return (null, FixDecisionError.NotFound);
        if (proposal.State != FixState.Proposed)
            return (proposal, FixDecisionError.NotOpen);
        var now = time.GetUtcNow();
        var declined = proposal with { State = FixState.Declined, DecidedAt = now, DecidedBy = actor, FinishedAt = now };
        var changed = await TransitionAsync(declined, FixState.Proposed, now, actor, "fix.declined",
            new Dictionary<string, string?> { ["article"] = proposal.ArticleId }, cancellationToken);
        if (!changed)
            return (await store.GetAsync(proposalId, cancellationToken), FixDecisionError.NotOpen);
        LogDecided(proposal.Id, proposal.DeviceId, "declined", actor);
        Announce(proposal.DeviceId, now);
        await OfferNextAsync(declined, cancellationToken);
        return (await store.GetAsync(proposalId, cancellationToken), FixDecisionError.None);
    }

    /// <summary>
    /// Moves proposals on by the clock and the device's state: expiry, verification, a problem that went away. Looks at
    /// every open proposal, or only at those of <paramref name="onlyDevices"/> (whose status just changed).
    /// </summary>
    public async Task CheckOpenAsync(CancellationToken cancellationToken, IReadOnlyCollection<string>? onlyDevices = null)
    {
        var now = time.GetUtcNow();
        var open = onlyDevices is null ? await store.OpenAsync(cancellationToken) : await OpenOfAsync(onlyDevices, cancellationToken);
        if (open.Count == 0)
            return;
        var devices = await store.DeviceProblemsAsync([.. open.Select(p => p.DeviceId)], cancellationToken);
        foreach (var proposal in open)
        {
            if (FixDecisions.ByClock(proposal, devices.GetValueOrDefault(proposal.DeviceId), now) is { } move)
                await CloseAsync(proposal, move.State, move.Note, SystemActor, move.AuditAction, move.Outcome, cancellationToken);
        }
    }

    /// <summary>Open proposals of some devices, 500 devices to a query.</summary>
    private async Task<List<FixProposal>> OpenOfAsync(IReadOnlyCollection<string> deviceIds, CancellationToken cancellationToken)
    {
        var open = new List<FixProposal>();
        foreach (var chunk in deviceIds.Distinct(StringComparer.Ordinal).Chunk(500))
            open.AddRange(await store.ListAsync(chunk, OpenStates, int.MaxValue, cancellationToken));
        return open;
    }

    /// <summary>
    /// Finishes what an instance that died mid-step left undone (no other step does it): a proposal its standing consent
    /// never approved, a command approved but never handed to the broker. Only steps older than
    /// <see cref="InterruptedAfter"/> count, so one a live instance is still taking is left to it.
    /// </summary>
    public async Task ResumeInterruptedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var proposal in await store.ProposedUnderPolicyAsync(now - InterruptedAfter, now, cancellationToken))
            await ApproveByPolicyAsync(proposal, cancellationToken);
        foreach (var proposal in await store.UnpublishedAsync(now - InterruptedAfter, now, cancellationToken))
        {
            LogResumed(proposal.Id, proposal.DeviceId, proposal.CommandId!);
            await commands.SendAsync(proposal, cancellationToken);
        }
    }

    /// <summary>A live instance takes a step (commit, then publish) in milliseconds; one this old was cut short.</summary>
    public static readonly TimeSpan InterruptedAfter = TimeSpan.FromSeconds(20);

    /// <summary>A standing consent (<see cref="ConsentPolicies.GrantAsync"/>); the proposals of its kind waiting for an answer go ahead under it.</summary>
    public async Task<ConsentPolicy> GrantPolicyAsync(string deviceId, ConsentAction action, TimeSpan duration, string actor, CancellationToken cancellationToken)
    {
        var policy = await consents.GrantAsync(deviceId, action, duration, actor, cancellationToken);
        // The customer just said yes to this kind of fix: those waiting for an answer go ahead.
        foreach (var waiting in await store.ListAsync([deviceId], [FixState.Proposed], 100, cancellationToken))
        {
            if (waiting.Action == action)
                await ApproveAsync(waiting.Id, actor, policy, cancellationToken);
        }
        return policy;
    }

    /// <summary>See <see cref="ConsentPolicies.RevokeAsync"/>: commands already sent under the policy are refused by the device from now on.</summary>
    public Task<bool> RevokePolicyAsync(string deviceId, string policyId, string actor, CancellationToken cancellationToken) =>
        consents.RevokeAsync(deviceId, policyId, actor, cancellationToken);

    /// <summary>
    /// Raised problems become proposals from the best article, all of them in one transaction with their audit records,
    /// and leave the inbox in it. A problem raised again while a fix for it is under way (a flapping sensor, a re-sent
    /// event, the same raise twice in the batch) is not a new problem.
    /// </summary>
    private async Task ProposeAsync(List<FixInboxItem> raises, CancellationToken cancellationToken)
    {
        if (raises.Count == 0)
            return;
        var now = time.GetUtcNow();
        var deviceIds = raises.Select(r => r.DeviceId).Distinct(StringComparer.Ordinal).ToList();
        var devices = await store.DeviceProblemsAsync(deviceIds, cancellationToken);
        var open = await OpenOfAsync(deviceIds, cancellationToken);
        var proposals = new List<FixProposal>();
        foreach (var item in raises)
        {
            var raised = item.Envelope.Event!;
            if (open.Any(p => p.DeviceId == item.DeviceId && ((p.Condition.Length > 0 && p.Condition == raised.Condition) || p.Code == raised.Code)))
                continue;
            var device = devices.GetValueOrDefault(item.DeviceId);
            var matches = knowledge.Index.Match(new ProblemQuery(raised.Code, raised.Condition, device?.Model, device?.Firmware), limit: 1);
            var proposal = NewProposal(item.DeviceId, item.Sequence, raised.Code, raised.Condition, raised.Severity, raised.Message, attempt: 1,
                matches.Count > 0 ? matches[0] : null, now);
            proposals.Add(proposal);
            if (proposal.State.IsOpen())
                open.Add(proposal);
        }
        await store.WriteAsync(async work =>
        {
            foreach (var proposal in proposals)
            {
                await SqliteFixStore.InsertAsync(work, proposal, cancellationToken);
                await AuditProposalAsync(work, proposal, now, cancellationToken);
            }
            foreach (var item in raises)
                await SqliteFixStore.RemoveFromInboxAsync(work, item, cancellationToken);
            return true;
        }, cancellationToken);
        foreach (var proposal in proposals)
        {
            LogProposed(proposal.Id, proposal.DeviceId, proposal.Code, proposal.ArticleId, proposal.State);
            Announce(proposal.DeviceId, now);
        }
        foreach (var proposal in proposals)
            await ApproveByPolicyAsync(proposal, cancellationToken);
    }

    private FixProposal NewProposal(string deviceId, ulong eventSequence, string code, string condition, Severity severity, string message, int attempt, ArticleMatch? match, DateTimeOffset now)
    {
        var fix = match?.Article.Remediation;
        var state = match is null ? FixState.NoMatch : fix is null ? FixState.Advice : FixState.Proposed;
        return new FixProposal(
            "fix-" + Guid.NewGuid().ToString("N"), deviceId, code, condition, severity, message, eventSequence, attempt,
            match?.Article.Id, match?.Version, match?.Article.Title, fix?.Command, fix?.Action, fix?.Parameters ?? new Dictionary<string, string>(),
            fix?.Describe, fix?.VerifyClears, fix?.VerifyWithin, match?.Reasons ?? [], state,
            state switch
            {
                FixState.NoMatch => FixNotes.Write("NoMatch"),
                FixState.Advice => FixNotes.Write("Advice"),
                _ => "",
            },
            now, now + Settings.ProposalLifetime, null, null, null, null, null, null, null, null, null, null,
            state == FixState.Proposed ? null : now);
    }

    private static Task<AuditRecord> AuditProposalAsync(SqliteFixStore.Work work, FixProposal proposal, DateTimeOffset now, CancellationToken cancellationToken) =>
        work.AuditAsync(now, SystemActor, proposal.State switch
        {
            FixState.NoMatch => "fix.no-match",
            FixState.Advice => "fix.advice",
            _ => "fix.proposed",
        }, proposal.DeviceId, proposal.Id, new Dictionary<string, string?>
        {
            ["code"] = proposal.Code,
            ["condition"] = proposal.Condition,
            ["event"] = proposal.EventSequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["attempt"] = proposal.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["article"] = proposal.ArticleId is null ? null : $"{proposal.ArticleId} v{proposal.ArticleVersion}",
            ["command"] = proposal.Command,
        }, cancellationToken);

    private async Task ApproveByPolicyAsync(FixProposal proposal, CancellationToken cancellationToken)
    {
        if (proposal.State != FixState.Proposed || proposal.Action is not { } action)
            return;
        var policy = await consents.InForceAsync(proposal.DeviceId, action, cancellationToken);
        if (policy is not null)
            await ApproveAsync(proposal.Id, $"policy {policy.Id} of {policy.GrantedBy}", policy, cancellationToken);
    }

    private async Task<(FixProposal? Proposal, FixDecisionError Error)> ApproveAsync(string proposalId, string actor, ConsentPolicy? policy, CancellationToken cancellationToken)
    {
        var proposal = await store.GetAsync(proposalId, cancellationToken);
        if (proposal is null)
            return (null, FixDecisionError.NotFound);
        if (proposal.Command is null || proposal.Action is null)
            return (proposal, FixDecisionError.NothingToApprove);
        if (proposal.State != FixState.Proposed)
            return (proposal, FixDecisionError.NotOpen);
        var now = time.GetUtcNow();
        var commandId = "cmd-" + Guid.NewGuid().ToString("N");
        var sent = proposal with
        {
            State = FixState.Sent,
            DecidedAt = now,
            DecidedBy = actor,
            // A one-time approval is its own consent; a policy's id lets the device check it was not revoked since.
            ConsentId = policy?.Id ?? "approval-" + proposal.Id,
            CommandId = commandId,
            SentAt = now,
            CommandExpiresAt = now + Settings.CommandLifetime,
        };
        var changed = await store.WriteAsync(async work =>
        {
            if (!await SqliteFixStore.UpdateAsync(work, sent, FixState.Proposed, cancellationToken))
                return false;
            await work.AuditAsync(now, actor, "consent.approved", proposal.DeviceId, proposal.Id, new Dictionary<string, string?>
            {
                ["consent"] = sent.ConsentId,
                ["action"] = proposal.Action.Value.ToString().ToLowerInvariant(),
                ["policy"] = policy?.Id,
            }, cancellationToken);
            await work.AuditAsync(now, SystemActor, "command.sent", proposal.DeviceId, proposal.Id, new Dictionary<string, string?>
            {
                ["command"] = proposal.Command,
                ["commandId"] = commandId,
                ["parameters"] = string.Join(",", proposal.Parameters.Select(p => $"{p.Key}={p.Value}")),
                ["expires"] = SqliteFixStore.Format(sent.CommandExpiresAt!.Value),
            }, cancellationToken);
            return true;
        }, cancellationToken);
        if (!changed)
            return (await store.GetAsync(proposalId, cancellationToken), FixDecisionError.NotOpen);
        LogDecided(proposal.Id, proposal.DeviceId, "approved", actor);
        Announce(proposal.DeviceId, now);
        await commands.SendAsync(sent, cancellationToken);
        return (sent, FixDecisionError.None);
    }

    private async Task ApplyResultAsync(FixInboxItem item, CommandResult result, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var proposal = await store.FindByCommandAsync(result.CommandId, cancellationToken);
        if (proposal is null || proposal.DeviceId != item.DeviceId || proposal.State != FixState.Sent)
        {
            // Unknown command, another device's command (forged), or a repeat of a result already applied.
            if (proposal is null || proposal.DeviceId != item.DeviceId)
                LogUnknownResult(item.DeviceId, result.CommandId);
            await store.WriteAsync(async work => { await SqliteFixStore.RemoveFromInboxAsync(work, item, cancellationToken); return true; }, cancellationToken);
            return;
        }
        var (state, note, resultAudit, counts) = FixDecisions.OfResult(proposal, result);
        var updated = proposal with
        {
            State = state,
            Note = note,
            ResultOutcome = result.Outcome,
            ResultDetail = result.Detail,
            ResultAt = now,
            VerifyDeadline = state == FixState.Verifying ? now + proposal.VerifyWithin!.Value : null,
            FinishedAt = state == FixState.Verifying ? null : now,
        };
        var applied = false;
        await store.WriteAsync(async work =>
        {
            await SqliteFixStore.RemoveFromInboxAsync(work, item, cancellationToken);
            // Someone else moved it on meanwhile (it expired): the late result leaves the inbox and changes nothing.
            if (!await SqliteFixStore.UpdateAsync(work, updated, FixState.Sent, cancellationToken))
                return true;
            applied = true;
            await work.AuditAsync(now, $"device {item.DeviceId}", resultAudit, proposal.DeviceId, proposal.Id, new Dictionary<string, string?>
            {
                ["commandId"] = result.CommandId,
                ["outcome"] = result.Outcome.ToString(),
                ["detail"] = result.Detail,
                ["state"] = state.ToStorage(),
            }, cancellationToken);
            return true;
        }, cancellationToken);
        if (!applied)
            return;
        LogResult(proposal.Id, proposal.DeviceId, result.Outcome, result.Detail);
        Announce(proposal.DeviceId, now);
        await AfterCloseAsync(updated, counts, cancellationToken);
        if (state == FixState.Verifying)
            await CheckOpenAsync(cancellationToken, [proposal.DeviceId]);
    }

    private async Task CloseAsync(FixProposal proposal, FixState state, string note, string actor, string auditAction, bool? outcome, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var closed = proposal with { State = state, Note = note, FinishedAt = now };
        var changed = await TransitionAsync(closed, proposal.State, now, actor, auditAction, new Dictionary<string, string?> { ["note"] = note }, cancellationToken);
        if (!changed)
            return;
        LogClosed(proposal.Id, proposal.DeviceId, state, note);
        Announce(proposal.DeviceId, now);
        await AfterCloseAsync(closed, outcome, cancellationToken);
    }

    /// <summary>Counts a verified or failed fix for its article, and after a failure offers the next article.</summary>
    private async Task AfterCloseAsync(FixProposal closed, bool? outcome, CancellationToken cancellationToken)
    {
        if (outcome is { } verified && closed.ArticleId is { } article)
        {
            var model = (await devices.GetAsync(closed.DeviceId, cancellationToken))?.Model ?? "";
            await knowledge.RecordOutcomeAsync(article, model, verified, cancellationToken);
        }
        if (closed.State is FixState.Failed && !IsSupportRequest(closed.Code))
            await OfferNextAsync(closed, cancellationToken);
    }

    /// <summary>After a declined or failed fix: the next article for the same problem, or a note suggesting a session.</summary>
    private async Task OfferNextAsync(FixProposal previous, CancellationToken cancellationToken)
    {
        if (IsSupportRequest(previous.Code))
            return;
        var now = time.GetUtcNow();
        var chain = (await store.ForProblemAsync(previous.DeviceId, previous.Condition, previous.Code, cancellationToken))
            .Where(p => p.EventSequence == previous.EventSequence).ToList();
        var device = await devices.GetAsync(previous.DeviceId, cancellationToken);
        var stillActive = device is null || FixDecisions.IsActive(ActiveOf(device), previous);
        var tried = chain.Select(p => p.ArticleId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var next = !stillActive || chain.Count >= Settings.MaxAttempts ? null
            : knowledge.Index.Match(new ProblemQuery(previous.Code, previous.Condition, device?.Model, device?.Firmware), limit: Settings.MaxAttempts + tried.Count)
                .FirstOrDefault(m => !tried.Contains(m.Article.Id));
        if (next is null)
        {
            if (!stillActive)
                return;
            var exhausted = previous with { Note = FixNotes.Exhausted(previous.Note) };
            await TransitionAsync(exhausted, previous.State, now, SystemActor, "fix.exhausted",
                new Dictionary<string, string?> { ["tried"] = string.Join(",", tried) }, cancellationToken);
            Announce(previous.DeviceId, now);
            return;
        }
        var proposal = NewProposal(previous.DeviceId, previous.EventSequence, previous.Code, previous.Condition, previous.Severity, previous.Message, chain.Count + 1, next, now);
        await store.WriteAsync(async work =>
        {
            await SqliteFixStore.InsertAsync(work, proposal, cancellationToken);
            await AuditProposalAsync(work, proposal, now, cancellationToken);
            return true;
        }, cancellationToken);
        LogProposed(proposal.Id, proposal.DeviceId, proposal.Code, proposal.ArticleId, proposal.State);
        Announce(proposal.DeviceId, now);
        await ApproveByPolicyAsync(proposal, cancellationToken);
    }

    /// <summary>Moves the proposal to <paramref name="updated"/> if it is still in <paramref name="from"/>, with its audit record; false if someone else moved it first.</summary>
    private Task<bool> TransitionAsync(FixProposal updated, FixState from, DateTimeOffset at, string actor, string auditAction,
        IReadOnlyDictionary<string, string?> details, CancellationToken cancellationToken) =>
        store.WriteAsync(async work =>
        {
            if (!await SqliteFixStore.UpdateAsync(work, updated, from, cancellationToken))
                return false;
            await work.AuditAsync(at, actor, auditAction, updated.DeviceId, updated.Id, details, cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>Active conditions and codes: a proposal is about one or the other.</summary>
    private static HashSet<string> ActiveOf(DeviceDetails device) =>
        [.. device.ActiveConditions.Select(c => c.Condition).Where(c => c.Length > 0), .. device.ActiveConditions.Select(c => c.Code)];

    /// <summary>
    /// A proposal support made (<see cref="SupportProposals"/>), stored with its audit record, is told like the loop's
    /// own, and a standing consent of its kind approves it when <paramref name="consentMayApprove"/>.
    /// </summary>
    internal async Task ProposedBySupportAsync(FixProposal proposal, DateTimeOffset at, bool consentMayApprove, CancellationToken cancellationToken)
    {
        LogProposed(proposal.Id, proposal.DeviceId, proposal.Code, proposal.ArticleId, proposal.State);
        Announce(proposal.DeviceId, at);
        if (consentMayApprove)
            await ApproveByPolicyAsync(proposal, cancellationToken);
    }

    /// <summary>Live pages of the device re-read: its fixes changed.</summary>
    private void Announce(string deviceId, DateTimeOffset at) => changes.Publish(new DeviceChange(deviceId, at));

    [LoggerMessage(EventId = FixesEventIds.FixProposed, Level = LogLevel.Information, Message = "Fix {ProposalId} for {DeviceId} ({Code}): article {ArticleId}, {State}")]
    private partial void LogProposed(string proposalId, string deviceId, string code, string? articleId, FixState state);

    [LoggerMessage(EventId = FixesEventIds.FixDecided, Level = LogLevel.Information, Message = "Fix {ProposalId} for {DeviceId} {Decision} by {Actor}")]
    private partial void LogDecided(string proposalId, string deviceId, string decision, string actor);

    [LoggerMessage(EventId = FixesEventIds.FixCommandResumed, Level = LogLevel.Warning, Message = "Fix {ProposalId} for {DeviceId}: command {CommandId} was approved but never sent (its instance stopped in between); sending it now")]
    private partial void LogResumed(string proposalId, string deviceId, string commandId);

    [LoggerMessage(EventId = FixesEventIds.FixResult, Level = LogLevel.Information, Message = "Fix {ProposalId} on {DeviceId}: the device reports {Outcome}: {Detail}")]
    private partial void LogResult(string proposalId, string deviceId, CommandOutcome outcome, string detail);

    [LoggerMessage(EventId = FixesEventIds.FixClosed, Level = LogLevel.Information, Message = "Fix {ProposalId} on {DeviceId} is {State}: {Note}")]
    private partial void LogClosed(string proposalId, string deviceId, FixState state, string note);

    [LoggerMessage(EventId = FixesEventIds.FixUnknownResult, Level = LogLevel.Warning, Message = "Result from {DeviceId} for command {CommandId}, which is not a command sent to it: ignored")]
    private partial void LogUnknownResult(string deviceId, string commandId);

    [LoggerMessage(EventId = FixesEventIds.FixInboxBatchFailed, Level = LogLevel.Error, Message = "A batch of {Raises} raised problem(s) could not be proposed together; they are taken one at a time")]
    private partial void LogInboxBatchFailed(Exception exception, int raises);

    [LoggerMessage(EventId = FixesEventIds.FixInboxFailed, Level = LogLevel.Error, Message = "Fix work for {DeviceId} message {Sequence} failed; it stays in the inbox and is tried again")]
    private partial void LogInboxFailed(Exception exception, string deviceId, ulong sequence);
}
