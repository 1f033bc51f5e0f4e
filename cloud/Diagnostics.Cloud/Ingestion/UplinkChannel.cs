using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>The bounded channel between the broker hook and the pipeline; writers wait when it is full.</summary>
public sealed class UplinkChannel
{
    private readonly Channel<AcceptedUplink> _channel;
    // Per device: handed to EnqueueAsync (waiting included) and not yet settled by the pipeline.
    private readonly ConcurrentDictionary<string, int> _inFlight = new(StringComparer.Ordinal);

    public UplinkChannel(IOptions<IngestionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _channel = Channel.CreateBounded<AcceptedUplink>(new BoundedChannelOptions(options.Value.ChannelCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public int Depth => _channel.Reader.Count;

    /// <summary>The device's uplinks queued or being stored: what the broker limits per device.</summary>
    public int InFlight(string deviceId) => _inFlight.TryGetValue(deviceId, out var count) ? count : 0;

    public async ValueTask EnqueueAsync(AcceptedUplink uplink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uplink);
        var deviceId = uplink.Envelope.DeviceId;
        _inFlight.AddOrUpdate(deviceId, 1, static (_, count) => count + 1);
        try
        {
            await _channel.Writer.WriteAsync(uplink, cancellationToken);
        }
        catch
        {
            Settle(deviceId);
            throw;
        }
    }

    /// <summary>The pipeline is done with these (stored, duplicate or failed): they are no longer in flight.</summary>
    internal void Settled(IEnumerable<AcceptedUplink> batch)
    {
        foreach (var uplink in batch)
            Settle(uplink.Envelope.DeviceId);
    }

    internal ChannelReader<AcceptedUplink> Reader => _channel.Reader;

    private void Settle(string deviceId)
    {
        if (_inFlight.AddOrUpdate(deviceId, 0, static (_, count) => count - 1) <= 0)
            _inFlight.TryRemove(KeyValuePair.Create(deviceId, 0));
    }
}
