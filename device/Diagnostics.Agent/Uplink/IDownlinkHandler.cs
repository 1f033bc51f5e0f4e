using Diagnostics.Protocol;

namespace Diagnostics.Agent.Uplink;

/// <summary>
/// What the device does with the cloud's commands and consents. The connection decodes and routes; the handler
/// decides. Every method must return quickly: the MQTT client delivers nothing else, acks included, until it does.
/// </summary>
public interface IDownlinkHandler
{
    /// <summary>A decoded <c>down/command</c> with a command id.</summary>
    ValueTask OnCommandAsync(Command command, CancellationToken cancellationToken);

    /// <summary>A <c>down/command</c> that could not be decoded but whose id could be read, so it can be answered.</summary>
    ValueTask OnUnreadableCommandAsync(string commandId, string reason, CancellationToken cancellationToken);

    /// <summary>A decoded <c>down/consent</c> (retained): the standing consents in force.</summary>
    ValueTask OnConsentSetAsync(ConsentSet consents, CancellationToken cancellationToken);
}
