using Diagnostics.Cloud.Devices;

namespace Diagnostics.Cloud.Broker;

/// <summary>Ends the live MQTT session of a device whose credentials were revoked or rotated, however the broker does it.</summary>
public interface IDeviceSessionEnding
{
    /// <param name="revoked">Revoked (decommissioned); otherwise rotated (a new token replaced the old one).</param>
    Task EndAsync(string deviceId, bool revoked, CancellationToken cancellationToken);
}

/// <summary>
/// With an external broker: a revoked device's broker account is removed (idempotent, so a revocation made by the command
/// line while the broker was unreachable still takes effect); a rotation already gave the account its new password when
/// it was made, which ended the old session.
/// </summary>
internal sealed class ExternalDeviceSessionEnding(IBrokerDeviceAccounts accounts) : IDeviceSessionEnding
{
    public Task EndAsync(string deviceId, bool revoked, CancellationToken cancellationToken) =>
        revoked ? accounts.RemoveAsync(deviceId, cancellationToken) : Task.CompletedTask;
}
