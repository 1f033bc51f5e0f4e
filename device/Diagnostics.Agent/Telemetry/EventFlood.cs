using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Telemetry;

/// <summary>Load mode: enqueues a number of synthetic events as fast as the outbox takes them, to measure cloud ingest.</summary>
public static class EventFlood
{
    public const string Code = "load:flood";
    private const int BatchSize = 500;

    /// <summary>Enqueues <paramref name="count"/> events in batches; returns how long it took.</summary>
    public static async Task<TimeSpan> RunAsync(Outbox outbox, UplinkEnvelopes envelopes, int count, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(envelopes);
        var started = time.GetTimestamp();
        for (var done = 0; done < count;)
        {
            var batch = new List<Envelope>(Math.Min(BatchSize, count - done));
            for (var i = 0; i < batch.Capacity; i++, done++)
            {
                batch.Add(envelopes.Event(new DeviceEvent
                {
                    Kind = done % 2 == 0 ? EventKind.Raised : EventKind.Cleared,
                    Code = Code,
                    Severity = Severity.Report,
                    Message = $"flood {done + 1} of {count}",
                }));
            }
            await outbox.EnqueueAsync(batch, cancellationToken);
        }
        return time.GetElapsedTime(started);
    }
}
