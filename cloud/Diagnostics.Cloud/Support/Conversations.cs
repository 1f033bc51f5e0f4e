using System.Security.Claims;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Updates;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// A conversation as one reader may see it: the session, its messages in order, and where each fix and update card
/// in it stands (fixes as <see cref="FixView"/> for that reader: the customer's without the staff-only fields).
/// </summary>
public sealed record ConversationView(
    SupportSession Session, IReadOnlyList<SupportMessage> Messages, IReadOnlyDictionary<string, FixView> Fixes, IReadOnlyDictionary<string, RolloutDevice> Updates);

/// <summary>
/// The one way into reading a support conversation, for the API and the pages alike: who may see the session is
/// decided here once (by the audience's subclass), someone else's reads as missing (null), and what is shown of it
/// (internal notes, staff-only fix fields) follows the audience.
/// </summary>
public abstract class Conversations(
    SupportSessionStore sessions, SupportMessageStore messages, SupportService support, SqliteFixStore fixes, RolloutStore rollouts, IOptions<SupportOptions> options)
{
    /// <summary>Staff see internal notes and every field of a fix; customers neither.</summary>
    protected abstract bool ForStaff { get; }

    protected SupportSessionStore Sessions => sessions;

    protected SupportService Support => support;

    protected abstract bool MaySee(ClaimsPrincipal user, SupportSession session);

    /// <summary>The session when this reader may see it; null for a missing one and for anyone else's alike.</summary>
    public async Task<SupportSession?> SessionAsync(ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var session = await sessions.GetAsync(sessionId, cancellationToken);
        return session is not null && MaySee(user, session) ? session : null;
    }

    /// <summary>Every message after <paramref name="after"/>, waiting up to <paramref name="wait"/> for one; null when the session is not the reader's.</summary>
    public async Task<IReadOnlyList<SupportMessage>?> MessagesAsync(ClaimsPrincipal user, string sessionId, long after, TimeSpan wait, CancellationToken cancellationToken) =>
        await SessionAsync(user, sessionId, cancellationToken) is null
            ? null
            : await support.ReadAsync(sessionId, Math.Max(0, after), includeInternal: ForStaff, wait, cancellationToken);

    /// <summary>
    /// The session with every message after <paramref name="after"/> (read page by page to the end) and the state of
    /// each fix and update card among <paramref name="known"/> and the new messages; null when the session is not the reader's.
    /// </summary>
    public async Task<ConversationView?> ReadAsync(ClaimsPrincipal user, string sessionId, IReadOnlyList<SupportMessage> known, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(known);
        if (await SessionAsync(user, sessionId, cancellationToken) is not { } session)
            return null;
        var read = new List<SupportMessage>();
        var after = known.Count == 0 ? 0 : known[^1].Sequence;
        while (true)
        {
            var more = await messages.MessagesAsync(sessionId, after, includeInternal: ForStaff, options.Value.MaxMessagesPerRead, cancellationToken);
            read.AddRange(more);
            if (more.Count < options.Value.MaxMessagesPerRead)
                break;
            after = more[^1].Sequence;
        }
        var all = known.Concat(read).ToList();
        var fixViews = new Dictionary<string, FixView>(StringComparer.Ordinal);
        foreach (var id in all.Where(m => m.Kind == MessageKind.Fix).Select(m => SupportCardText.Read<FixCard>(m.Body)?.ProposalId).OfType<string>().Distinct())
        {
            if (await fixes.GetAsync(id, cancellationToken) is { } proposal)
                fixViews[id] = FixView.Of(proposal, ForStaff);
        }
        var updates = new Dictionary<string, RolloutDevice>(StringComparer.Ordinal);
        foreach (var card in all.Where(m => m.Kind == MessageKind.Update).Select(m => SupportCardText.Read<UpdateCard>(m.Body)).OfType<UpdateCard>())
        {
            if (await rollouts.DeviceAsync(card.RolloutId, card.DeviceId, cancellationToken) is { } state)
                updates[card.RolloutId] = state;
        }
        return new ConversationView(session, read, fixViews, updates);
    }

    /// <summary>A picture sent in the conversation; null when there is none or the session is not the reader's.</summary>
    public async Task<SupportImage?> ImageAsync(ClaimsPrincipal user, string sessionId, string imageId, CancellationToken cancellationToken) =>
        await SessionAsync(user, sessionId, cancellationToken) is null ? null : await messages.ImageAsync(sessionId, imageId, cancellationToken);
}

/// <summary>A customer's conversations: their own only.</summary>
public sealed class CustomerConversations(
    SupportSessionStore sessions, SupportMessageStore messages, SupportService support, SqliteFixStore fixes, RolloutStore rollouts, IOptions<SupportOptions> options)
    : Conversations(sessions, messages, support, fixes, rollouts, options)
{
    protected override bool ForStaff => false;

    protected override bool MaySee(ClaimsPrincipal user, SupportSession session)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(session);
        return user.IsInRole(Roles.Customer) && user.AccountId() is { } accountId && session.CustomerId == accountId;
    }

    /// <summary>The customer's conversations, newest first; none for anyone who is not a customer.</summary>
    public async Task<IReadOnlyList<SupportSession>> SessionsAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(Roles.Customer) && user.AccountId() is { } accountId ? await Sessions.SessionsOfCustomerAsync(accountId, cancellationToken) : [];
    }

    /// <summary>How many of the customer's conversations have something from support they have not seen.</summary>
    public async Task<long> UnreadAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(Roles.Customer) && user.AccountId() is { } accountId ? await Sessions.UnreadSessionsAsync(accountId, cancellationToken) : 0;
    }

    /// <summary>Marks the conversation read up to <paramref name="sequence"/>; nothing happens for anyone else's.</summary>
    public async Task SeenAsync(ClaimsPrincipal user, string sessionId, long sequence, CancellationToken cancellationToken)
    {
        if (await SessionAsync(user, sessionId, cancellationToken) is not null)
            await Support.SeenByCustomerAsync(sessionId, sequence, cancellationToken);
    }
}

/// <summary>Staff's conversations: every one, with internal notes.</summary>
public sealed class AgentConversations(
    SupportSessionStore sessions, SupportMessageStore messages, SupportService support, SqliteFixStore fixes, RolloutStore rollouts, IOptions<SupportOptions> options)
    : Conversations(sessions, messages, support, fixes, rollouts, options)
{
    protected override bool ForStaff => true;

    protected override bool MaySee(ClaimsPrincipal user, SupportSession session)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsStaff();
    }
}
