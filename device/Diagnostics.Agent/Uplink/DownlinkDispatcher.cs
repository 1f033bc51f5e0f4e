using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Uplink;

/// <summary>
/// Decodes what the cloud sends a device besides acks and hands it on: <c>down/command</c> and <c>down/consent</c> to
/// the <see cref="IDownlinkHandler"/>, <c>down/update</c> to the <see cref="IUpdateOfferHandler"/> (what to do with them
/// is not the connection's business). What cannot be read is logged and counted, and answered where it can be.
/// </summary>
internal sealed partial class DownlinkDispatcher(string deviceId, IDownlinkHandler? downlink, IUpdateOfferHandler? updates, ILogger logger)
{
    private readonly string _deviceId = deviceId;
    private readonly ILogger _logger = logger;
    private readonly string _commandTopic = Topics.Downlink(deviceId, Topics.CommandKind);
    private readonly string _consentTopic = Topics.Downlink(deviceId, Topics.ConsentKind);
    private readonly string _updateTopic = Topics.Downlink(deviceId, Topics.UpdateKind);
    private long _malformed;

    /// <summary>Commands, consent sets and update offers that could not be decoded (or that a handler failed on) since start.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Handles the message when its topic is one of these kinds (and a handler takes it); null otherwise.</summary>
    public Task? TryDispatch(string topic, byte[] payload, CancellationToken stopping)
    {
        if (downlink is not null && topic == _commandTopic)
            return OnCommandAsync(downlink, payload, stopping);
        if (downlink is not null && topic == _consentTopic)
            return OnConsentSetAsync(downlink, payload, stopping);
        if (updates is not null && topic == _updateTopic)
            return OnUpdateOfferAsync(updates, payload, stopping);
        return null;
    }

    private async Task OnCommandAsync(IDownlinkHandler downlink, byte[] payload, CancellationToken stopping)
    {
        var decoded = WireCodec.Decode<Command>(payload, DownlinkPayloads.MaxCommandBytes);
        var command = decoded.Value;
        if (decoded.IsSuccess && command!.CommandId.Length is > 0 and <= DownlinkPayloads.MaxCommandIdLength)
        {
            await HandleAsync(() => downlink.OnCommandAsync(command, stopping), "command " + command.CommandId, stopping);
            return;
        }
        // Answer what can be answered: the cloud re-sends an unanswered command on every reconnect until it expires.
        var reason = decoded.IsSuccess
            ? (command!.CommandId.Length == 0 ? "it has no command id" : $"its command id is longer than {DownlinkPayloads.MaxCommandIdLength} characters")
            : $"{decoded.Error}: {decoded.Detail}";
        var commandId = decoded.IsSuccess ? null : DownlinkPayloads.TryReadCommandId(payload);
        Interlocked.Increment(ref _malformed);
        Log.MalformedCommand(_logger, _deviceId, payload.Length, commandId ?? "(unreadable)", reason);
        if (commandId is not null)
            await HandleAsync(() => downlink.OnUnreadableCommandAsync(commandId, reason, stopping), "unreadable command " + commandId, stopping);
    }

    private async Task OnConsentSetAsync(IDownlinkHandler downlink, byte[] payload, CancellationToken stopping)
    {
        var decoded = WireCodec.Decode<ConsentSet>(payload, DownlinkPayloads.MaxConsentSetBytes);
        if (!decoded.IsSuccess)
        {
            // The device keeps the consents it knew: a set it cannot read neither grants nor revokes anything.
            Interlocked.Increment(ref _malformed);
            Log.MalformedConsentSet(_logger, _deviceId, payload.Length, $"{decoded.Error}: {decoded.Detail}");
            return;
        }
        await HandleAsync(() => downlink.OnConsentSetAsync(decoded.Value!, stopping), "consent set", stopping);
    }

    private async Task OnUpdateOfferAsync(IUpdateOfferHandler updates, byte[] payload, CancellationToken stopping)
    {
        // A retained topic cleared by the cloud arrives as an empty payload: no offer stands, nothing to do.
        if (payload.Length == 0)
            return;
        var decoded = WireCodec.Decode<Protocol.Updates.UpdateOffer>(payload, DownlinkPayloads.MaxUpdateOfferBytes);
        var offer = decoded.Value;
        if (!decoded.IsSuccess || offer!.OfferId.Length is 0 or > DownlinkPayloads.MaxCommandIdLength)
        {
            // Nothing is installed from an offer that cannot be read; the cloud sees the device never answered it.
            Interlocked.Increment(ref _malformed);
            var reason = decoded.IsSuccess ? "its offer id is missing or longer than " + DownlinkPayloads.MaxCommandIdLength + " characters" : $"{decoded.Error}: {decoded.Detail}";
            Log.MalformedUpdateOffer(_logger, _deviceId, payload.Length, reason);
            return;
        }
        await HandleAsync(() => updates.OnUpdateOfferAsync(offer, stopping), "update offer " + offer.OfferId, stopping);
    }

    /// <summary>A handler that fails must not take the MQTT session down with it: logged, counted, the session goes on.</summary>
    private async Task HandleAsync(Func<ValueTask> handle, string what, CancellationToken stopping)
    {
        try
        {
            await handle();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: the cloud re-sends what was not answered.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Interlocked.Increment(ref _malformed);
            Log.DownlinkHandlerFailed(_logger, ex, _deviceId, what, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.MalformedCommand, LogLevel.Warning, "{DeviceId} cannot read a command of {PayloadBytes} bytes (command id {CommandId}): {Reason}")]
        public static partial void MalformedCommand(ILogger logger, string deviceId, int payloadBytes, string commandId, string reason);

        [LoggerMessage(AgentLogEvents.MalformedConsentSet, LogLevel.Warning, "{DeviceId} ignores a consent set of {PayloadBytes} bytes it cannot read, keeping the consents it knew: {Reason}")]
        public static partial void MalformedConsentSet(ILogger logger, string deviceId, int payloadBytes, string reason);

        [LoggerMessage(AgentLogEvents.MalformedUpdateOffer, LogLevel.Warning, "{DeviceId} ignores an update offer of {PayloadBytes} bytes it cannot read: {Reason}")]
        public static partial void MalformedUpdateOffer(ILogger logger, string deviceId, int payloadBytes, string reason);

        [LoggerMessage(AgentLogEvents.DownlinkHandlerFailed, LogLevel.Error, "{DeviceId}: handling {What} failed: {Reason}")]
        public static partial void DownlinkHandlerFailed(ILogger logger, Exception exception, string deviceId, string what, string reason);
    }
}
