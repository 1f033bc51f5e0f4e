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
/// line while the broker was unreachable still takes effect) — unless the device was registered again since, which gave
/// it a new account that must stay. A rotation is handed to the accounts too: dynamic security gave the account its new
/// password when the rotation was made (which ended the old session); certificates need the revocation list rewritten
/// and the session ended on every instance, whoever made the rotation.
/// </summary>
internal sealed class ExternalDeviceSessionEnding(IBrokerDeviceAccounts accounts, IDeviceCredentialStore store, TimeProvider time) : IDeviceSessionEnding
{
    public async Task EndAsync(string deviceId, bool revoked, CancellationToken cancellationToken)
    {
        if (!revoked)
        {
            await accounts.EndRotatedSessionAsync(deviceId, cancellationToken);
            return;
        }
        if (await store.GetAsync(deviceId, time.GetUtcNow(), cancellationToken) is { IsRevoked: false })
            return;
        await accounts.RemoveAsync(deviceId, cancellationToken);
    }
}
