using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Broker.Hooks;

/// <summary>
/// What the HTTP hooks answer, whichever broker asks: a CONNECT is decided by <see cref="DeviceAuthenticator"/> exactly
/// as the embedded broker decides it (token, or a client certificate the broker forwards as PEM; revoked credentials
/// refused), a publish or subscription by <see cref="TopicAcl"/>. The cloud's own account (<c>Broker:External:UserName</c>)
/// is checked against its configured password and gets the cloud's topics. Refusals are logged and counted as the
/// embedded broker's are.
/// </summary>
public sealed partial class BrokerHookDecisions(
    DeviceAuthenticator authenticator, Devices.DeviceRegistry registry, IOptions<BrokerOptions> options, CloudMetrics metrics, ILogger<BrokerHookDecisions> logger)
{
    private readonly External.ExternalBrokerOptions _cloud = options.Value.External;

    public async Task<bool> AuthenticateAsync(string? clientId, string? userName, string? password, string? certificatePem, CancellationToken cancellationToken)
    {
        if (IsCloudAccount(userName))
            return Decided(SecretsEqual(password ?? "", _cloud.Password), "connect", clientId, userName, "the cloud's account with a wrong password");
        if (!Topics.IsValidDeviceId(clientId))
            return Decided(false, "connect", clientId, userName, "not a device id");
        using var certificate = ParseCertificate(certificatePem, out var certificateProblem);
        if (certificateProblem is not null)
            return Decided(false, "connect", clientId, userName, certificateProblem);
        var verdict = await authenticator.AuthenticateAsync(clientId!, userName, password, certificate, cancellationToken);
        return Decided(verdict.IsSuccess, "connect", clientId, userName, verdict.Reason);
    }

    /// <summary>
    /// A publish: the topic rules, and — since the cloud cannot end a session in these brokers — a device whose
    /// credentials were revoked since it connected is refused here (one store read; the broker's own cache, if on, delays it).
    /// </summary>
    public async Task<bool> MayPublishAsync(string? clientId, string? userName, string? topic, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(topic))
            return Decided(false, "publish", clientId, userName, "no topic");
        if (IsCloudAccount(userName))
            return Decided(TopicAcl.CloudMayPublish(topic), "publish", clientId, userName, topic);
        if (!IsDevice(clientId, userName) || !TopicAcl.MayPublish(clientId!, topic))
            return Decided(false, "publish", clientId, userName, topic);
        return Decided(await IsActiveAsync(clientId!, cancellationToken), "publish", clientId, userName, topic + " (credentials revoked)");
    }

    /// <summary>A subscription: the topic rules, and a revoked device refused (see <see cref="MayPublishAsync"/>).</summary>
    public async Task<bool> MaySubscribeAsync(string? clientId, string? userName, string? topicFilter, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(topicFilter))
            return Decided(false, "subscribe", clientId, userName, "no topic filter");
        if (IsCloudAccount(userName))
            return Decided(TopicAcl.CloudMaySubscribe(_cloud.ShareGroup, topicFilter), "subscribe", clientId, userName, topicFilter);
        if (!IsDevice(clientId, userName) || !TopicAcl.MaySubscribe(clientId!, topicFilter))
            return Decided(false, "subscribe", clientId, userName, topicFilter);
        return Decided(await IsActiveAsync(clientId!, cancellationToken), "subscribe", clientId, userName, topicFilter + " (credentials revoked)");
    }

    private async Task<bool> IsActiveAsync(string deviceId, CancellationToken cancellationToken) =>
        await registry.GetCredentialsAsync(deviceId, cancellationToken) is { IsRevoked: false };

    /// <summary>Refuses, logged and counted, for a reason found before the rules (a request shape the rules do not cover).</summary>
    public bool Refuse(string action, string? clientId, string? userName, string why) => Decided(false, action, clientId, userName, why);

    private bool IsCloudAccount(string? userName) => _cloud.UserName.Length > 0 && userName == _cloud.UserName;

    /// <summary>A device is its client id; a user name, when the broker passes one, must be the same (as at CONNECT).</summary>
    private static bool IsDevice(string? clientId, string? userName) =>
        Topics.IsValidDeviceId(clientId) && (string.IsNullOrEmpty(userName) || userName == clientId);

    private static bool SecretsEqual(string given, string expected) =>
        expected.Length > 0 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static X509Certificate2? ParseCertificate(string? pem, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(pem))
            return null;
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException)
        {
            problem = "the client certificate passed is not a PEM certificate";
            return null;
        }
        catch (ArgumentException)
        {
            problem = "the client certificate passed is not a PEM certificate";
            return null;
        }
    }

    private bool Decided(bool allowed, string action, string? clientId, string? userName, string detail)
    {
        if (!allowed)
        {
            metrics.Rejected(action is "connect" or "auth_on_register" or "auth_on_register_m5" ? RejectReason.AuthFailed : action.Contains("publish", StringComparison.Ordinal) ? RejectReason.AclDenied : RejectReason.SubscribeDenied);
            LogDenied(action, clientId ?? "", userName ?? "", detail);
        }
        return allowed;
    }

    [LoggerMessage(EventId = BrokerEventIds.BrokerHookDenied, Level = LogLevel.Warning, Message = "Broker hook: {Action} by client {ClientId} (user {UserName}) denied: {Detail}")]
    private partial void LogDenied(string action, string clientId, string userName, string detail);
}
