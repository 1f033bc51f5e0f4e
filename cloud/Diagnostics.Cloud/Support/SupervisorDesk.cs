using System.Security.Claims;
using Diagnostics.Cloud.Accounts;

namespace Diagnostics.Cloud.Support;

/// <summary>A page of the support history: the sessions found, newest first, and the review of each one that has one.</summary>
public sealed record SupportHistoryView(IReadOnlyList<SupportSession> Sessions, IReadOnlyDictionary<string, SessionReview> Reviews)
{
    public static readonly SupportHistoryView Empty = new([], new Dictionary<string, SessionReview>());
}

/// <summary>
/// The one way into overseeing the desk, for the API and the pages alike: supervisors search the history, read the
/// figures, set agents' limits and review ended conversations; a review is read by supervisors and by the agent it is
/// about, by no other agent. Checked here once: anyone else reads nothing and changes nothing.
/// </summary>
public sealed class SupervisorDesk(
    AgentConversations conversations, SupportSessionStore sessions, SupportReviewStore reviews, SupportSupervision supervision, SessionAssignment assignment)
{
    private static string SupervisorsOnly => SupportExplanations.Text("SupervisorsOnly");

    /// <summary>Sessions by words, category, agent or whether reviewed, newest first, with their reviews.</summary>
    public async Task<SupportHistoryView> HistoryAsync(
        ClaimsPrincipal user, string? text, string? category, string? agentId, bool? reviewed, int limit, CancellationToken cancellationToken)
    {
        if (!user.IsSupervisor())
            return SupportHistoryView.Empty;
        var found = await sessions.SearchAsync(text, category, agentId, limit, cancellationToken, reviewed);
        var reviewsOfThem = await reviews.ReviewsOfSessionsAsync([.. found.Select(s => s.Id)], cancellationToken);
        return new SupportHistoryView(found, reviewsOfThem.ToDictionary(r => r.SessionId, StringComparer.Ordinal));
    }

    /// <summary>The figures of the sessions that ended in [from, to); null for anyone but a supervisor.</summary>
    public async Task<SupportFigures?> FiguresAsync(ClaimsPrincipal user, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        user.IsSupervisor() ? await supervision.FiguresAsync(from, to, cancellationToken) : null;

    /// <summary>How many sessions an agent holds at once.</summary>
    public async Task<SupportResult<SupportAgent>> SetLimitAsync(ClaimsPrincipal user, string agentId, int maxSessions, CancellationToken cancellationToken) =>
        user.IsSupervisor()
            ? await assignment.SetLimitAsync(agentId, maxSessions, cancellationToken)
            : SupportResult<SupportAgent>.Fail(SupportError.NotAllowed, SupervisorsOnly);

    /// <summary>A supervisor reviews an ended conversation someone else held (again: the new review replaces the old).</summary>
    public async Task<SupportResult<SessionReview>> ReviewAsync(
        ClaimsPrincipal user, string sessionId, int score, string? comment, IReadOnlyCollection<string>? met, CancellationToken cancellationToken) =>
        user.IsSupervisor()
            ? await conversations.WithSessionAsync(user, sessionId, (session, reviewer) => supervision.ReviewAsync(session, reviewer, score, comment, cancellationToken, met), cancellationToken)
            : SupportResult<SessionReview>.Fail(SupportError.NotAllowed, SupervisorsOnly);

    /// <summary>The session's review when this reader may read it (a supervisor, or the agent it is about); null otherwise and when there is none.</summary>
    public async Task<SessionReview?> ReviewOfAsync(ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!user.IsStaff() || await reviews.ReviewAsync(sessionId, cancellationToken) is not { } review)
            return null;
        return user.IsSupervisor() || review.AgentId is not null && review.AgentId == user.AccountId() ? review : null;
    }

    /// <summary>The reviews of the conversations this agent held, newest first: their feedback.</summary>
    public async Task<IReadOnlyList<SessionReview>> ReviewsOfMineAsync(ClaimsPrincipal user, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsStaff() && user.AccountId() is { } me ? await reviews.ReviewsOfAgentAsync(me, limit, cancellationToken) : [];
    }
}
