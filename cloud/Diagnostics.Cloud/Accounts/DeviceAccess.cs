using System.Security.Claims;

namespace Diagnostics.Cloud.Accounts;

/// <summary>
/// The one rule for who may see or act on a device: staff (agents, supervisors, admins) may reach every device, a
/// customer only the devices they paired. Every endpoint, page and live channel asks here.
/// </summary>
public sealed class DeviceAccess(IAccountStore store)
{
    public async Task<bool> CanAccessAsync(ClaimsPrincipal user, string deviceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.IsStaff())
            return true;
        var accountId = user.AccountId();
        if (accountId is null || !user.IsInRole(Roles.Customer))
            return false;
        return await store.GetOwnerAsync(deviceId, cancellationToken) == accountId;
    }

    /// <summary>The devices a customer paired; empty for anyone else (staff read the fleet, not a list of their own).</summary>
    public async Task<IReadOnlyList<string>> OwnedDevicesAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var accountId = user.AccountId();
        return accountId is null || !user.IsInRole(Roles.Customer) ? [] : await store.GetOwnedDevicesAsync(accountId, cancellationToken);
    }
}
