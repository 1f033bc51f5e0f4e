using Diagnostics.Protocol;

namespace Diagnostics.Agent.Telemetry;

/// <summary>
/// Holds back condition changes until they have lasted: a condition counts as raised once it has been seen
/// continuously for the debounce interval, and as cleared once it has been absent that long. A flapping sensor
/// (a door switch bouncing, a tray level hovering at its threshold) then costs nothing instead of an event pair
/// per poll. With a zero interval every change passes through on the poll it is seen.
/// </summary>
public sealed class ConditionDebouncer
{
    private readonly TimeSpan _interval;
    // Reported conditions in the order they were raised, so the stable list keeps its order across polls.
    private readonly List<string> _reportedOrder = [];
    private readonly Dictionary<string, ActiveCondition> _reported = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _appearingSince = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _disappearingSince = new(StringComparer.Ordinal);

    public ConditionDebouncer(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        _interval = interval;
    }

    public TimeSpan Interval => _interval;

    /// <summary>
    /// When the earliest pending change (a condition waiting to be raised or cleared) is due for confirmation; null when
    /// nothing is pending. A read at that moment confirms it (or finds it gone), so the caller schedules one.
    /// </summary>
    public DateTimeOffset? NextConfirmationAt =>
        _appearingSince.Values.Concat(_disappearingSince.Values).Select(since => (DateTimeOffset?)(since + _interval)).Min();

    /// <summary>
    /// Takes the conditions of the very first observation as they are: with no earlier reading there is nothing they
    /// could be a blip against, and the device's first status should not wait for them.
    /// </summary>
    public IReadOnlyList<ActiveCondition> Seed(IReadOnlyList<ActiveCondition> observed)
    {
        ArgumentNullException.ThrowIfNull(observed);
        foreach (var condition in observed)
        {
            if (_reported.TryAdd(condition.Code, condition))
                _reportedOrder.Add(condition.Code);
        }
        return _reportedOrder.Select(code => _reported[code]).ToList();
    }

    /// <summary>The conditions to report as active after observing <paramref name="observed"/> at <paramref name="now"/>.</summary>
    public IReadOnlyList<ActiveCondition> Stabilize(IReadOnlyList<ActiveCondition> observed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(observed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var condition in observed)
        {
            if (!seen.Add(condition.Code))
                continue;
            if (_reported.ContainsKey(condition.Code))
            {
                _reported[condition.Code] = condition;
                _disappearingSince.Remove(condition.Code);
                continue;
            }
            if (!_appearingSince.TryGetValue(condition.Code, out var since))
                _appearingSince[condition.Code] = since = now;
            if (now - since >= _interval)
            {
                _appearingSince.Remove(condition.Code);
                _reported[condition.Code] = condition;
                _reportedOrder.Add(condition.Code);
            }
        }
        // Gone before it lasted: it never happened, as far as the cloud is concerned.
        foreach (var code in _appearingSince.Keys.Where(code => !seen.Contains(code)).ToList())
            _appearingSince.Remove(code);
        foreach (var code in _reportedOrder.Where(code => !seen.Contains(code)).ToList())
        {
            if (!_disappearingSince.TryGetValue(code, out var since))
                _disappearingSince[code] = since = now;
            if (now - since >= _interval)
            {
                _disappearingSince.Remove(code);
                _reported.Remove(code);
                _reportedOrder.Remove(code);
            }
        }
        return _reportedOrder.Select(code => _reported[code]).ToList();
    }
}
