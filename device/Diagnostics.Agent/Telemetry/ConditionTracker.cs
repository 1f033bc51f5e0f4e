using Diagnostics.Protocol;

namespace Diagnostics.Agent.Telemetry;

/// <summary>What changed between two snapshots: the events to send, and whether the snapshot itself is worth sending.</summary>
public sealed record StatusChange(IReadOnlyList<DeviceEvent> Events, bool StatusChanged);

/// <summary>
/// Diffs consecutive <see cref="DeviceStatus"/> snapshots: one Raised or Cleared event per condition code that
/// appeared or went away, and "status changed" when state, conditions, supplies or identity changed. Counters alone
/// do not count: they move with every page and travel with the next status or heartbeat anyway.
/// </summary>
public sealed class ConditionTracker
{
    private DeviceStatus? _previous;

    public StatusChange Observe(DeviceStatus current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var previous = _previous;
        _previous = current;
        var before = previous?.Conditions.ToDictionary(c => c.Code) ?? [];
        var after = current.Conditions.ToDictionary(c => c.Code);
        var events = new List<DeviceEvent>();
        foreach (var gone in before.Values.Where(c => !after.ContainsKey(c.Code)))
            events.Add(ToEvent(EventKind.Cleared, gone));
        foreach (var added in after.Values.Where(c => !before.ContainsKey(c.Code)))
            events.Add(ToEvent(EventKind.Raised, added));
        return new StatusChange(events, previous is null || !SameExceptCounters(previous, current));
    }

    private static DeviceEvent ToEvent(EventKind kind, ActiveCondition condition) => new()
    {
        Kind = kind,
        Code = condition.Code,
        Condition = condition.Condition,
        Severity = condition.Severity,
        Message = condition.Message,
    };

    private static bool SameExceptCounters(DeviceStatus a, DeviceStatus b) =>
        a.Model == b.Model
        && a.Serial == b.Serial
        && a.FirmwareVersion == b.FirmwareVersion
        && a.State == b.State
        && a.StateMessage == b.StateMessage
        && a.Conditions.Select(c => (c.Code, c.Condition, c.Severity, c.Message)).SequenceEqual(b.Conditions.Select(c => (c.Code, c.Condition, c.Severity, c.Message)))
        && a.Supplies.Select(s => (s.Name, s.Type, s.Color, s.LevelPercent, s.Low, s.Empty)).SequenceEqual(b.Supplies.Select(s => (s.Name, s.Type, s.Color, s.LevelPercent, s.Low, s.Empty)));
}
