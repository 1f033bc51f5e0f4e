using System.Security.Cryptography.X509Certificates;
using Diagnostics.Cloud.Devices;
using MQTTnet.Protocol;

namespace Diagnostics.Cloud.Broker;

/// <summary>How a device proved who it is, or why the broker refuses it.</summary>
public readonly record struct DeviceAuthentication(MqttConnectReasonCode ReasonCode, string Reason, string? CertificateSerial = null)
{
    public bool IsSuccess => ReasonCode == MqttConnectReasonCode.Success;

    public static DeviceAuthentication Refused(MqttConnectReasonCode code, string reason) => new(code, reason);
}

/// <summary>
/// Decides a CONNECT. With a TLS client certificate: the certificate decides (<see cref="DeviceCertificateCheck"/>, with
/// the client id as the device) — then no token is needed. Without one: client id = user name = a registered device id and the password
/// its token, unless the device holds a valid certificate (then only that certificate is taken). A device whose
/// credentials are revoked is refused either way.
/// </summary>
public sealed class DeviceAuthenticator(DeviceRegistry registry, DeviceCertificateCheck certificates)
{
    public Task<DeviceAuthentication> AuthenticateAsync(
        string clientId, string? userName, string? password, X509Certificate2? certificate, CancellationToken cancellationToken) =>
        certificate is null
            ? ByTokenAsync(clientId, userName, password, cancellationToken)
            : ByCertificateAsync(clientId, userName, certificate, cancellationToken);

    private async Task<DeviceAuthentication> ByTokenAsync(string clientId, string? userName, string? password, CancellationToken cancellationToken)
    {
        if (clientId != userName)
            return DeviceAuthentication.Refused(MqttConnectReasonCode.ClientIdentifierNotValid, "client id differs from user name");
        var credentials = await registry.GetCredentialsAsync(clientId, cancellationToken);
        if (credentials is null || credentials.IsRevoked || !DeviceTokens.Verify(password, credentials.TokenHash, credentials.TokenSalt))
            return DeviceAuthentication.Refused(MqttConnectReasonCode.BadUserNameOrPassword, "unknown device, revoked credentials or wrong token");
        if (credentials.HasActiveCertificate)
            return DeviceAuthentication.Refused(MqttConnectReasonCode.NotAuthorized, "the device holds a valid certificate: it must connect with it over TLS, not with its token");
        return new(MqttConnectReasonCode.Success, "token");
    }

    private async Task<DeviceAuthentication> ByCertificateAsync(string clientId, string? userName, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(userName) && userName != clientId)
            return DeviceAuthentication.Refused(MqttConnectReasonCode.ClientIdentifierNotValid, $"user name '{userName}' differs from client id '{clientId}'");
        var verdict = await certificates.VerifyAsync(certificate, clientId, cancellationToken);
        if (verdict.IsValid)
            return new(MqttConnectReasonCode.Success, "certificate", verdict.Serial);
        return DeviceAuthentication.Refused(verdict.NamesAnotherDevice ? MqttConnectReasonCode.ClientIdentifierNotValid : MqttConnectReasonCode.NotAuthorized, verdict.Reason);
    }
}
