using System.ComponentModel.DataAnnotations;
using Diagnostics.Cloud.Messaging;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Ingestion;

/// <summary>The uplink queue and batch writer. Section <c>Ingestion</c>.</summary>
public sealed class IngestionOptions
{
    public const string SectionName = "Ingestion";

    /// <summary>Most messages written in one SQLite transaction.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Accepted messages waiting for the writer; when full the broker hook waits (backpressure, no drops).</summary>
    [Range(1, 10_000_000)]
    public int ChannelCapacity { get; set; } = 10_000;

    /// <summary>
    /// How acks go to the devices. At most once (MQTT QoS 0) by default: an ack is cumulative and a device that misses
    /// one resends, which is acked again, so the device's PUBACK for each ack buys nothing and costs a packet each way.
    /// </summary>
    [EnumDataType(typeof(DownlinkDelivery))]
    public DownlinkDelivery AckDelivery { get; set; } = DownlinkDelivery.AtMostOnce;

    /// <summary>Largest uplink payload accepted.</summary>
    [Range(1, WireCodec.MaxUplinkBytes)]
    public int MaxPayloadBytes { get; set; } = WireCodec.MaxUplinkBytes;
}
