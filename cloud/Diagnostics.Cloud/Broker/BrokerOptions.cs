using System.ComponentModel.DataAnnotations;

namespace Diagnostics.Cloud.Broker;

/// <summary>The embedded MQTT broker. Section <c>Broker</c>.</summary>
public sealed class BrokerOptions
{
    public const string SectionName = "Broker";

    /// <summary>TCP port; 0 picks a free one (read it from <see cref="EmbeddedBroker.Port"/>).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 1883;

    /// <summary>IP address to listen on; <c>0.0.0.0</c> for every interface.</summary>
    [Required]
    public string BindAddress { get; set; } = "0.0.0.0";
}

/// <summary>When a device counts as gone. Section <c>Presence</c>.</summary>
public sealed class PresenceOptions
{
    public const string SectionName = "Presence";

    /// <summary>Heartbeats a device may miss (at its own announced interval) before it is marked offline.</summary>
    [Range(1, 100)]
    public int MissedHeartbeatsBeforeOffline { get; set; } = 3;

    /// <summary>How often the monitor looks for silent devices.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(10);
}
