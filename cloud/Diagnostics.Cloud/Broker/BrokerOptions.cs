using Diagnostics.Cloud.Broker.External;
using Diagnostics.Cloud.Broker.Hooks;

using System.ComponentModel.DataAnnotations;

namespace Diagnostics.Cloud.Broker;

/// <summary>Where devices connect: the cloud's own MQTT broker, or an external MQTT 5 broker the cloud is a client of.</summary>
public enum BrokerMode
{
    /// <summary>The broker runs in this process (the single-machine default): one cloud instance.</summary>
    Embedded,

    /// <summary>
    /// Devices connect to an external MQTT 5 broker (<see cref="BrokerOptions.External"/>), which authenticates them and
    /// enforces the topic ACL; any number of cloud instances share its device traffic through a shared subscription.
    /// </summary>
    External,
}

/// <summary>The MQTT broker. Section <c>Broker</c>.</summary>
public sealed class BrokerOptions
{
    public const string SectionName = "Broker";

    /// <summary>The embedded broker (default) or an external one; the embedded broker's settings below are ignored when external.</summary>
    public BrokerMode Mode { get; set; } = BrokerMode.Embedded;

    /// <summary>The external broker, when <see cref="Mode"/> is <see cref="BrokerMode.External"/>. Section <c>Broker:External</c>.</summary>
    public ExternalBrokerOptions External { get; set; } = new();

    /// <summary>The HTTP endpoints an external broker (EMQX, VerneMQ, a HiveMQ extension) calls to authenticate and authorize devices. Section <c>Broker:Hooks</c>.</summary>
    public BrokerHookOptions Hooks { get; set; } = new();

    /// <summary>Plain (unencrypted) MQTT port; 0 picks a free one (read it from <see cref="EmbeddedBroker.Port"/>).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 1883;

    /// <summary>Listen for plain MQTT on <see cref="Port"/>: tokens cross the network in clear text, for development only.</summary>
    public bool PlainEnabled { get; set; } = true;

    /// <summary>Listen for MQTT over TLS on <see cref="TlsPort"/>, with the server certificate (see <c>Certificates</c>).</summary>
    public bool TlsEnabled { get; set; } = true;

    /// <summary>MQTT over TLS port; 0 picks a free one (read it from <see cref="EmbeddedBroker.TlsPort"/>).</summary>
    [Range(0, 65535)]
    public int TlsPort { get; set; } = 8883;

    /// <summary>IP address to listen on; <c>0.0.0.0</c> for every interface.</summary>
    [Required]
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>
    /// How often the broker reads the audit trail for revocations made elsewhere (the command line, another
    /// instance); those made through this instance's API end the session at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RevocationCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Bytes of the buffer each connection serializes its outgoing packets into, kept for the connection's life (MQTTnet's
    /// <c>WriterBufferSize</c>, 4,096 by default). Acks and heartbeats' answers are under 100 bytes, so 256 bytes hold them;
    /// a larger packet (a command, an update offer) grows the buffer for that packet, and it shrinks back to this size
    /// after it (<c>WriterBufferSizeMax</c>), so a device sent one big offer does not keep a big buffer.
    /// </summary>
    [Range(256, 65536)]
    public int WriterBufferBytes { get; set; } = 256;
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
