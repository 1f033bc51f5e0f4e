namespace Diagnostics.Cloud.Broker;

/// <summary>Sends a message from the cloud to a device's downlink topic.</summary>
public interface IDownlinkPublisher
{
    Task PublishAsync(string topic, byte[] payload, CancellationToken cancellationToken);
}
