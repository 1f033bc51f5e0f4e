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

    /// <summary>
    /// The device's credentials were rotated — here, on another instance or by the command line (read by every instance
    /// from the audit trail). A broker that keeps passwords got the new one from <see cref="SetAsync"/> when the rotation
    /// was made, which ended the session; a broker that takes the device's certificate as its identity must stop
    /// accepting the revoked certificates and end the session they opened.
    /// </summary>
    Task EndRotatedSessionAsync(string deviceId, CancellationToken cancellationToken);
}

/// <summary>No accounts to keep: the embedded broker authenticates devices against the store itself.</summary>
public sealed class NoBrokerDeviceAccounts : IBrokerDeviceAccounts
{
    public Task SetAsync(string deviceId, string password, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RemoveAsync(string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task EndRotatedSessionAsync(string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;
}
