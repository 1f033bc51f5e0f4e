using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>The bounded channel between the broker hook and the pipeline; writers wait when it is full.</summary>
public sealed class UplinkChannel
{
    private readonly Channel<AcceptedUplink> _channel;

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

    public ValueTask EnqueueAsync(AcceptedUplink uplink, CancellationToken cancellationToken) =>
        _channel.Writer.WriteAsync(uplink, cancellationToken);

    internal ChannelReader<AcceptedUplink> Reader => _channel.Reader;
}
