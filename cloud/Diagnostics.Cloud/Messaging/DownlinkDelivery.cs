namespace Diagnostics.Cloud.Messaging;

/// <summary>How a downlink is sent to the device (its MQTT QoS).</summary>
public enum DownlinkDelivery
{
    /// <summary>QoS 1 (or the subscription's lower QoS): the device's MQTT client confirms it with a PUBACK.</summary>
    AtLeastOnce,

    /// <summary>
    /// QoS 0: sent once, not confirmed. For a message whose loss the protocol already repairs, such as an ack (a device
    /// that misses one resends, and the resend is acked again); it saves the device's PUBACK and the broker's in-flight entry.
    /// </summary>
    AtMostOnce,
}
