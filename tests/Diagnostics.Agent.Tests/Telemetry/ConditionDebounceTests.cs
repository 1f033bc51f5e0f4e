using Diagnostics.Agent.Telemetry;
using Diagnostics.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Telemetry;

public sealed class ConditionDebounceTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private static DeviceStatus Status(params string[] codes) => new()
    {
        Model = "M",
        State = DeviceState.Idle,
        Conditions = codes.Select(code => new ActiveCondition { Code = code, Condition = "C", Severity = Severity.Error, Message = code }).ToList(),
    };

    private static (ConditionTracker Tracker, FakeTimeProvider Time) Debounced(double seconds = 2)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        return (new ConditionTracker(TimeSpan.FromSeconds(seconds), time), time);
    }

    private static StatusChange Next(ConditionTracker tracker, FakeTimeProvider time, params string[] codes)
    {
        time.Advance(Poll);
        return tracker.Observe(Status(codes));
    }

    [Fact]
    public void A_condition_is_raised_only_after_it_lasted_the_debounce_interval()
    {
        var (tracker, time) = Debounced();
        tracker.Observe(Status());

        var first = Next(tracker, time, "ipp:media-jam");
        var oneSecond = Next(tracker, time, "ipp:media-jam");
        var twoSeconds = Next(tracker, time, "ipp:media-jam");

        Assert.Empty(first.Events);
        Assert.Empty(first.Status!.Conditions);
        Assert.Empty(oneSecond.Events);
        Assert.Equal([(EventKind.Raised, "ipp:media-jam")], twoSeconds.Events.Select(e => (e.Kind, e.Code)));
        Assert.True(twoSeconds.StatusChanged);
        Assert.Equal(["ipp:media-jam"], twoSeconds.Status!.Conditions.Select(c => c.Code));
    }

    [Fact]
    public void A_condition_is_cleared_only_after_it_stayed_away_the_debounce_interval()
    {
        var (tracker, time) = Debounced();
        tracker.Observe(Status("ipp:door-open"));
        Next(tracker, time, "ipp:door-open");
        Next(tracker, time, "ipp:door-open");

        var firstSeenGone = Next(tracker, time);
        var goneOneSecond = Next(tracker, time);
        var goneTwoSeconds = Next(tracker, time);

        Assert.Empty(firstSeenGone.Events);
        Assert.Empty(goneOneSecond.Events);
        Assert.False(goneOneSecond.StatusChanged);
        Assert.Equal(["ipp:door-open"], goneOneSecond.Status!.Conditions.Select(c => c.Code));
        Assert.Equal([(EventKind.Cleared, "ipp:door-open")], goneTwoSeconds.Events.Select(e => (e.Kind, e.Code)));
        Assert.Empty(goneTwoSeconds.Status!.Conditions);
    }

    [Fact]
    public void A_flapping_condition_emits_nothing_after_being_raised_once()
    {
        var (tracker, time) = Debounced();
        var events = new List<DeviceEvent>();
        var statusChanges = 0;
        events.AddRange(tracker.Observe(Status("ipp:door-open")).Events);
        for (var poll = 0; poll < 3; poll++)
            events.AddRange(Next(tracker, time, "ipp:door-open").Events);

        for (var poll = 0; poll < 60; poll++)
        {
            var change = Next(tracker, time, poll % 2 == 0 ? [] : ["ipp:door-open"]);
            events.AddRange(change.Events);
            statusChanges += change.StatusChanged ? 1 : 0;
        }

        Assert.Equal([(EventKind.Raised, "ipp:door-open")], events.Select(e => (e.Kind, e.Code)));
        Assert.Equal(0, statusChanges);
    }

    [Fact]
    public void A_blip_shorter_than_the_interval_is_never_raised()
    {
        var (tracker, time) = Debounced();
        tracker.Observe(Status());

        var events = new[] { Next(tracker, time, "ipp:media-low"), Next(tracker, time), Next(tracker, time), Next(tracker, time, "ipp:media-low"), Next(tracker, time) }
            .SelectMany(c => c.Events);

        Assert.Empty(events);
    }

    [Fact]
    public void Zero_interval_reports_every_change_on_the_poll_it_is_seen()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var tracker = new ConditionTracker(TimeSpan.Zero, time);

        var raised = tracker.Observe(Status("ipp:media-jam"));
        var cleared = tracker.Observe(Status());

        Assert.Equal([(EventKind.Raised, "ipp:media-jam")], raised.Events.Select(e => (e.Kind, e.Code)));
        Assert.Equal([(EventKind.Cleared, "ipp:media-jam")], cleared.Events.Select(e => (e.Kind, e.Code)));
        Assert.Equal(TimeSpan.Zero, new ConditionTracker().DebounceInterval);
    }

    [Fact]
    public void A_condition_present_at_the_first_read_comes_with_the_first_status()
    {
        var (tracker, _) = Debounced();

        var first = tracker.Observe(Status("ipp:media-jam"));

        // Nothing was seen before it, so it cannot be a blip: the device's first status should not wait for it.
        Assert.Equal([(EventKind.Raised, "ipp:media-jam")], first.Events.Select(e => (e.Kind, e.Code)));
        Assert.Equal(["ipp:media-jam"], first.Status!.Conditions.Select(c => c.Code));
    }

    [Fact]
    public void While_a_condition_waits_for_its_confirmation_the_status_stays_whole_and_says_when_to_read_again()
    {
        var (tracker, time) = Debounced();
        DeviceStatus Printer(DeviceState state, string code = "", string firmware = "2.1.0") => new()
        {
            Model = "M", State = state, StateMessage = state.ToString(), FirmwareVersion = firmware,
            Conditions = code.Length == 0 ? [] : [new ActiveCondition { Code = code, Condition = "C", Severity = Severity.Report, Message = code }],
        };
        var sent = new List<DeviceStatus>();
        void Observe(DeviceStatus observed)
        {
            var change = tracker.Observe(observed);
            if (change.StatusChanged)
                sent.Add(change.Status!);
        }

        Observe(Printer(DeviceState.Idle));
        Assert.Null(tracker.ConfirmationDueAt);
        time.Advance(TimeSpan.FromMilliseconds(400));
        var held = tracker.Observe(Printer(DeviceState.Stopped, "ipp:media-jam", firmware: "2.1.1"));
        // Held: the state and its conditions as last seen together; what does not go with them (firmware) moves on.
        Assert.Equal((DeviceState.Idle, 0, "2.1.1"), (held.Status!.State, held.Status.Conditions.Count, held.Status.FirmwareVersion));
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(2), tracker.ConfirmationDueAt);
        time.Advance(TimeSpan.FromSeconds(2));
        Observe(Printer(DeviceState.Stopped, "ipp:media-jam", firmware: "2.1.1"));
        Assert.Null(tracker.ConfirmationDueAt);
        Observe(Printer(DeviceState.Idle, firmware: "2.1.1"));
        time.Advance(TimeSpan.FromSeconds(2));
        Observe(Printer(DeviceState.Idle, firmware: "2.1.1"));

        // Never "stopped with no condition" nor "idle with an active jam": each sent status was seen whole.
        Assert.Equal(
            [(DeviceState.Idle, ""), (DeviceState.Stopped, "ipp:media-jam"), (DeviceState.Idle, "")],
            sent.Select(s => (s.State, string.Join(",", s.Conditions.Select(c => c.Code)))));
    }

    [Fact]
    public void A_negative_interval_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConditionTracker(TimeSpan.FromSeconds(-1), TimeProvider.System));
}
