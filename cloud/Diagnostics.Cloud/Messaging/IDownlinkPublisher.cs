namespace Diagnostics.Cloud.Messaging;

/// <summary>
/// Sends a message from the cloud to a device's downlink topic. Its own namespace so the capabilities that send
/// (Fixes, Updates, Ingestion's acknowledgements) and the broker that carries it depend on it, not on each other.
/// </summary>
public interface IDownlinkPublisher
{
    /// <param name="retain">
    /// Kept by the broker for the device's next subscription (its standing consents, the update offered): the latest
    /// replaces the last. Only the kinds and sizes of <see cref="Diagnostics.Protocol.RetainedDownlinks"/>; anything else
    /// throws <see cref="ArgumentException"/> and the last one stays.
    /// </param>
    /// <param name="delivery">At least once (QoS 1, the default) or at most once (QoS 0) for the live copy; a retained
    /// message sent again on a later subscription goes at the subscription's QoS, at most 1.</param>
    Task PublishAsync(string topic, byte[] payload, CancellationToken cancellationToken, bool retain = false,
        DownlinkDelivery delivery = DownlinkDelivery.AtLeastOnce);
}
