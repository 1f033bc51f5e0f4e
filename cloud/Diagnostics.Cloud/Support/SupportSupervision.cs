namespace Diagnostics.Cloud.Support;

/// <summary>
/// What supervisors read: the figures of a period (first-response and handle times, sessions per agent, the bot's
/// resolution rate, satisfaction), computed from the sessions that ended in it.
/// </summary>
public sealed class SupportSupervision(SqliteSupportStore store)
{
    public async Task<SupportFigures> FiguresAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var closed = await store.ClosedBetweenAsync(from, to, cancellationToken);
        var open = await store.OpenSessionsAsync(cancellationToken);
        var agents = (await store.AgentsAsync(cancellationToken)).ToDictionary(a => a.AgentId, a => a.Name, StringComparer.Ordinal);
        return Compute(from, to, closed, open, agents);
    }

    /// <summary>The figures of closed sessions; pure, so the arithmetic is tested on its own.</summary>
    public static SupportFigures Compute(
        DateTimeOffset from, DateTimeOffset to, IReadOnlyList<SupportSession> closed, IReadOnlyList<SupportSession> open, IReadOnlyDictionary<string, string> agentNames)
    {
        ArgumentNullException.ThrowIfNull(closed);
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
            return new AgentFigures(g.Key, agentNames.GetValueOrDefault(g.Key) ?? g.Last().AgentName ?? g.Key, g.Count(), Percentile(times, 0.5),
                ratings.Count == 0 ? null : Math.Round(ratings.Average(), 2));
        }).OrderByDescending(a => a.Handled).ThenBy(a => a.Name, StringComparer.Ordinal).ToList();
        return new SupportFigures(
            from, to, closed.Count, byBot, closed.Count == 0 ? null : Math.Round((double)byBot / closed.Count, 4), withPerson.Count,
            Percentile(firstResponses, 0.5), Percentile(firstResponses, 0.9), Percentile(handle, 0.5),
            handle.Count == 0 ? null : TimeSpan.FromTicks((long)handle.Average(t => t.Ticks)),
            rated.Count, rated.Count == 0 ? null : Math.Round(rated.Average(s => s.Rating!.Value), 2),
            [.. Enumerable.Range(1, 5).Select(r => rated.Count(s => s.Rating == r))], perAgent,
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
}
