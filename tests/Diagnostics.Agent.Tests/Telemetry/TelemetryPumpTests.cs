using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Telemetry;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Telemetry;

public sealed class TelemetryPumpTests : IDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
    private readonly ScriptedCollector _collector = new();
    private readonly Outbox _outbox;
    private readonly TelemetryPump _pump;

    public TelemetryPumpTests()
    {
        _outbox = Outbox.Open(_directory.Path, new OutboxOptions(), _time);
        // Undebounced: these tests follow each poll; debouncing has its own tests.
        var options = new AgentOptions { DeviceId = "dev-1", HeartbeatInterval = TimeSpan.FromSeconds(30), ConditionDebounceInterval = TimeSpan.Zero };
        _pump = new TelemetryPump(_collector, _outbox, new UplinkEnvelopes("dev-1", _time), options, _time, NullLogger<TelemetryPump>.Instance);
    }

    public void Dispose()
    {
        _outbox.Dispose();
        _directory.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task First_poll_sends_events_status_and_heartbeat_then_only_changes_until_the_next_heartbeat()
    {
        _collector.Next = new DeviceStatus { State = DeviceState.Stopped, Conditions = [new ActiveCondition { Code = "ipp:door-open", Severity = Severity.Error }] };
        var first = await _pump.PollOnceAsync(Ct);
        Assert.Equal([UplinkKind.Event, UplinkKind.Status, UplinkKind.Heartbeat], first.Select(e => e.Kind!.Value));
        Assert.Equal(30, first[2].Heartbeat!.IntervalSeconds);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(await _pump.PollOnceAsync(Ct));

        _collector.Next = new DeviceStatus { State = DeviceState.Idle };
        _time.Advance(TimeSpan.FromSeconds(1));
        var cleared = await _pump.PollOnceAsync(Ct);
        Assert.Equal([UplinkKind.Event, UplinkKind.Status], cleared.Select(e => e.Kind!.Value));
        Assert.Equal(EventKind.Cleared, cleared[0].Event!.Kind);

        _time.Advance(TimeSpan.FromSeconds(30));
        var heartbeat = await _pump.PollOnceAsync(Ct);
        Assert.Equal([UplinkKind.Status, UplinkKind.Heartbeat], heartbeat.Select(e => e.Kind!.Value));
        Assert.Equal(32, heartbeat[1].Heartbeat!.UptimeSeconds);
        Assert.Equal(5, heartbeat[1].Heartbeat!.OutboxDepth);
        Assert.Equal(7, _outbox.Depth);
    }

    [Fact]
    public async Task Every_heartbeat_carries_the_pairing_code()
    {
        using var outbox = Outbox.Open(Path.Combine(_directory.Path, "pairing"), new OutboxOptions(), _time);
        var options = new AgentOptions { DeviceId = "dev-1", HeartbeatInterval = TimeSpan.FromSeconds(30), ConditionDebounceInterval = TimeSpan.Zero };
        var pump = new TelemetryPump(_collector, outbox, new UplinkEnvelopes("dev-1", _time), options, _time, NullLogger<TelemetryPump>.Instance)
        {
            PairingCode = "AB12CD34",
        };
        _collector.Next = new DeviceStatus { State = DeviceState.Idle };

        var first = (await pump.PollOnceAsync(Ct)).Single(e => e.Kind == UplinkKind.Heartbeat);
        _time.Advance(TimeSpan.FromSeconds(31));
        var second = (await pump.PollOnceAsync(Ct)).Single(e => e.Kind == UplinkKind.Heartbeat);

        Assert.Equal(["AB12CD34", "AB12CD34"], new[] { first, second }.Select(e => e.Heartbeat!.PairingCode));
    }

    [Fact]
    public async Task A_failing_collector_reports_the_device_unreachable()
    {
        _collector.Failure = new IOException("no route to printer");

        var sent = await _pump.PollOnceAsync(Ct);

        var raised = sent.Single(e => e.Kind == UplinkKind.Event).Event!;
        Assert.Equal((TelemetryPump.UnreachableCode, Conditions.DeviceUnreachable), (raised.Code, raised.Condition));
        Assert.Equal(DeviceState.Unreachable, sent.Single(e => e.Kind == UplinkKind.Status).Status!.State);
        Assert.Equal(1, _pump.CollectorErrors);
    }

    [Fact]
    public async Task With_a_debounce_a_blip_shorter_than_the_interval_sends_nothing_and_a_lasting_condition_one_event()
    {
        using var outbox = Outbox.Open(Path.Combine(_directory.Path, "debounced"), new OutboxOptions(), _time);
        var options = new AgentOptions { DeviceId = "dev-1", ConditionDebounceInterval = TimeSpan.FromSeconds(2) };
        var pump = new TelemetryPump(_collector, outbox, new UplinkEnvelopes("dev-1", _time), options, _time, NullLogger<TelemetryPump>.Instance);
        var jam = new DeviceStatus { State = DeviceState.Stopped, Conditions = [new ActiveCondition { Code = "ipp:media-jam", Severity = Severity.Error }] };
        await pump.PollOnceAsync(Ct); // first heartbeat out of the way

        var sent = new List<Envelope>();
        foreach (var status in new[] { jam, new DeviceStatus(), jam, jam, jam, jam })
        {
            _collector.Next = status;
            _time.Advance(TimeSpan.FromSeconds(1));
            sent.AddRange(await pump.PollOnceAsync(Ct));
        }

        var raised = Assert.Single(sent, e => e.Kind == UplinkKind.Event);
        Assert.Equal((EventKind.Raised, "ipp:media-jam"), (raised.Event!.Kind, raised.Event.Code));
        // The status sent with it agrees with the event: the jam is active in it.
        Assert.Contains(sent.Where(e => e.Kind == UplinkKind.Status), e => e.Status!.Conditions.Any(c => c.Code == "ipp:media-jam"));
        // and no status before the event showed the blip.
        Assert.True(raised.Sequence > 0);
        Assert.All(sent.Where(e => e.Kind == UplinkKind.Status && e.Sequence < raised.Sequence), e => Assert.Empty(e.Status!.Conditions));
    }

    [Fact]
    public async Task A_collector_that_announces_a_change_is_read_at_once_not_at_the_next_poll()
    {
        using var outbox = Outbox.Open(Path.Combine(_directory.Path, "notified"), new OutboxOptions(), _time);
        var collector = new AnnouncingCollector();
        var options = new AgentOptions { DeviceId = "dev-1", PollInterval = TimeSpan.FromMinutes(5), ConditionDebounceInterval = TimeSpan.Zero };
        var pump = new TelemetryPump(collector, outbox, new UplinkEnvelopes("dev-1", _time), options, _time, NullLogger<TelemetryPump>.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = pump.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => collector.Reads == 1, "the first poll");

        collector.Next = new DeviceStatus { State = DeviceState.Stopped, Conditions = [new ActiveCondition { Code = "ipp:paused", Severity = Severity.Error }] };
        collector.Announce();

        // The fake clock never moves: only the announcement can cause this read.
        await Eventually.TrueAsync(() => collector.Reads == 2, "a read right after the announcement");
        await Eventually.TrueAsync(() => outbox.Depth == 4, "first status and heartbeat, then the raised event and the new status queued");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task A_condition_waiting_for_confirmation_is_read_again_at_its_deadline_not_at_the_next_poll()
    {
        using var outbox = Outbox.Open(Path.Combine(_directory.Path, "confirmed"), new OutboxOptions(), _time);
        var collector = new AnnouncingCollector();
        var options = new AgentOptions { DeviceId = "dev-1", PollInterval = TimeSpan.FromMinutes(5), ConditionDebounceInterval = TimeSpan.FromSeconds(2) };
        var pump = new TelemetryPump(collector, outbox, new UplinkEnvelopes("dev-1", _time), options, _time, NullLogger<TelemetryPump>.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = pump.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => collector.Reads == 1, "the first poll");

        collector.Next = new DeviceStatus { State = DeviceState.Stopped, Conditions = [new ActiveCondition { Code = "ipp:media-jam", Severity = Severity.Report }] };
        collector.Announce();
        await Eventually.TrueAsync(() => collector.Reads == 2, "a read right after the announcement");
        // The jam waits 2 s for its confirmation; the next poll is 5 minutes away (the clock moves at most 50 s here).
        // Only the deadline can cause this read.
        await Eventually.TrueAsync(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            return collector.Reads == 3;
        }, "a read at the confirmation deadline");
        await Eventually.TrueAsync(() => outbox.Depth == 4, "first status and heartbeat, then the raised jam and its status");

        var statuses = (await outbox.ReadFromAsync(0, 10, Ct)).Where(r => r.Kind == UplinkKind.Status)
            .Select(r => WireCodec.Decode<Envelope>(r.Payload).Value!.Status!).ToList();
        Assert.Equal([(DeviceState.Idle, 0), (DeviceState.Stopped, 1)], statuses.Select(s => (s.State, s.Conditions.Count)));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task An_unreachable_device_says_why_in_plain_words_with_a_code_per_cause()
    {
        _collector.Failure = new Diagnostics.Agent.Collectors.Ipp.IppRequestException(
            Diagnostics.Agent.Collectors.Ipp.IppRequestFailure.Malformed, "printer sent garbage",
            cause: new UnreachableCause(UnreachableCauses.NotIpp, "the printer answered with something that is not IPP"));

        var sent = await _pump.PollOnceAsync(Ct);

        var status = sent.Single(e => e.Kind == UplinkKind.Status).Status!;
        Assert.Equal((DeviceState.Unreachable, "the printer answered with something that is not IPP"), (status.State, status.StateMessage));
        var condition = Assert.Single(status.Conditions);
        Assert.Equal(("agent:unreachable-not-ipp", Conditions.DeviceUnreachable, Severity.Error), (condition.Code, condition.Condition, condition.Severity));
        Assert.Equal("The agent cannot read the device: the printer answered with something that is not IPP", condition.Message);
    }

    [Fact]
    public async Task A_requested_read_happens_at_once_not_at_the_next_poll_for_any_collector()
    {
        using var outbox = Outbox.Open(Path.Combine(_directory.Path, "requested"), new OutboxOptions(), _time);
        var collector = new ScriptedCollector();
        var options = new AgentOptions { DeviceId = "dev-1", PollInterval = TimeSpan.FromMinutes(5), ConditionDebounceInterval = TimeSpan.Zero };
        var pump = new TelemetryPump(collector, outbox, new UplinkEnvelopes("dev-1", _time), options, _time, NullLogger<TelemetryPump>.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = pump.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => collector.Reads == 1, "the first poll");

        pump.RequestRead();

        // The fake clock never moves and the collector cannot announce changes: only the request can cause this read.
        await Eventually.TrueAsync(() => collector.Reads == 2, "a read right after the request");
        pump.RequestRead();
        await Eventually.TrueAsync(() => collector.Reads == 3, "each request is one more read");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    private sealed class AnnouncingCollector : IDeviceCollector, IChangeNotifier
    {
        private readonly ChangeSignal _changed = new();
        private int _reads;

        public DeviceStatus Next { get; set; } = new() { State = DeviceState.Idle };
        public int Reads => Volatile.Read(ref _reads);
        public string Name => "announcing";

        public void Announce() => _changed.Set();

        public Task WaitForChangeAsync(CancellationToken cancellationToken) => _changed.WaitAsync(cancellationToken);

        public ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            return ValueTask.FromResult(Next);
        }
    }

    private sealed class ScriptedCollector : IDeviceCollector
    {
        private int _reads;

        public DeviceStatus Next { get; set; } = new();
        public Exception? Failure { get; set; }
        public int Reads => Volatile.Read(ref _reads);
        public string Name => "scripted";

        public ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            return Failure is null ? ValueTask.FromResult(Next) : ValueTask.FromException<DeviceStatus>(Failure);
        }
    }
}
