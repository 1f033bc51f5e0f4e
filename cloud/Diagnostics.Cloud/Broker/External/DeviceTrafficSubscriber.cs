using System.Buffers;
using Diagnostics.Cloud.Certificates;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Broker.External;

/// <summary>
/// The devices' traffic, taken from the external broker through MQTT 5 shared subscriptions
/// (<c>$share/{group}/dx/+/up/#</c> and <c>$share/{group}/dx/+/presence</c>): the broker gives each message to one
/// instance of the group. The broker authenticated the sender and enforced the topic ACL, so the device in the topic is
/// the one that published it; uplinks go through the same checks and queue as with the embedded broker
/// (<see cref="UplinkIntake"/>), presence messages and last wills to <see cref="PresenceTracker"/>, and a certificate
/// request is answered on the device's downlink.
/// </summary>
public sealed partial class DeviceTrafficSubscriber(
    IOptions<BrokerOptions> options,
    UplinkIntake intake,
    PresenceTracker presence,
    CertificateEnrollment enrollment,
    CloudMetrics metrics,
    ILogger<DeviceTrafficSubscriber> logger) : IExternalBrokerSubscriber
{
    private readonly string _group = options.Value.External.ShareGroup;

    public IReadOnlyList<string> Filters => [SharedUplinkFilter(_group), SharedPresenceFilter(_group)];

    public static string SharedUplinkFilter(string group) => $"$share/{group}/{Topics.AllUplink}";

    public static string SharedPresenceFilter(string group) => $"$share/{group}/{Topics.Root}/+/presence";

    public bool Owns(string topic) => topic.StartsWith(Topics.Root + "/", StringComparison.Ordinal);

    public Task PrepareAsync(ExternalBrokerConnection source, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task HandleAsync(ExternalBrokerConnection source, string topic, ReadOnlySequence<byte> payload, CancellationToken cancellationToken)
    {
        var parsed = Topics.Parse(topic);
        if (!parsed.IsValid)
        {
            metrics.Rejected(RejectReason.InvalidTopic);
            LogIgnored(topic, parsed.Error ?? "not a device topic");
            return;
        }
        switch (parsed.Direction)
        {
            case TopicDirection.Presence:
                // The agent subscribes to its downlink before it says it is online, so this is when waiting work can go out.
                if ((await presence.ApplyPresenceMessageAsync(parsed.DeviceId, payload, cancellationToken)).Online)
                {
                    presence.Heard(parsed.DeviceId);
                    presence.SubscribedToDownlink(parsed.DeviceId);
                }
                return;
            case TopicDirection.Up when parsed.Kind == Topics.CertificateRequestKind:
                await RenewCertificateAsync(source, parsed.DeviceId, payload, cancellationToken);
                return;
            case TopicDirection.Up:
                // A rejection is logged and counted by the intake; the device already had the broker's PUBACK, and keeps
                // the message until the cloud acknowledges it stored, so nothing else is owed to it.
                await intake.AcceptAsync(parsed.DeviceId, parsed, payload, cancellationToken);
                return;
            default:
                LogIgnored(topic, "not an uplink or presence topic");
                return;
        }
    }

    /// <summary><c>dx/{id}/up/csr</c>: the broker let only the device itself publish there; the certificate goes back on its downlink.</summary>
    private async Task RenewCertificateAsync(ExternalBrokerConnection source, string deviceId, ReadOnlySequence<byte> payload, CancellationToken cancellationToken)
    {
        if (payload.Length > SigningRequests.MaxBytes)
        {
            LogRenewalRefused(deviceId, $"request of {payload.Length} bytes");
            return;
        }
        var result = await enrollment.RenewAsync(deviceId, payload.ToArray(), cancellationToken);
        if (result.Certificate is not { } issued)
        {
            LogRenewalRefused(deviceId, $"{result.Status}: {result.Detail}");
            return;
        }
        await source.PublishAsync(Topics.Downlink(deviceId, Topics.CertificateKind), issued.Der, cancellationToken);
    }

    [LoggerMessage(EventId = IngestionEventIds.UplinkRejected, Level = LogLevel.Warning, Message = "Message on {Topic} from the broker ignored: {Why}")]
    private partial void LogIgnored(string topic, string why);

    [LoggerMessage(EventId = BrokerEventIds.CertificateRenewalRefused, Level = LogLevel.Warning, Message = "Certificate renewal of device {DeviceId} refused: {Reason}")]
    private partial void LogRenewalRefused(string deviceId, string reason);
}
