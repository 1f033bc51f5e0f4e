using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Uplink;

/// <summary>
/// What the device does with the cloud's update offers (<c>down/update</c>, retained, so delivered again on every
/// connect). Like <see cref="IDownlinkHandler"/>, it must return quickly: the MQTT client delivers nothing else until it does.
/// </summary>
public interface IUpdateOfferHandler
{
    /// <summary>A decoded offer with an offer id: new, repeated, or a withdrawal.</summary>
    ValueTask OnUpdateOfferAsync(UpdateOffer offer, CancellationToken cancellationToken);
}
