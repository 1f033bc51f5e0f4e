using System.Security.Claims;
using Diagnostics.Cloud.Accounts;

namespace Diagnostics.Cloud.Hosts;

/// <summary>
/// Staff's one way into hosts and drivers, for the API (<c>/api/hosts</c>, <c>/api/devices/{id}/hosts</c>,
/// <c>/api/drivers/spread</c>) and the dashboard pages alike (driver spread, the device page's hosts, a driver
/// rollout's host names): the staff check is made here once. Anyone else reads nothing: empty lists, an unknown host.
/// </summary>
public sealed class StaffHosts(HostStore store)
{
    public async Task<IReadOnlyList<HostView>> ListAsync(ClaimsPrincipal staff, CancellationToken cancellationToken) =>
        staff.IsStaff() ? await store.ListHostsAsync(cancellationToken) : [];

    /// <summary>The host, or null when there is none by that id (or the reader is not staff).</summary>
    public async Task<HostView?> GetAsync(ClaimsPrincipal staff, string hostId, CancellationToken cancellationToken) =>
        staff.IsStaff() ? await store.GetHostAsync(hostId, cancellationToken) : null;

    /// <summary>The hosts that print to the printer, with the queue and driver each uses.</summary>
    public async Task<IReadOnlyList<PrinterHostView>> OfPrinterAsync(ClaimsPrincipal staff, string deviceId, CancellationToken cancellationToken) =>
        staff.IsStaff() ? await store.HostsOfPrinterAsync(deviceId, cancellationToken) : [];

    /// <summary>Per printer model (only <paramref name="model"/> when given), how many hosts use each driver version.</summary>
    public async Task<IReadOnlyList<ModelDriverSpread>> DriverSpreadAsync(ClaimsPrincipal staff, string? model, CancellationToken cancellationToken) =>
        staff.IsStaff() ? await store.DriverSpreadAsync(model, cancellationToken) : [];

    /// <summary>The names of those of <paramref name="hostIds"/> that are hosts, by id.</summary>
    public async Task<IReadOnlyDictionary<string, string>> NamesAsync(ClaimsPrincipal staff, IReadOnlyCollection<string> hostIds, CancellationToken cancellationToken) =>
        staff.IsStaff() ? await store.NamesAsync(hostIds, cancellationToken) : new Dictionary<string, string>();
}
