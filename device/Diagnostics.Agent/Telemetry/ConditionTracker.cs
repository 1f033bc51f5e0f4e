using Diagnostics.Protocol;

namespace Diagnostics.Agent.Telemetry;

/// <summary>What changed between two snapshots: the events to send, and whether the snapshot itself is worth sending.</summary>
public sealed record StatusChange(IReadOnlyList<DeviceEvent> Events, bool StatusChanged)
{
    /// <summary>
    /// The snapshot to send: the observed one when its conditions are the debounced set; while a condition change
    /// waits for its confirmation, the observed one with the state, message and conditions of the last snapshot that
    /// was whole (seen together), so a status never shows a state without the conditions that go with it. Identity,
    /// supplies and counters are always the latest. Null only when nothing was observed.
    /// </summary>
    public DeviceStatus? Status { get; init; }
}

/// <summary>
/// Diffs consecutive <see cref="DeviceStatus"/> snapshots: one Raised or Cleared event per condition code that
/// appeared or went away, and "status changed" when state, conditions, supplies or identity changed. Counters alone
/// do not count: they move with every page and travel with the next status or heartbeat anyway.
/// With a debounce interval, a condition must be present (or absent) that long before it is raised (or cleared);
/// see <see cref="ConditionDebouncer"/>. Meanwhile the snapshot is held as it last was whole, and
/// <see cref="ConfirmationDueAt"/> says when to read again to confirm.
/// </summary>
public sealed class ConditionTracker
{
    /// <summary>Suggested debounce for a real device; the parameterless constructor keeps zero (no debouncing).</summary>
    public static readonly TimeSpan DefaultDebounceInterval = TimeSpan.FromSeconds(2);

    private readonly ConditionDebouncer? _debouncer;
    private readonly TimeProvider _time;
    private DeviceStatus? _previous;
    private DeviceStatus? _lastWhole;

    /// <summary>Every change is reported on the poll it is seen.</summary>
    public ConditionTracker() : this(TimeSpan.Zero, TimeProvider.System) { }

    public ConditionTracker(TimeSpan debounceInterval, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(debounceInterval, TimeSpan.Zero);
        _time = time;
        _debouncer = debounceInterval > TimeSpan.Zero ? new ConditionDebouncer(debounceInterval) : null;
    }

    public TimeSpan DebounceInterval => _debouncer?.Interval ?? TimeSpan.Zero;

    /// <summary>When a pending condition change is due for confirmation: read the device then. Null when none is pending.</summary>
    public DateTimeOffset? ConfirmationDueAt => _debouncer?.NextConfirmationAt;

    public StatusChange Observe(DeviceStatus current)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (_debouncer is not null)
        {
            var stable = _lastWhole is null ? _debouncer.Seed(current.Conditions) : _debouncer.Stabilize(current.Conditions, _time.GetUtcNow());
            if (_lastWhole is null || stable.Select(c => c.Code).ToHashSet(StringComparer.Ordinal).SetEquals(current.Conditions.Select(c => c.Code)))
            {
                current = WithConditions(current, stable);
                _lastWhole = current;
            }
            else
            {
                // A condition waits for its confirmation: the state and its conditions stay as last seen together.
                current = WithStateOf(_lastWhole, current);
            }
        }
        var previous = _previous;
        _previous = current;
        var before = previous?.Conditions.ToDictionary(c => c.Code) ?? [];
        var after = current.Conditions.ToDictionary(c => c.Code);
        var events = new List<DeviceEvent>();
        foreach (var gone in before.Values.Where(c => !after.ContainsKey(c.Code)))
            events.Add(ToEvent(EventKind.Cleared, gone));
        foreach (var added in after.Values.Where(c => !before.ContainsKey(c.Code)))
            events.Add(ToEvent(EventKind.Raised, added));
        return new StatusChange(events, previous is null || !SameExceptCounters(previous, current)) { Status = current };
    }

    private static DeviceStatus WithConditions(DeviceStatus status, IReadOnlyList<ActiveCondition> conditions) => new()
    {
        Model = status.Model,
        Serial = status.Serial,
        FirmwareVersion = status.FirmwareVersion,
        State = status.State,
        StateMessage = status.StateMessage,
        Conditions = [.. conditions],
        Supplies = status.Supplies,
        Counters = status.Counters,
    };

    /// <summary>The latest snapshot with the state, message and conditions of a whole one: those three must agree.</summary>
    private static DeviceStatus WithStateOf(DeviceStatus whole, DeviceStatus latest) => new()
    {
        Model = latest.Model,
        Serial = latest.Serial,
        FirmwareVersion = latest.FirmwareVersion,
        State = whole.State,
        StateMessage = whole.StateMessage,
        Conditions = [.. whole.Conditions],
        Supplies = latest.Supplies,
        Counters = latest.Counters,
    };

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
