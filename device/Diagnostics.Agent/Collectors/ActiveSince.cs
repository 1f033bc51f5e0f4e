using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors;

/// <summary>
/// Remembers since when each condition has been active across a collector's snapshots, so
/// <see cref="ActiveCondition.SinceUnixMs"/> stays the moment it first appeared, not the moment of the last read.
/// </summary>
public sealed class ActiveSince
{
    private readonly Dictionary<string, long> _since = [];

    /// <summary>Adds the condition to <paramref name="conditions"/> when active; forgets its start when it is not.</summary>
    public void Report(List<ActiveCondition> conditions, bool active, string code, string condition, Severity severity, string message, long nowUnixMs)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        if (!active)
        {
            _since.Remove(code);
            return;
        }
        if (!_since.TryGetValue(code, out var since))
            _since[code] = since = nowUnixMs;
        conditions.Add(new ActiveCondition { Code = code, Condition = condition, Severity = severity, Message = message, SinceUnixMs = since });
    }
}
