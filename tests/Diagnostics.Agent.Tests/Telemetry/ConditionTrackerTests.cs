using Diagnostics.Agent.Telemetry;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Tests.Telemetry;

public sealed class ConditionTrackerTests
{
    private static DeviceStatus Status(long pages = 10, int toner = 50, params string[] codes) => new()
    {
        Model = "M",
        State = codes.Length > 0 ? DeviceState.Stopped : DeviceState.Idle,
        Conditions = codes.Select(code => new ActiveCondition { Code = code, Condition = code.ToUpperInvariant(), Severity = Severity.Error, Message = code }).ToList(),
        Supplies = [new SupplyLevel { Name = "Black", Type = "toner", LevelPercent = toner }],
        Counters = [new Counter { Name = "pages-printed", Value = pages }],
    };

    [Fact]
    public void First_snapshot_is_a_status_change_and_raises_its_conditions()
    {
        var tracker = new ConditionTracker();

        var change = tracker.Observe(Status(codes: "ipp:media-jam"));

        Assert.True(change.StatusChanged);
        var raised = Assert.Single(change.Events);
        Assert.Equal((EventKind.Raised, "ipp:media-jam", "IPP:MEDIA-JAM"), (raised.Kind, raised.Code, raised.Condition));
    }

    [Fact]
    public void Raises_added_conditions_and_clears_removed_ones()
    {
        var tracker = new ConditionTracker();
        tracker.Observe(Status(codes: ["ipp:media-jam", "ipp:door-open"]));

        var change = tracker.Observe(Status(codes: ["ipp:door-open", "ipp:toner-low"]));

        Assert.True(change.StatusChanged);
        Assert.Equal(
            [(EventKind.Cleared, "ipp:media-jam"), (EventKind.Raised, "ipp:toner-low")],
            change.Events.Select(e => (e.Kind, e.Code)));
    }

    [Fact]
    public void Nothing_changes_no_event_and_no_status()
    {
        var tracker = new ConditionTracker();
        tracker.Observe(Status(codes: "ipp:door-open"));

        var change = tracker.Observe(Status(codes: "ipp:door-open"));

        Assert.Empty(change.Events);
        Assert.False(change.StatusChanged);
    }

    [Fact]
    public void Counter_only_change_does_not_emit_a_status()
    {
        var tracker = new ConditionTracker();
        tracker.Observe(Status(pages: 10));

        var change = tracker.Observe(Status(pages: 11));

        Assert.False(change.StatusChanged);
        Assert.Empty(change.Events);
    }

    [Fact]
    public void Supply_level_change_emits_a_status_without_events()
    {
        var tracker = new ConditionTracker();
        tracker.Observe(Status(toner: 50));

        var change = tracker.Observe(Status(toner: 49));

        Assert.True(change.StatusChanged);
        Assert.Empty(change.Events);
    }
}
