namespace Diagnostics.Cloud.Devices;

/// <summary>
/// The devices' accounts in an external broker that authenticates them itself (Mosquitto's dynamic security): kept in
/// step with the registry when a device is registered, rotated or revoked. With the embedded broker there is nothing to
/// keep and nothing happens.
/// </summary>
public interface IBrokerDeviceAccounts
{
    /// <summary>
    /// Gives the device an account that connects with <paramref name="password"/> and may use its own topics only: made
    /// if it has none, otherwise given the new password and enabled. The broker ends a session the old password opened.
    /// </summary>
    Task SetAsync(string deviceId, string password, CancellationToken cancellationToken);

    /// <summary>Removes the device's account (a decommissioned device): its session ends and it cannot connect again. Nothing happens when it has none.</summary>
    Task RemoveAsync(string deviceId, CancellationToken cancellationToken);
}

/// <summary>No accounts to keep: the embedded broker authenticates devices against the store itself.</summary>
public sealed class NoBrokerDeviceAccounts : IBrokerDeviceAccounts
{
    public Task SetAsync(string deviceId, string password, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RemoveAsync(string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;
}
