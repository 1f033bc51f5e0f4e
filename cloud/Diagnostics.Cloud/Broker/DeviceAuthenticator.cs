using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Diagnostics.Cloud.Certificates;
using Diagnostics.Cloud.Devices;
using Diagnostics.Protocol;
using MQTTnet.Protocol;

namespace Diagnostics.Cloud.Broker;

/// <summary>How a device proved who it is, or why the broker refuses it.</summary>
public readonly record struct DeviceAuthentication(MqttConnectReasonCode ReasonCode, string Reason, string? CertificateSerial = null)
{
    public bool IsSuccess => ReasonCode == MqttConnectReasonCode.Success;

    public static DeviceAuthentication Refused(MqttConnectReasonCode code, string reason) => new(code, reason);
}

/// <summary>
/// Decides a CONNECT. With a TLS client certificate: it must chain to the device CA and be valid now, name the client
/// id as its subject, be one the cloud issued (the registry's list) and not be revoked there, even though its dates
/// still hold — then no token is needed. Without one: client id = user name = a registered device id and the password
/// its token, unless the device holds a valid certificate (then only that certificate is taken). A device whose
/// credentials are revoked is refused either way.
/// </summary>
public sealed class DeviceAuthenticator(DeviceRegistry registry, IDeviceCredentialStore store, DeviceCertificateAuthority authority, TimeProvider time)
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
        if (!authority.Vouches(certificate, out var why))
            return DeviceAuthentication.Refused(MqttConnectReasonCode.NotAuthorized, "client certificate " + why);
        var subject = CertificateIssuer.CommonNameOf(certificate);
        if (subject != clientId || !Topics.IsValidDeviceId(clientId) || (!string.IsNullOrEmpty(userName) && userName != clientId))
            return DeviceAuthentication.Refused(MqttConnectReasonCode.ClientIdentifierNotValid, $"client certificate is for '{subject}', not client id '{clientId}' (user '{userName}')");
        var issued = await store.GetCertificateAsync(certificate.SerialNumber, cancellationToken);
        var thumbprint = Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
        if (issued is null || issued.DeviceId != clientId || issued.Thumbprint != thumbprint)
            return DeviceAuthentication.Refused(MqttConnectReasonCode.NotAuthorized, $"client certificate {certificate.SerialNumber} was not issued by this cloud");
        if (issued.RevokedAt is { } revokedAt)
            return DeviceAuthentication.Refused(MqttConnectReasonCode.NotAuthorized, $"client certificate {issued.Serial} was revoked at {revokedAt:u} ({issued.RevocationReason})");
        var credentials = await registry.GetCredentialsAsync(clientId, cancellationToken);
        if (credentials is null || credentials.IsRevoked)
            return DeviceAuthentication.Refused(MqttConnectReasonCode.NotAuthorized, "the device's credentials are revoked");
        // The device connects with its newest certificate: the ones issued before it are done with.
        if (credentials.ActiveCertificates > 1)
            await store.SupersedeOlderAsync(clientId, issued.Serial, time.GetUtcNow(), cancellationToken);
        return new(MqttConnectReasonCode.Success, "certificate", issued.Serial);
    }
}
