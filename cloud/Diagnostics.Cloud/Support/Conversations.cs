using System.Globalization;
using System.Security.Claims;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Cloud.Updates;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// A conversation as one reader may see it: the session, its messages in order, and where each fix and update card
/// in it stands (fixes as <see cref="FixView"/> for that reader: the customer's without the staff-only fields).
/// </summary>
/// <param name="CustomerLanguage">For staff, the language the customer reads and writes (<see cref="ConversationLanguage"/>); null for the customer.</param>
public sealed record ConversationView(
    SupportSession Session, IReadOnlyList<SupportMessage> Messages, IReadOnlyDictionary<string, FixView> Fixes, IReadOnlyDictionary<string, RolloutDevice> Updates,
    CultureInfo? CustomerLanguage = null);

/// <summary>What reading and writing a conversation draws on, whoever does it: one set, so the audiences differ only in who may see and do what.</summary>
public sealed record ConversationSources(
    SupportSessionStore Sessions, SupportMessageStore Messages, SupportService Support, SessionPictures Pictures, SqliteFixStore Fixes, RolloutStore Rollouts,
    IAccountStore Accounts, IOptions<SupportOptions> Options, KnowledgeBase Knowledge);

/// <summary>
/// The one way into a support conversation, for the API and the pages alike: who may see the session is decided here
/// once (by the audience's subclass), someone else's reads as missing (null, or <see cref="SupportError.NotFound"/>),
/// what is shown of it (internal notes, staff-only fix fields) follows the audience, and so does who may write in it.
/// </summary>
public abstract class Conversations(ConversationSources sources)
{
    /// <summary>Staff see internal notes and every field of a fix; customers neither.</summary>
    protected abstract bool ForStaff { get; }

    protected ConversationSources Sources => sources;

    protected abstract bool MaySee(ClaimsPrincipal user, SupportSession session);

    /// <summary>Why this person may not write to the customer in the session (null: they may).</summary>
    protected virtual string? MayNotWrite(ClaimsPrincipal user, SupportSession session, bool internalNote) => null;

    /// <summary>The session when this reader may see it; null for a missing one and for anyone else's alike.</summary>
    public async Task<SupportSession?> SessionAsync(ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var session = await sources.Sessions.GetAsync(sessionId, cancellationToken);
        return session is not null && MaySee(user, session) ? session : null;
    }

    /// <summary>Every message after <paramref name="after"/>, waiting up to <paramref name="wait"/> for one; null when the session is not the reader's.</summary>
    public async Task<IReadOnlyList<SupportMessage>?> MessagesAsync(ClaimsPrincipal user, string sessionId, long after, TimeSpan wait, CancellationToken cancellationToken) =>
        await SessionAsync(user, sessionId, cancellationToken) is null
            ? null
            : await sources.Support.ReadAsync(sessionId, Math.Max(0, after), includeInternal: ForStaff, wait, cancellationToken);

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
        var pageSize = sources.Options.Value.MaxMessagesPerRead;
        while (true)
        {
            var more = await sources.Messages.MessagesAsync(sessionId, after, includeInternal: ForStaff, pageSize, cancellationToken);
            read.AddRange(more);
            if (more.Count < pageSize)
                break;
            after = more[^1].Sequence;
        }
        var all = known.Concat(read).ToList();
        var fixViews = new Dictionary<string, FixView>(StringComparer.Ordinal);
        foreach (var id in all.Where(m => m.Kind == MessageKind.Fix).Select(m => SupportCardText.Read<FixCard>(m.Body)?.ProposalId).OfType<string>().Distinct())
        {
            if (await sources.Fixes.GetAsync(id, cancellationToken) is { } proposal)
                fixViews[id] = FixView.Of(proposal, ForStaff, sources.Knowledge.Index);
        }
        var updates = new Dictionary<string, RolloutDevice>(StringComparer.Ordinal);
        foreach (var card in all.Where(m => m.Kind == MessageKind.Update).Select(m => SupportCardText.Read<UpdateCard>(m.Body)).OfType<UpdateCard>())
        {
            if (await sources.Rollouts.DeviceAsync(card.RolloutId, card.DeviceId, cancellationToken) is { } state)
                updates[card.RolloutId] = state;
        }
        var language = ForStaff ? ConversationLanguage.Of(all, await sources.Accounts.GetLanguageAsync(session.CustomerId, cancellationToken)) : null;
        return new ConversationView(session, read, fixViews, updates, language);
    }

    /// <summary>A picture sent in the conversation; null when there is none or the session is not the reader's.</summary>
    public async Task<SupportImage?> ImageAsync(ClaimsPrincipal user, string sessionId, string imageId, CancellationToken cancellationToken) =>
        await SessionAsync(user, sessionId, cancellationToken) is null ? null : await sources.Messages.ImageAsync(sessionId, imageId, cancellationToken);

    /// <summary>Writes a text message (an internal note: staff only) as this person.</summary>
    public Task<SupportResult<SupportMessage>> PostAsync(
        ClaimsPrincipal user, string sessionId, string? text, string? clientId, bool internalNote, CancellationToken cancellationToken) =>
        WithSessionAsync(user, sessionId, (session, actor) =>
            MayNotWrite(user, session, internalNote) is { } why
                ? Task.FromResult(SupportResult<SupportMessage>.Fail(SupportError.Conflict, why))
                : sources.Support.PostAsync(session, actor, text, clientId, internalNote, cancellationToken), cancellationToken);

    /// <summary>
    /// Sends a picture as this person. <paramref name="read"/> is called only once they may (so nobody's upload is read
    /// for a session that is not theirs) and answers null when the picture is over <see cref="SupportOptions.MaxImageBytes"/>.
    /// </summary>
    public Task<SupportResult<SupportMessage>> PostImageAsync(
        ClaimsPrincipal user, string sessionId, string? contentType, Func<CancellationToken, Task<byte[]?>> read, string? caption, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        return WithSessionAsync(user, sessionId, async (session, actor) =>
        {
            if (MayNotWrite(user, session, internalNote: false) is { } why)
                return SupportResult<SupportMessage>.Fail(SupportError.Conflict, why);
            var content = await read(cancellationToken);
            return content is null
                ? SupportResult<SupportMessage>.Fail(SupportError.Invalid, SupportExplanations.Text("PictureTooLarge", sources.Options.Value.MaxImageBytes / 1024))
                : await sources.Pictures.PostImageAsync(session, actor, contentType, content, caption, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Runs <paramref name="act"/> on the session as this person when they may see it; someone else's is <see cref="SupportError.NotFound"/>.</summary>
    internal async Task<SupportResult<T>> WithSessionAsync<T>(
        ClaimsPrincipal user, string sessionId, Func<SupportSession, SessionActor, Task<SupportResult<T>>> act, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(act);
        return await SessionAsync(user, sessionId, cancellationToken) is { } session
            ? await act(session, SessionActor.Of(user))
            : SupportResult<T>.Fail(SupportError.NotFound, SupportExplanations.Text("NoSessionForYou", sessionId));
    }
}

/// <summary>A customer's conversations: their own only; what they do in them (ask for a person, approve a fix, rate) is done here.</summary>
public sealed class CustomerConversations(ConversationSources sources, DeviceAccess access, SessionCards cards) : Conversations(sources)
{
    protected override bool ForStaff => false;

    protected override bool MaySee(ClaimsPrincipal user, SupportSession session)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(session);
        return IsCustomer(user, out var accountId) && session.CustomerId == accountId;
    }

    private static bool IsCustomer(ClaimsPrincipal user, out string accountId)
    {
        ArgumentNullException.ThrowIfNull(user);
        accountId = user.AccountId() ?? "";
        return user.IsInRole(Roles.Customer) && accountId.Length > 0;
    }

    /// <summary>
    /// Opens a conversation, about one of the customer's own devices when <paramref name="deviceId"/> is given (someone
    /// else's reads as missing); with <paramref name="fixId"/> (a fix of that device that failed) it goes to a person at once.
    /// </summary>
    public async Task<SupportResult<SupportSession>> OpenAsync(
        ClaimsPrincipal user, string? deviceId, string? text, string? fixId, string? clientId, CancellationToken cancellationToken)
    {
        if (!IsCustomer(user, out _))
            return SupportResult<SupportSession>.Fail(SupportError.NotAllowed, SupportExplanations.Text("CustomersOpenHere"));
        deviceId = string.IsNullOrWhiteSpace(deviceId) ? null : deviceId.Trim();
        if (deviceId is not null && !await access.CanAccessAsync(user, deviceId, cancellationToken))
            return SupportResult<SupportSession>.Fail(SupportError.NotFound, SupportExplanations.Text("NoSuchDeviceOfYours", deviceId));
        if (fixId is not null && deviceId is null)
            return SupportResult<SupportSession>.Fail(SupportError.Invalid, SupportExplanations.Text("FixNamesDevice"));
        return await Sources.Support.OpenAsync(SessionActor.Of(user), deviceId, text, fixId, clientId, cancellationToken);
    }

    /// <summary>The customer's conversations, newest first; none for anyone who is not a customer.</summary>
    public async Task<IReadOnlyList<SupportSession>> SessionsAsync(ClaimsPrincipal user, CancellationToken cancellationToken) =>
        IsCustomer(user, out var accountId) ? await Sources.Sessions.SessionsOfCustomerAsync(accountId, cancellationToken) : [];

    /// <summary>How many of the customer's conversations have something from support they have not seen.</summary>
    public async Task<long> UnreadAsync(ClaimsPrincipal user, CancellationToken cancellationToken) =>
        IsCustomer(user, out var accountId) ? await Sources.Sessions.UnreadSessionsAsync(accountId, cancellationToken) : 0;

    /// <summary>Marks the conversation read up to <paramref name="sequence"/>; nothing happens for anyone else's.</summary>
    public async Task SeenAsync(ClaimsPrincipal user, string sessionId, long sequence, CancellationToken cancellationToken)
    {
        if (await SessionAsync(user, sessionId, cancellationToken) is not null)
            await Sources.Support.SeenByCustomerAsync(sessionId, sequence, cancellationToken);
    }

    /// <summary>The customer asks the assistant for a person.</summary>
    public Task<SupportResult<SupportSession>> HandOverAsync(ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken) =>
        WithSessionAsync(user, sessionId, (session, _) => Sources.Support.HandOverAsync(session, SupportSystemText.Write("CustomerAskedForPerson"), cancellationToken), cancellationToken);

    /// <summary>The customer says the assistant's answer solved it.</summary>
    public Task<SupportResult<SupportSession>> SolvedAsync(ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken) =>
        WithSessionAsync(user, sessionId, (session, _) => Sources.Support.ResolveWithBotAsync(session, cancellationToken), cancellationToken);

    public Task<SupportResult<SupportSession>> LeaveAsync(ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken) =>
        WithSessionAsync(user, sessionId, (session, customer) => Sources.Support.LeaveAsync(session, customer, cancellationToken), cancellationToken);

    public Task<SupportResult<SupportSession>> RateAsync(ClaimsPrincipal user, string sessionId, int rating, string? comment, CancellationToken cancellationToken) =>
        WithSessionAsync(user, sessionId, (session, customer) => Sources.Support.RateAsync(session, customer, rating, comment, cancellationToken), cancellationToken);

    /// <summary>The customer approves or declines a fix card of the conversation; the fix comes back as the customer reads it (<see cref="FixView"/>).</summary>
    public async Task<SupportResult<FixView>> DecideFixAsync(ClaimsPrincipal user, string sessionId, string proposalId, bool approve, CancellationToken cancellationToken)
    {
        var decided = await WithSessionAsync(user, sessionId, (session, customer) => cards.DecideFixAsync(session, customer, proposalId, approve, cancellationToken), cancellationToken);
        return decided is { Error: SupportError.None, Value: { } proposal }
            ? SupportResult<FixView>.Done(FixView.Of(proposal, forStaff: false, Sources.Knowledge.Index))
            : SupportResult<FixView>.Fail(decided.Error, decided.Detail);
    }

    /// <summary>The customer approves or declines an update card of the conversation.</summary>
    public Task<SupportResult<RolloutDevice>> DecideUpdateAsync(ClaimsPrincipal user, string sessionId, string rolloutId, bool approve, CancellationToken cancellationToken) =>
        WithSessionAsync(user, sessionId, (session, customer) => cards.DecideUpdateAsync(session, customer, rolloutId, approve, cancellationToken), cancellationToken);
}

/// <summary>Staff's conversations: every one, with internal notes; they write to the customer only in sessions they hold.</summary>
public sealed class AgentConversations(ConversationSources sources) : Conversations(sources)
{
    protected override bool ForStaff => true;

    protected override bool MaySee(ClaimsPrincipal user, SupportSession session)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsStaff();
    }

    protected override string? MayNotWrite(ClaimsPrincipal user, SupportSession session, bool internalNote) =>
        internalNote ? null : NotHeldBy(user, session);

    /// <summary>Why the agent may not act on the session for the customer (null when it is theirs, or already closed).</summary>
    internal static string? NotHeldBy(ClaimsPrincipal user, SupportSession session)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(session);
        return session.State != SessionState.Closed && session.AgentId != user.AccountId()
            ? session.AgentId is null ? SupportExplanations.Text("TakeFirst") : SupportExplanations.Text("SomeoneElses", session.AgentName)
            : null;
    }
}
