using System.ComponentModel.DataAnnotations;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Broker;

/// <summary>What one MQTT client may cost the broker. Section <c>Broker:Limits</c>.</summary>
public sealed class ClientLimitsOptions
{
    public const string SectionName = "Broker:Limits";

    /// <summary>MQTT's largest packet: a remaining length of 268,435,455 plus its 5 header bytes.</summary>
    public const int MqttMaxPacketBytes = 268_435_460;

    /// <summary>
    /// Room beside the largest uplink payload for the rest of a PUBLISH: fixed header, the topic
    /// (<c>dx/{64-character id}/up/heartbeat</c> is under 90 bytes) and MQTT 5 properties.
    /// </summary>
    public const int PublishOverheadBytes = 4 * 1024;

    /// <summary>
    /// Largest packet read before the client is authenticated (its CONNECT). The agent's is under 1 KiB: client id,
    /// user name and token, and its last will (a <c>Presence</c> of a few bytes).
    /// </summary>
    [Range(256, MqttMaxPacketBytes)]
    public int MaxPacketBytesBeforeAuthentication { get; set; } = 8 * 1024;

    /// <summary>Largest packet read from an authenticated client: the largest uplink the cloud accepts plus the PUBLISH around it.</summary>
    [Range(1024, MqttMaxPacketBytes)]
    public int MaxPacketBytes { get; set; } = WireCodec.MaxUplinkBytes + PublishOverheadBytes;

    /// <summary>Successful connects one device may make at once (a token bucket's size)...</summary>
    [Range(1, 1_000_000)]
    public int ConnectBurst { get; set; } = 5;

    /// <summary>...and how fast that allowance comes back.</summary>
    [Range(0.001, 1_000_000)]
    public double ConnectsPerMinute { get; set; } = 6;

    /// <summary>Publishes one device may send at once (a token bucket's size)...</summary>
    [Range(1, 100_000_000)]
    public int PublishBurst { get; set; } = 500;

    /// <summary>...and how fast that allowance comes back. Past it, publishes are refused and the connection is read at this pace.</summary>
    [Range(0.001, 100_000_000)]
    public double PublishesPerSecond { get; set; } = 50;

    /// <summary>Uplinks of one device accepted by the broker and not yet stored (or found duplicate) by ingestion.</summary>
    [Range(1, 100_000_000)]
    public int MaxInFlightPerDevice { get; set; } = 200;

    /// <summary>
    /// After refusing an oversized packet the broker reads and discards at most this long (and at most
    /// <see cref="MaxDiscardBytes"/>) before closing, so the client receives the reason instead of a TCP reset.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan DiscardTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>See <see cref="DiscardTimeout"/>.</summary>
    [Range(0, MqttMaxPacketBytes)]
    public int MaxDiscardBytes { get; set; } = 1024 * 1024;

    /// <summary>A device over a limit is logged at most once per this interval, with the count refused since.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RefusalLogInterval { get; set; } = TimeSpan.FromMinutes(1);
}
