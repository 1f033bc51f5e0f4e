using System.Security.Claims;
using Diagnostics.Cloud.Accounts;

namespace Diagnostics.Cloud.Hosts;

/// <summary>
/// The customer's one way into hosts, for the API (<c>/api/hosts/{id}</c>) and the companion pages alike: a host is a
/// device to its owner, so only a host the customer paired, checked here once through <see cref="DeviceAccess"/>;
/// someone else's reads exactly like one that does not exist (null). Staff read hosts through <see cref="StaffHosts"/>.
/// </summary>
public sealed class CustomerHosts(DeviceAccess access, HostStore store)
{
    /// <summary>The host, or null when there is none by that id (an agent in the host role that has reported) or it is not the customer's.</summary>
    public async Task<HostView?> GetAsync(ClaimsPrincipal customer, string hostId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return customer.IsInRole(Roles.Customer) && await access.CanAccessAsync(customer, hostId, cancellationToken)
            ? await store.GetHostAsync(hostId, cancellationToken)
            : null;
    }
}
