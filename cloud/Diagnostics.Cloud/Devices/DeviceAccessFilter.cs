using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Observability;

namespace Diagnostics.Cloud.Devices;

/// <summary>
/// Guards every <c>/api/devices/{deviceId}/…</c> endpoint with <see cref="DeviceAccess"/>. A customer asking for a
/// device that is not theirs gets the same 404 as for a device that does not exist, so ids cannot be probed.
/// </summary>
internal sealed partial class DeviceAccessFilter(DeviceAccess access, CloudMetrics metrics, ILogger<DeviceAccessFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var deviceId = http.GetRouteValue("deviceId") as string ?? "";
        if (!await access.CanAccessAsync(http.User, deviceId, http.RequestAborted))
        {
            metrics.AccessRefused(AccessRefusal.DeviceNotYours);
            LogRefused(http.User.AccountId() ?? "anonymous", deviceId);
            return TypedResults.Problem(DevicesApi.UnknownDevice(deviceId));
        }
        return await next(context);
    }

    [LoggerMessage(EventId = DevicesEventIds.DeviceAccessRefused, Level = LogLevel.Warning, Message = "Account {AccountId} asked for device {DeviceId}, which is not theirs")]
    private partial void LogRefused(string accountId, string deviceId);
}
