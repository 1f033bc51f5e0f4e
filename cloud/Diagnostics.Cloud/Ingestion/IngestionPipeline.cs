using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Messaging;
using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>
/// Reads accepted uplinks in batches, drops duplicates, writes each batch in one transaction, and only after the
/// commit acknowledges to each device the highest sequence up to which everything is stored (or declared gone).
/// </summary>
public sealed partial class IngestionPipeline(
    UplinkChannel queue,
    ITelemetryStore store,
    IDownlinkPublisher downlink,
    FleetChanges changes,
    IOptions<IngestionOptions> options,
    TimeProvider time,
    CloudMetrics metrics,
    ILogger<IngestionPipeline> logger) : BackgroundService
{
    // Touched only by the single pipeline loop (and by StartAsync before the loop runs).
    private Dictionary<string, SequenceTracker> _streams = [];
    private long _lastBatchAtUnixMs;
    private int _lastBatchSize;

    public bool IsRunning => ExecuteTask is { IsCompleted: false };

    public int QueueDepth => queue.Depth;

    public DateTimeOffset? LastBatchAt
    {
        get
        {
            var ms = Interlocked.Read(ref _lastBatchAtUnixMs);
            return ms == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
    }

    public int LastBatchSize => Volatile.Read(ref _lastBatchSize);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Marks come back before the broker accepts connections (it is registered after ingestion).
        _streams = new Dictionary<string, SequenceTracker>(await store.LoadStreamsAsync(cancellationToken));
        LogRebuilt(_streams.Count);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batchSize = options.Value.BatchSize;
        var batch = new List<AcceptedUplink>(batchSize);
        // The acks of one batch go out while the next batch is written; a batch's acks start only after the previous
        // batch's are sent, so a device never sees its marks out of order.
        var acks = Task.CompletedTask;
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < batchSize && queue.Reader.TryRead(out var uplink))
                    batch.Add(uplink);
                var marks = await ProcessBatchAsync(batch, stoppingToken);
                // Stored (or failed): no longer in flight, even while their acks are still being sent.
                queue.Settled(batch);
                batch.Clear();
                await acks;
                acks = marks.Count == 0 ? Task.CompletedTask : SendAcksAsync(marks, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: whatever is still queued was never acknowledged, so the devices send it again.
        }
        finally
        {
            await acks;
        }
    }

    /// <summary>Stores a batch; answers each device's mark to acknowledge (none when nothing could be stored).</summary>
    /// <remarks>
    /// One pass over the batch, one <see cref="DeviceInBatch"/> per device gathering its state and what changed: this
    /// runs for every message the cloud stores, so no per-message copies of the device's update and no LINQ passes.
    /// </remarks>
    private async Task<List<(string DeviceId, ulong Mark)>> ProcessBatchAsync(List<AcceptedUplink> batch, CancellationToken cancellationToken)
    {
        var devices = new Dictionary<string, DeviceInBatch>(StringComparer.Ordinal);
        var toStore = new List<AcceptedUplink>(batch.Count);
        long duplicates = 0, gaps = 0;

        foreach (var uplink in batch)
        {
            var envelope = uplink.Envelope;
            var id = envelope.DeviceId;
            if (!devices.TryGetValue(id, out var device))
            {
                var stream = _streams.TryGetValue(id, out var known) ? known.Clone() : new SequenceTracker(null, [], null);
                device = new DeviceInBatch(stream, uplink.ReceivedAt);
                devices[id] = device;
            }
            var gap = device.Stream.ApplyLowestRetained(envelope.LowestRetainedSequence, envelope.Sequence);
            if (gap > 0)
            {
                gaps += gap;
                LogGap(id, gap, envelope.LowestRetainedSequence);
            }

            if (uplink.ReceivedAt > device.LastSeen)
                device.LastSeen = uplink.ReceivedAt;
            if (device.Stream.IsDuplicate(envelope.Sequence))
            {
                duplicates++;
                continue;
            }
            device.Stream.MarkStored(envelope.Sequence);
            toStore.Add(uplink);
            device.Take(envelope);
        }

        var deviceUpdates = new List<DeviceUpdate>(devices.Count);
        foreach (var (id, device) in devices)
            deviceUpdates.Add(device.Update(id));
        IReadOnlyDictionary<string, ulong> committed;
        try
        {
            committed = await store.WriteBatchAsync(new TelemetryBatch(toStore, deviceUpdates), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Nothing of the batch is acknowledged, so every device still holds it and sends it again.
            metrics.Error("ingestion.store");
            metrics.Rejected(RejectReason.StoreFailed, batch.Count);
            LogBatchFailed(ex, batch.Count);
            return [];
        }

        var marks = new List<(string DeviceId, ulong Mark)>(devices.Count);
        var changed = new List<DeviceChange>();
        foreach (var (id, device) in devices)
        {
            if (committed.TryGetValue(id, out var mark))
                device.Stream.CatchUp(mark);
            _streams[id] = device.Stream;
            marks.Add((id, device.Stream.Mark!.Value));
            if (device.Change(id) is { } change)
                changed.Add(change);
        }
        Interlocked.Exchange(ref _lastBatchAtUnixMs, time.GetUtcNow().ToUnixTimeMilliseconds());
        Volatile.Write(ref _lastBatchSize, batch.Count);
        metrics.Stored(toStore.Count);
        if (duplicates > 0)
            metrics.Duplicates(duplicates);
        if (gaps > 0)
            metrics.GapSequences(gaps);
        LogBatchStored(batch.Count, toStore.Count, duplicates, devices.Count);
        changes.Publish(changed);
        return marks;
    }

    /// <summary>Each ack goes to its own device's session: none waits for another.</summary>
    private Task SendAcksAsync(List<(string DeviceId, ulong Mark)> marks, CancellationToken cancellationToken)
    {
        var sends = new Task[marks.Count];
        for (var i = 0; i < marks.Count; i++)
            sends[i] = SendAckAsync(marks[i].DeviceId, marks[i].Mark, cancellationToken);
        return Task.WhenAll(sends);
    }

    /// <summary>
    /// One device's part of a batch: its stream (a copy until the batch commits), the state its stored messages leave
    /// (last seen counts duplicates too: the device was heard), and what live views and loops are told afterwards.
    /// </summary>
    private sealed class DeviceInBatch(SequenceTracker stream, DateTimeOffset firstReceivedAt)
    {
        private int? _heartbeatIntervalSeconds;
        private string? _pairingCode;
        private CurrentStatus? _status;
        private List<DeviceEvent>? _events;
        private List<CommandResult>? _commandResults;
        private List<Protocol.Updates.UpdateReport>? _updateReports;
        private bool _hostReported;

        public SequenceTracker Stream { get; } = stream;

        public DateTimeOffset LastSeen { get; set; } = firstReceivedAt;

        /// <summary>A message of this device that is stored now (not a duplicate).</summary>
        public void Take(Envelope envelope)
        {
            if (envelope.Heartbeat is { } heartbeat)
            {
                if (heartbeat.IntervalSeconds > 0)
                    _heartbeatIntervalSeconds = heartbeat.IntervalSeconds;
                if (PairingCodes.Normalize(heartbeat.PairingCode) is { } pairingCode)
                    _pairingCode = pairingCode;
            }
            // Only the newest status (by sequence) becomes the device's current state.
            if (envelope.Status is { } status && envelope.Sequence > (Stream.StatusSequence ?? 0))
            {
                Stream.StatusSequence = envelope.Sequence;
                _status = new CurrentStatus(envelope.Sequence, status, DeviceHealthRules.From(status));
            }
            if (envelope.Event is { } deviceEvent)
                (_events ??= []).Add(deviceEvent);
            if (envelope.CommandResult is { } result)
                (_commandResults ??= []).Add(result);
            if (envelope.UpdateReport is { } report)
                (_updateReports ??= []).Add(report);
            if (envelope.HostReport is not null)
                _hostReported = true;
        }

        public DeviceUpdate Update(string deviceId) =>
            new(deviceId, Stream.Mark!.Value, LastSeen, _heartbeatIntervalSeconds, _status, _pairingCode);

        /// <summary>What live views and the loops hear of this device's part, once stored; null when nothing they follow changed.</summary>
        public DeviceChange? Change(string deviceId) =>
            _status is null && _events is null && _commandResults is null && _updateReports is null && !_hostReported
                ? null
                : new DeviceChange(deviceId, LastSeen, _status?.Health, DevicePresence.Online, _events is null ? [] : _events,
                    _commandResults, UpdateReports: _updateReports, HostReported: _hostReported);
    }

    private async Task SendAckAsync(string deviceId, ulong mark, CancellationToken cancellationToken)
    {
        var ack = new Ack
        {
            DeviceId = deviceId,
            HighestContiguousSequence = mark,
            CloudTimeUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        try
        {
            await downlink.PublishAsync(Topics.Downlink(deviceId, Topics.AckKind), WireCodec.Encode(ack), cancellationToken, delivery: options.Value.AckDelivery);
            metrics.AckSent();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The data is stored; the device re-sends and gets the ack with the next batch. A warning, not an error:
            // a broker connection that drops (an external broker restarting, the cloud stopping) heals by that re-send.
            metrics.Error("ingestion.ack");
            LogAckFailed(ex, deviceId, mark);
        }
    }

    [LoggerMessage(EventId = IngestionEventIds.StreamsRebuilt, Level = LogLevel.Information, Message = "Rebuilt the sequence marks of {Devices} device(s) from the store")]
    private partial void LogRebuilt(int devices);

    [LoggerMessage(EventId = IngestionEventIds.BatchStored, Level = LogLevel.Debug, Message = "Batch of {Messages} message(s): {Stored} stored, {Duplicates} duplicate(s), {Devices} device(s) acked")]
    private partial void LogBatchStored(int messages, int stored, long duplicates, int devices);

    [LoggerMessage(EventId = IngestionEventIds.BatchFailed, Level = LogLevel.Error, Message = "Batch of {Messages} message(s) could not be stored; none is acknowledged")]
    private partial void LogBatchFailed(Exception exception, int messages);

    [LoggerMessage(EventId = IngestionEventIds.GapSkipped, Level = LogLevel.Warning, Message = "Device {DeviceId} discarded {Gap} sequence(s) below {LowestRetained}; the mark moves past them")]
    private partial void LogGap(string deviceId, long gap, ulong lowestRetained);

    [LoggerMessage(EventId = IngestionEventIds.AckFailed, Level = LogLevel.Warning, Message = "Ack {Mark} to device {DeviceId} could not be published; the device sends the data again and is acked then")]
    private partial void LogAckFailed(Exception exception, string deviceId, ulong mark);
}
