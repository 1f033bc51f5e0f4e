using Diagnostics.Cloud.Observability;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// What supervisors do: read the figures of a period (first-response and handle times, sessions per agent, the bot's
/// resolution rate, satisfaction, review scores), computed from the sessions that ended in it, and review closed
/// conversations for quality.
/// </summary>
public sealed partial class SupportSupervision(SupportSessionStore sessionStore, SupportQueueStore queueStore, SupportReviewStore reviewStore, TimeProvider time, ILogger<SupportSupervision> logger)
{
    public const int MaxReviewCommentLength = 2000;

    public async Task<SupportFigures> FiguresAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var closed = await sessionStore.ClosedBetweenAsync(from, to, cancellationToken);
        var reviews = await reviewStore.ReviewsOfClosedBetweenAsync(from, to, cancellationToken);
        var open = await sessionStore.OpenSessionsAsync(cancellationToken);
        var agents = (await queueStore.AgentsAsync(cancellationToken)).ToDictionary(a => a.AgentId, a => a.Name, StringComparer.Ordinal);
        return Compute(from, to, closed, reviews, open, agents);
    }

    /// <summary>
    /// Reviews a closed conversation (again: the new review replaces the old). Nobody reviews a conversation they held
    /// themselves; the review is about the agent who held it when it closed, or the assistant alone.
    /// </summary>
    public async Task<SupportResult<SessionReview>> ReviewAsync(
        SupportSession session, SessionActor reviewer, int score, string? comment, CancellationToken cancellationToken, IReadOnlyCollection<string>? met = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(reviewer);
        if (session.State != SessionState.Closed)
            return SupportResult<SessionReview>.Fail(SupportError.Conflict, SupportExplanations.Text("ReviewWhenEnded"));
        if (session.AgentId == reviewer.Id)
            return SupportResult<SessionReview>.Fail(SupportError.Conflict, SupportExplanations.Text("ReviewByAnother"));
        if (score is < 1 or > 5)
            return SupportResult<SessionReview>.Fail(SupportError.Invalid, SupportExplanations.Text("ScoreRange"));
        if (comment is { Length: > MaxReviewCommentLength })
            return SupportResult<SessionReview>.Fail(SupportError.Invalid, SupportExplanations.Text("ReviewCommentLength", MaxReviewCommentLength));
        if (!ReviewRubric.TryFormat(met, out var rubric, out var rubricError))
            return SupportResult<SessionReview>.Fail(SupportError.Invalid, rubricError!);
        var review = new SessionReview(session.Id, session.AgentId, session.AgentName, reviewer.Id, reviewer.Name, score,
            string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(), time.GetUtcNow(), rubric);
        await reviewStore.SaveReviewAsync(review, cancellationToken);
        LogReviewed(session.Id, reviewer.Id, score);
        return SupportResult<SessionReview>.Done(review);
    }

    /// <summary>The figures of closed sessions; pure, so the arithmetic is tested on its own.</summary>
    public static SupportFigures Compute(
        DateTimeOffset from, DateTimeOffset to, IReadOnlyList<SupportSession> closed, IReadOnlyList<SessionReview> reviews, IReadOnlyList<SupportSession> open,
        IReadOnlyDictionary<string, string> agentNames)
    {
        ArgumentNullException.ThrowIfNull(closed);
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(agentNames);
        var byBot = closed.Count(s => s.Resolution == SessionResolution.Bot);
        var withPerson = closed.Where(s => s.AssignedAt is not null).ToList();
        var firstResponses = withPerson.Where(s => s is { FirstResponseAt: not null, QueuedAt: not null })
            .Select(s => s.FirstResponseAt!.Value - s.QueuedAt!.Value).Order().ToList();
        var handle = withPerson.Select(s => s.ClosedAt!.Value - s.AssignedAt!.Value).Order().ToList();
        var rated = closed.Where(s => s.Rating is not null).ToList();
        var perAgent = withPerson.GroupBy(s => s.AgentId!, StringComparer.Ordinal).Select(g =>
        {
            var times = g.Select(s => s.ClosedAt!.Value - s.AssignedAt!.Value).Order().ToList();
            var ratings = g.Where(s => s.Rating is not null).Select(s => (double)s.Rating!.Value).ToList();
            var scores = reviews.Where(r => r.AgentId == g.Key).Select(r => (double)r.Score).ToList();
            return new AgentFigures(g.Key, agentNames.GetValueOrDefault(g.Key) ?? g.Last().AgentName ?? g.Key, g.Count(), Percentile(times, 0.5),
                ratings.Count == 0 ? null : Math.Round(ratings.Average(), 2), scores.Count, scores.Count == 0 ? null : Math.Round(scores.Average(), 2));
        }).OrderByDescending(a => a.Handled).ThenBy(a => a.Name, StringComparer.Ordinal).ToList();
        return new SupportFigures(
            from, to, closed.Count, byBot, closed.Count == 0 ? null : Math.Round((double)byBot / closed.Count, 4), withPerson.Count,
            Percentile(firstResponses, 0.5), Percentile(firstResponses, 0.9), Percentile(handle, 0.5),
            handle.Count == 0 ? null : TimeSpan.FromTicks((long)handle.Average(t => t.Ticks)),
            rated.Count, rated.Count == 0 ? null : Math.Round(rated.Average(s => s.Rating!.Value), 2),
            [.. Enumerable.Range(1, 5).Select(r => rated.Count(s => s.Rating == r))],
            reviews.Count, reviews.Count == 0 ? null : Math.Round(reviews.Average(r => r.Score), 2), perAgent,
            open.Count, open.Count(s => s.State == SessionState.Queued));
    }

    /// <summary>The nearest-rank percentile of sorted values; null when there are none.</summary>
    public static TimeSpan? Percentile(IReadOnlyList<TimeSpan> sorted, double share)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
            return null;
        var rank = (int)Math.Ceiling(share * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    [LoggerMessage(EventId = SupportEventIds.SupportReviewed, Level = LogLevel.Information, Message = "Support session {SessionId} reviewed by {ReviewerId}: {Score}/5")]
    private partial void LogReviewed(string sessionId, string reviewerId, int score);
}
