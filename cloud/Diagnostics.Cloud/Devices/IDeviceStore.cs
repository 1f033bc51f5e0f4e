namespace Diagnostics.Cloud.Devices;

/// <summary>The device registry and the current state of each device, as the API reads it.</summary>
public interface IDeviceStore
{
    Task<DeviceDetails?> GetAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>Summaries of the given devices that exist, in id order.</summary>
    Task<IReadOnlyList<DeviceSummary>> GetSummariesAsync(IReadOnlyList<string> deviceIds, CancellationToken cancellationToken);

    Task<Paged<DeviceSummary>> ListAsync(DeviceQuery query, CancellationToken cancellationToken);

    /// <summary>Event history newest first, or null when the device does not exist.</summary>
    Task<Paged<EventView>?> GetEventsAsync(string deviceId, int page, int pageSize, CancellationToken cancellationToken);

    Task<FleetSummary> GetFleetSummaryAsync(int topConditions, CancellationToken cancellationToken);

    /// <summary>Top active error codes (at most <paramref name="topCodes"/>), firmware versions, models and conditions.</summary>
    Task<FleetBreakdown> GetFleetBreakdownAsync(int topCodes, CancellationToken cancellationToken);

    /// <summary>Supply levels of the device's last <paramref name="limit"/> statuses and metrics of its last heartbeats.</summary>
    Task<DeviceTelemetryHistory> GetTelemetryHistoryAsync(string deviceId, int limit, CancellationToken cancellationToken);
}
