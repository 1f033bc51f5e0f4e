using Diagnostics.Cloud.Messaging;
using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Fixes;

/// <summary>
/// Sends an approved fix's command to its device with the consent it rests on, and sends again, when the device comes
/// back online, its standing consents and every command still waiting for it. A command that cannot go out now stays
/// Sent and goes on the next connection, until it expires.
/// </summary>
public sealed partial class FixCommandSender(
    SqliteFixStore store,
    ConsentPolicies consents,
    IDownlinkPublisher downlink,
    TimeProvider time,
    CloudMetrics metrics,
    ILogger<FixCommandSender> logger)
{
    /// <summary>A device came (back) online: its standing consents and every command still waiting for it go out again.</summary>
    public async Task DeviceOnlineAsync(string deviceId, CancellationToken cancellationToken)
    {
        await consents.PublishAsync(deviceId, cancellationToken);
        var now = time.GetUtcNow();
        foreach (var proposal in await store.ListAsync([deviceId], [FixState.Sent], 100, cancellationToken))
        {
            if (proposal.CommandExpiresAt > now)
                await SendAsync(proposal, cancellationToken);
        }
    }

    /// <summary>The command of a Sent proposal, with its consent; a failure to publish is logged and counted, not thrown.</summary>
    public async Task SendAsync(FixProposal proposal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var policy = await consents.BehindAsync(proposal, cancellationToken);
        var command = new Command
        {
            CommandId = proposal.CommandId!,
            Name = proposal.Command!,
            Parameters = [.. proposal.Parameters.Select(p => new CommandParameter { Name = p.Key, Value = p.Value })],
            IssuedUnixMs = proposal.SentAt!.Value.ToUnixTimeMilliseconds(),
            ExpiresUnixMs = proposal.CommandExpiresAt!.Value.ToUnixTimeMilliseconds(),
            Consent = ConsentPolicies.GrantFor(proposal, policy),
        };
        try
        {
            await downlink.PublishAsync(Topics.Downlink(proposal.DeviceId, Topics.CommandKind), WireCodec.Encode(command), cancellationToken);
            LogCommandPublished(command.CommandId, proposal.DeviceId, command.Name);
            // Marked after the broker took it: a command marked Sent but never published is sent again by the
            // workflow's ResumeInterruptedAsync when its instance died in between.
            await store.MarkPublishedAsync(proposal.Id, command.CommandId, time.GetUtcNow(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The proposal stays Sent and unpublished: the command goes out again when the device next connects or the
            // loop's next full pass resumes it, until it expires.
            metrics.Error("fixes.publish");
            LogPublishFailed(ex, command.CommandId, proposal.DeviceId);
        }
    }

    [LoggerMessage(EventId = FixesEventIds.FixCommandPublished, Level = LogLevel.Information, Message = "Command {CommandId} ({Command}) sent to {DeviceId}")]
    private partial void LogCommandPublished(string commandId, string deviceId, string command);

    [LoggerMessage(EventId = FixesEventIds.FixPublishFailed, Level = LogLevel.Warning, Message = "Could not send {What} to {DeviceId} now; it goes again when the device reconnects")]
    private partial void LogPublishFailed(Exception exception, string what, string deviceId);
}
