using System.Security.Claims;
using Diagnostics.Cloud.Accounts;

namespace Diagnostics.Cloud.Devices;

/// <summary>
/// Staff's one way into devices, for the API (<c>/api/devices</c>, <c>/api/fleet/summary</c>) and the dashboard pages
/// alike (fleet overview, device list, device page, the support desk's device panel): the staff check is made here
/// once. Anyone else reads nothing: an empty page or list, an unknown device, no fleet figures (null).
/// </summary>
public sealed class StaffDevices(IDeviceStore devices, IFleetHistoryStore history)
{
    public async Task<Paged<DeviceSummary>> ListAsync(ClaimsPrincipal staff, DeviceQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return staff.IsStaff() ? await devices.ListAsync(query, cancellationToken) : new Paged<DeviceSummary>([], query.Page, query.PageSize, 0);
    }

    /// <summary>The device, or null when there is none by that id (or the reader is not staff).</summary>
    public async Task<DeviceDetails?> GetAsync(ClaimsPrincipal staff, string deviceId, CancellationToken cancellationToken) =>
        staff.IsStaff() ? await devices.GetAsync(deviceId, cancellationToken) : null;

    /// <summary>The device's events newest first; null when there is no such device (or the reader is not staff).</summary>
    public async Task<Paged<EventView>?> EventsAsync(ClaimsPrincipal staff, string deviceId, int page, int pageSize, CancellationToken cancellationToken) =>
        staff.IsStaff() ? await devices.GetEventsAsync(deviceId, page, pageSize, cancellationToken) : null;

    /// <summary>Supply levels and metrics of the device's last <paramref name="limit"/> reports; null when the reader is not staff.</summary>
    public async Task<DeviceTelemetryHistory?> TelemetryAsync(ClaimsPrincipal staff, string deviceId, int limit, CancellationToken cancellationToken) =>
        staff.IsStaff() ? await devices.GetTelemetryHistoryAsync(deviceId, limit, cancellationToken) : null;

    public async Task<FleetSummary?> SummaryAsync(ClaimsPrincipal staff, int topConditions, CancellationToken cancellationToken) =>
        staff.IsStaff() ? await devices.GetFleetSummaryAsync(topConditions, cancellationToken) : null;

    /// <summary>Top active error codes (at most <paramref name="topCodes"/>), firmware versions, models and conditions; null when the reader is not staff.</summary>
    public async Task<FleetBreakdown?> BreakdownAsync(ClaimsPrincipal staff, int topCodes, CancellationToken cancellationToken) =>
        staff.IsStaff() ? await devices.GetFleetBreakdownAsync(topCodes, cancellationToken) : null;

    /// <summary>The fleet's counts over time since <paramref name="from"/>, oldest first.</summary>
    public async Task<IReadOnlyList<FleetSample>> HistoryAsync(ClaimsPrincipal staff, DateTimeOffset from, CancellationToken cancellationToken) =>
        staff.IsStaff() ? await history.GetSamplesAsync(from, cancellationToken) : [];
}
