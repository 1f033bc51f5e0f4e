using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Localization;
using Diagnostics.Cloud.Updates;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// Fix and update cards in a chat: an agent proposes a fix or shows an update, the customer gives or refuses consent
/// there, and the bot tells how a fix ended (closing the session as solved, or handing it to a person).
/// </summary>
public sealed class SessionCards(
    SupportService support, SupportSessionStore sessionStore, SupportMessageStore messageStore, SessionPosting posting, FixCardDevices watchedDevices,
    FixWorkflow workflow, SupportProposals supportProposals, SupportBot bot, RolloutStore rolloutStore, RolloutService rollouts, TimeProvider time)
{
    private static readonly SessionActor System = SessionPosting.System;

    /// <summary>Why no card about the session's device can be posted in it (closed, or about no device); null when one can.</summary>
    private static SupportResult<SupportMessage>? NoDeviceCard(SupportSession session) =>
        session.State == SessionState.Closed ? SupportResult<SupportMessage>.Fail(SupportError.Closed, SupportExplanations.Text("Closed"))
        : session.DeviceId is null ? SupportResult<SupportMessage>.Fail(SupportError.Invalid, SupportExplanations.Text("AboutNoDevice"))
        : null;

    /// <summary>
    /// An agent proposes an article's automated fix for the session's device: a fix card the customer approves in the
    /// chat. Nothing reaches the device before that approval.
    /// </summary>
    public async Task<SupportResult<SupportMessage>> ProposeFixAsync(SupportSession session, SessionActor agent, string articleId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(agent);
        if (NoDeviceCard(session) is { } refused)
            return refused;
        var deviceId = session.DeviceId!;
        var proposal = articleId == FixWorkflow.DiagnosticsRequestCode
            ? await supportProposals.RequestDiagnosticsAsync(deviceId, $"{agent.Name} ({agent.Id})", cancellationToken)
            : await supportProposals.ProposeForSessionAsync(deviceId, articleId, $"{agent.Name} ({agent.Id})", cancellationToken);
        if (proposal is null)
            return SupportResult<SupportMessage>.Fail(SupportError.NotFound, SupportExplanations.Text("NoFixArticle", articleId));
        watchedDevices.Watch(deviceId);
        return SupportResult<SupportMessage>.Done(await PostCardAsync(session.Id, agent, MessageKind.Fix, SupportCardText.Write(SupportBot.FixCardOf(proposal)), cancellationToken));
    }

    /// <summary>The customer approves or declines a fix card of their session: their consent, given in the chat.</summary>
    public async Task<SupportResult<FixProposal>> DecideFixAsync(SupportSession session, SessionActor customer, string proposalId, bool approve, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(customer);
        var cards = (await messageStore.MessagesOfKindAsync(session.Id, MessageKind.Fix, cancellationToken)).Select(m => SupportCardText.Read<FixCard>(m.Body));
        if (!cards.Any(c => c?.ProposalId == proposalId) || session.DeviceId is null)
            return SupportResult<FixProposal>.Fail(SupportError.NotFound, SupportExplanations.Text("NoFixHere", proposalId));
        var actor = $"{customer.Name} ({customer.Id}) in support session {session.Id}";
        var (proposal, error) = approve
            ? await workflow.ApproveAsync(proposalId, actor, cancellationToken)
            : await workflow.DeclineAsync(proposalId, actor, cancellationToken);
        if (proposal is null || proposal.DeviceId != session.DeviceId)
            return SupportResult<FixProposal>.Fail(SupportError.NotFound, SupportExplanations.Text("NoFixHere", proposalId));
        if (error != FixDecisionError.None)
            return new SupportResult<FixProposal>(proposal, SupportError.Conflict,
                SupportExplanations.Text(error == FixDecisionError.NothingToApprove ? "FixNothingToRun" : "FixDecidedAlready"));
        await PostCardAsync(session.Id, System, MessageKind.System,
            SupportSystemText.Write(approve ? "FixApproved" : "FixDeclined", customer.Name, proposal.ArticleTitle ?? proposal.Code), cancellationToken);
        return SupportResult<FixProposal>.Done(proposal);
    }

    /// <summary>
    /// A fix card's proposal ended: the bot says how, once. A fix that worked ends a session still with the bot as solved
    /// without a person; one that failed hands it to a person.
    /// </summary>
    public async Task FixEndedAsync(string sessionId, FixProposal proposal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        // The assistant speaks the customer's language here as everywhere; nobody's request tells it (the device ended the fix).
        var session = await sessionStore.GetAsync(sessionId, cancellationToken);
        var ending = bot.FixEnded(proposal, session is null ? SupportedCultures.Default : await support.CustomerLanguageAsync(session, cancellationToken));
        var (_, repeated) = await messageStore.AppendAsync(sessionId, new NewMessage(MessageKind.Text, AuthorKind.Bot, SupportBot.Id, SupportBot.Name, ending.Line, false,
            $"fix-outcome:{proposal.Id}", time.GetUtcNow()), cancellationToken);
        if (repeated)
            return;
        posting.Changed(sessionId);
        if (await sessionStore.GetAsync(sessionId, cancellationToken) is not { State: SessionState.Bot } current)
            return;
        if (proposal.State is FixState.Verified or FixState.Obsolete)
        {
            var article = (await support.BotMemoryAsync(sessionId, cancellationToken)).Offered.LastOrDefault(a => a.ArticleId == proposal.ArticleId);
            var solution = article is not null ? SupportBot.SolutionOf(article, ending.Cleared) : new SolutionCard("Other", ending.Title, ending.Cleared, []);
            await support.CloseSolvedByBotAsync(current, solution, cancellationToken);
        }
        else if (proposal.State is FixState.Failed or FixState.Expired)
        {
            // For staff: stored in English with the fix's stored note, read in each agent's language (SupportStaffText).
            await support.HandOverAsync(current, SupportStaffText.Write("Handover.FixCardFailed", proposal.ArticleTitle ?? proposal.Code, proposal.Note), cancellationToken);
        }
    }

    /// <summary>An agent shows the customer the update their device is offered, with its state; the customer decides on it in the chat.</summary>
    public async Task<SupportResult<SupportMessage>> ShareUpdateAsync(SupportSession session, SessionActor agent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(agent);
        if (NoDeviceCard(session) is { } refused)
            return refused;
        var deviceId = session.DeviceId!;
        // The latest rollout that reaches the device; one that stopped before it began has nothing to show.
        if (await rolloutStore.RolloutsOfDeviceAsync(deviceId, cancellationToken) is not [var offer, ..] || offer.State == DeviceUpdateState.Withdrawn)
            return SupportResult<SupportMessage>.Fail(SupportError.NotFound, SupportExplanations.Text("NoRollout"));
        var rollout = await rolloutStore.GetRolloutAsync(offer.RolloutId, cancellationToken);
        return SupportResult<SupportMessage>.Done(await PostCardAsync(session.Id, agent, MessageKind.Update,
            SupportCardText.Write(new UpdateCard(offer.RolloutId, deviceId, rollout?.Version ?? "", offer.State.ToString())), cancellationToken));
    }

    /// <summary>The customer installs or declines the update of an update card in their session.</summary>
    public async Task<SupportResult<RolloutDevice>> DecideUpdateAsync(SupportSession session, SessionActor customer, string rolloutId, bool approve, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(customer);
        var cards = (await messageStore.MessagesOfKindAsync(session.Id, MessageKind.Update, cancellationToken)).Select(m => SupportCardText.Read<UpdateCard>(m.Body));
        if (!cards.Any(c => c?.RolloutId == rolloutId && c.DeviceId == session.DeviceId) || session.DeviceId is not { } deviceId)
            return SupportResult<RolloutDevice>.Fail(SupportError.NotFound, SupportExplanations.Text("NoUpdateHere", rolloutId));
        var actor = $"{customer.Name} ({customer.Id}) in support session {session.Id}";
        var result = approve ? await rollouts.ApproveAsync(rolloutId, deviceId, actor, cancellationToken) : await rollouts.DeclineAsync(rolloutId, deviceId, actor, cancellationToken);
        if (result.Value is null)
            return SupportResult<RolloutDevice>.Fail(SupportError.Conflict, result.Detail);
        await PostCardAsync(session.Id, System, MessageKind.System, SupportSystemText.Write(approve ? "UpdateApproved" : "UpdateDeclined", customer.Name), cancellationToken);
        return SupportResult<RolloutDevice>.Done(result.Value);
    }

    private Task<SupportMessage> PostCardAsync(string sessionId, SessionActor author, MessageKind kind, string body, CancellationToken cancellationToken) =>
        posting.PostCardAsync(sessionId, author, kind, body, cancellationToken);
}
