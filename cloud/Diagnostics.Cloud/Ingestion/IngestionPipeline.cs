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
    private async Task<List<(string DeviceId, ulong Mark)>> ProcessBatchAsync(List<AcceptedUplink> batch, CancellationToken cancellationToken)
    {
        var work = new Dictionary<string, SequenceTracker>();
        var updates = new Dictionary<string, DeviceUpdate>();
        var toStore = new List<AcceptedUplink>(batch.Count);
        long duplicates = 0, gaps = 0;

        foreach (var uplink in batch)
        {
            var envelope = uplink.Envelope;
            var id = envelope.DeviceId;
            if (!work.TryGetValue(id, out var stream))
            {
                stream = _streams.TryGetValue(id, out var known) ? known.Clone() : new SequenceTracker(null, [], null);
                work[id] = stream;
            }
            var gap = stream.ApplyLowestRetained(envelope.LowestRetainedSequence, envelope.Sequence);
            if (gap > 0)
            {
                gaps += gap;
                LogGap(id, gap, envelope.LowestRetainedSequence);
            }

            var update = updates.TryGetValue(id, out var u) ? u : new DeviceUpdate(id, 0, uplink.ReceivedAt, null, null);
            update = update with { LastSeen = uplink.ReceivedAt > update.LastSeen ? uplink.ReceivedAt : update.LastSeen };
            if (stream.IsDuplicate(envelope.Sequence))
            {
                duplicates++;
                updates[id] = update;
                continue;
            }
            stream.MarkStored(envelope.Sequence);
            toStore.Add(uplink);
            if (envelope.Heartbeat is { } heartbeat)
            {
                if (heartbeat.IntervalSeconds > 0)
                    update = update with { HeartbeatIntervalSeconds = heartbeat.IntervalSeconds };
                if (PairingCodes.Normalize(heartbeat.PairingCode) is { } pairingCode)
                    update = update with { PairingCode = pairingCode };
            }
            if (envelope.Status is { } status && envelope.Sequence > (stream.StatusSequence ?? 0))
            {
                stream.StatusSequence = envelope.Sequence;
                update = update with { Status = new CurrentStatus(envelope.Sequence, status, DeviceHealthRules.From(status)) };
            }
            updates[id] = update;
        }

        var deviceUpdates = updates.Values.Select(u => u with { Mark = work[u.DeviceId].Mark!.Value }).ToList();
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

        foreach (var (id, stream) in work)
        {
            if (committed.TryGetValue(id, out var mark))
                stream.CatchUp(mark);
            _streams[id] = stream;
        }
        Interlocked.Exchange(ref _lastBatchAtUnixMs, time.GetUtcNow().ToUnixTimeMilliseconds());
        Volatile.Write(ref _lastBatchSize, batch.Count);
        metrics.Stored(toStore.Count);
        if (duplicates > 0)
            metrics.Duplicates(duplicates);
        if (gaps > 0)
            metrics.GapSequences(gaps);
        LogBatchStored(batch.Count, toStore.Count, duplicates, work.Count);
        changes.Publish(DescribeChanges(toStore, deviceUpdates));

        return [.. work.Select(w => (w.Key, w.Value.Mark!.Value))];
    }

    /// <summary>Each ack goes to its own device's session: none waits for another.</summary>
    private Task SendAcksAsync(List<(string DeviceId, ulong Mark)> marks, CancellationToken cancellationToken) =>
        Task.WhenAll(marks.Select(m => SendAckAsync(m.DeviceId, m.Mark, cancellationToken)));

    private static List<DeviceChange> DescribeChanges(List<AcceptedUplink> stored, List<DeviceUpdate> deviceUpdates)
    {
        var events = stored.Where(u => u.Envelope.Event is not null).ToLookup(u => u.Envelope.DeviceId, u => u.Envelope.Event!);
        var results = stored.Where(u => u.Envelope.CommandResult is not null).ToLookup(u => u.Envelope.DeviceId, u => u.Envelope.CommandResult!);
        var updates = stored.Where(u => u.Envelope.UpdateReport is not null).ToLookup(u => u.Envelope.DeviceId, u => u.Envelope.UpdateReport!);
        var hosts = stored.Where(u => u.Envelope.HostReport is not null).Select(u => u.Envelope.DeviceId).ToHashSet(StringComparer.Ordinal);
        return deviceUpdates
            .Where(u => u.Status is not null || events.Contains(u.DeviceId) || results.Contains(u.DeviceId) || updates.Contains(u.DeviceId) || hosts.Contains(u.DeviceId))
            .Select(u => new DeviceChange(u.DeviceId, u.LastSeen, u.Status?.Health, DevicePresence.Online, [.. events[u.DeviceId]],
                results.Contains(u.DeviceId) ? [.. results[u.DeviceId]] : null, UpdateReports: updates.Contains(u.DeviceId) ? [.. updates[u.DeviceId]] : null,
                HostReported: hosts.Contains(u.DeviceId)))
            .ToList();
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
