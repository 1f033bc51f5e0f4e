using System.Diagnostics;
using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Reports;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Telemetry;

/// <summary>
/// Polls the collector every poll interval and feeds the outbox: Raised/Cleared events and a status snapshot when
/// something changed, and every heartbeat interval a heartbeat plus a fresh snapshot. Reads sooner when the collector
/// announces a change, when a read is requested, and when a debounced condition change is due for confirmation. A
/// collector that cannot read its device becomes an Unreachable status whose condition and message say why
/// (<see cref="UnreachableCause"/>); its failures are logged once, then summarised (<see cref="ReadFailureLog"/>).
/// </summary>
public sealed partial class TelemetryPump
{
    /// <summary>The condition code of a device that cannot be read for a reason no collector named (<see cref="UnreachableCauses.Other"/>).</summary>
    public const string UnreachableCode = UnreachableCauses.GenericCode;

    /// <summary>Events kept in memory for a diagnostics report; the outbox cannot serve, it deletes what the cloud acked.</summary>
    public const int RecentEventsCapacity = 50;

    private readonly IDeviceCollector _collector;
    private readonly Outbox _outbox;
    private readonly UplinkEnvelopes _envelopes;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConditionTracker _tracker;
    private readonly ReadFailureLog _failures;
    private readonly Func<IEnumerable<Metric>>? _extraMetrics;
    private readonly long _startedTimestamp;
    private readonly ChangeSignal _readRequested = new();
    private readonly Queue<SentEvent> _recentEvents = new(RecentEventsCapacity);
    private volatile DeviceStatus? _latestStatus;
    private DateTimeOffset? _nextHeartbeat;
    private long _collectorErrors;
    private double _lastReadMilliseconds;
    private long? _unreachableSince;

    public TelemetryPump(
        IDeviceCollector collector, Outbox outbox, UplinkEnvelopes envelopes, AgentOptions options, TimeProvider time, ILogger<TelemetryPump> logger,
        Func<IEnumerable<Metric>>? extraMetrics = null)
    {
        _collector = collector;
        _outbox = outbox;
        _envelopes = envelopes;
        _options = options;
        _time = time;
        _logger = logger;
        _extraMetrics = extraMetrics;
        _tracker = new ConditionTracker(options.ConditionDebounceInterval, time);
        _failures = new ReadFailureLog(logger, collector.Name, time);
        _startedTimestamp = time.GetTimestamp();
    }

    public long CollectorErrors => Interlocked.Read(ref _collectorErrors);

    /// <summary>Sent in every heartbeat so the cloud can match the code the owner types to this device.</summary>
    public string PairingCode { get; init; } = "";

    /// <summary>
    /// Asks for a read before the next poll is due (a command just changed the device, so the cloud should see it
    /// now). Latched like a change notification: a request made while a read runs causes one more read.
    /// </summary>
    public void RequestRead() => _readRequested.Set();

    /// <summary>The newest (debounced) status the pump read, or null before its first poll.</summary>
    public DeviceStatus? LatestStatus => _latestStatus;

    /// <summary>The last <see cref="RecentEventsCapacity"/> events the pump enqueued, oldest first.</summary>
    public IReadOnlyList<SentEvent> RecentEvents()
    {
        lock (_recentEvents)
            return [.. _recentEvents];
    }

    /// <summary>The latest status, or a fresh read when the pump has not read the device yet (for a diagnostics report).</summary>
    public async ValueTask<DeviceStatus> CurrentStatusAsync(CancellationToken cancellationToken) =>
        _latestStatus ?? await ReadStatusAsync(cancellationToken);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Log.Started(_logger, _envelopes.DeviceId, _collector.Name, _options.PollInterval.TotalSeconds, _options.HeartbeatInterval.TotalSeconds);
        using var timer = new PeriodicTimer(_options.PollInterval, _time);
        var notifier = _collector as IChangeNotifier;
        // A timer allows one pending tick; it is kept across a round that a change notification cut short.
        Task<bool>? tick = null;
        do
        {
            await PollOnceAsync(cancellationToken);
            tick ??= timer.WaitForNextTickAsync(cancellationToken).AsTask();
            if (await ChangedBeforeTickAsync(notifier, tick, cancellationToken))
                continue;
            if (!await tick)
                break;
            tick = null;
        }
        while (!cancellationToken.IsCancellationRequested);
    }

    /// <summary>
    /// True when the device announced a change, a read was requested, or a condition change is due for confirmation
    /// before the next poll. The last matters with notifications and a long poll interval: without it a jam announced
    /// at once would wait for the next poll to be confirmed.
    /// </summary>
    private async Task<bool> ChangedBeforeTickAsync(IChangeNotifier? notifier, Task<bool> tick, CancellationToken cancellationToken)
    {
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        List<Task> waits = [_readRequested.WaitAsync(stopWaiting.Token)];
        if (notifier is not null)
            waits.Add(notifier.WaitForChangeAsync(stopWaiting.Token));
        if (_tracker.ConfirmationDueAt is { } due)
        {
            var wait = due - _time.GetUtcNow();
            waits.Add(Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, _time, stopWaiting.Token));
        }
        var first = await Task.WhenAny([tick, .. waits]);
        var changed = first != tick && first.IsCompletedSuccessfully;
        // Cancelling a wait does not consume its latch: a change that lost the race is read on the next round.
        await stopWaiting.CancelAsync();
        foreach (var wait in waits)
        {
            try
            {
                await wait;
            }
            catch (OperationCanceledException)
            {
                // Stopped waiting: something else came first.
            }
        }
        return changed;
    }

    /// <summary>One poll: read, diff, enqueue; and the heartbeat when it is due. Returns what was enqueued.</summary>
    public async ValueTask<IReadOnlyList<Envelope>> PollOnceAsync(CancellationToken cancellationToken)
    {
        var status = await ReadStatusAsync(cancellationToken);
        var change = _tracker.Observe(status);
        var batch = new List<Envelope>();
        foreach (var deviceEvent in change.Events)
            batch.Add(_envelopes.Event(deviceEvent));
        var now = _time.GetUtcNow();
        var heartbeatDue = _nextHeartbeat is null || now >= _nextHeartbeat;
        // The debounced snapshot, so the status and the events tell the same story (none while nothing is whole yet).
        if ((change.StatusChanged || heartbeatDue) && change.Status is { } whole)
            batch.Add(_envelopes.Status(whole));
        if (heartbeatDue)
        {
            batch.Add(_envelopes.Heartbeat(CreateHeartbeat()));
            _nextHeartbeat = now + _options.HeartbeatInterval;
        }
        if (batch.Count > 0)
            await _outbox.EnqueueAsync(batch, cancellationToken);
        _latestStatus = change.Status ?? status;
        if (change.Events.Count > 0)
            Remember(change.Events, now);
        return batch;
    }

    private void Remember(IEnumerable<DeviceEvent> events, DateTimeOffset at)
    {
        lock (_recentEvents)
        {
            foreach (var deviceEvent in events)
            {
                if (_recentEvents.Count == RecentEventsCapacity)
                    _recentEvents.Dequeue();
                _recentEvents.Enqueue(new SentEvent(at, deviceEvent));
            }
        }
    }

    private async ValueTask<DeviceStatus> ReadStatusAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var status = await _collector.ReadAsync(cancellationToken);
            _lastReadMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            _failures.Succeeded();
            _unreachableSince = null;
            return status;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Interlocked.Increment(ref _collectorErrors);
            _failures.Failed(ex);
            var cause = UnreachableCause.Of(ex);
            _unreachableSince ??= _time.GetUtcNow().ToUnixTimeMilliseconds();
            // The agent is alive but cannot see its device: that is a condition the cloud should know about, with the
            // cause in words a person acts on and a code per cause class for the knowledge base.
            return new DeviceStatus
            {
                State = DeviceState.Unreachable,
                StateMessage = cause.Words,
                Conditions =
                [
                    new ActiveCondition
                    {
                        Code = cause.Code,
                        Condition = Conditions.DeviceUnreachable,
                        Severity = Severity.Error,
                        Message = $"The agent cannot read the device: {cause.Words}",
                        SinceUnixMs = _unreachableSince.Value,
                    },
                ],
            };
        }
    }

    private Heartbeat CreateHeartbeat()
    {
        var heartbeat = new Heartbeat
        {
            IntervalSeconds = (int)_options.HeartbeatInterval.TotalSeconds,
            UptimeSeconds = (long)_time.GetElapsedTime(_startedTimestamp).TotalSeconds,
            OutboxDepth = _outbox.Depth,
            OutboxDiscarded = _outbox.Discarded,
            PairingCode = PairingCode,
            Metrics =
            [
                new Metric { Name = "collector-read-time", Value = _lastReadMilliseconds, Unit = "ms" },
                new Metric { Name = "collector-errors", Value = CollectorErrors, Unit = "count" },
                new Metric { Name = "outbox-discarded-heartbeat", Value = _outbox.DiscardedOf(UplinkKind.Heartbeat), Unit = "count" },
                new Metric { Name = "outbox-discarded-status", Value = _outbox.DiscardedOf(UplinkKind.Status), Unit = "count" },
                new Metric { Name = "outbox-discarded-event", Value = _outbox.DiscardedOf(UplinkKind.Event), Unit = "count" },
            ],
        };
        if (_extraMetrics is not null)
            heartbeat.Metrics.AddRange(_extraMetrics());
        return heartbeat;
    }

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.TelemetryPumpStarted, LogLevel.Debug, "Telemetry for {DeviceId} from collector {Collector}: poll every {PollSeconds} s, heartbeat every {HeartbeatSeconds} s")]
        public static partial void Started(ILogger logger, string deviceId, string collector, double pollSeconds, double heartbeatSeconds);
    }
}
