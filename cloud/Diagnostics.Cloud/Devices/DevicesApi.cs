using Diagnostics.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Diagnostics.Cloud.Devices;

/// <summary>The device registry and current-state API: <c>/api/devices</c> and <c>/api/fleet/summary</c>.</summary>
public static class DevicesApi
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;
    private const int TopConditions = 10;

    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var devices = app.MapGroup("/api/devices").WithTags("Devices");
        devices.MapPost("/", RegisterDevice);
        devices.MapGet("/", ListDevices);
        devices.MapGet("/{deviceId}", GetDevice);
        devices.MapGet("/{deviceId}/events", GetDeviceEvents);
        app.MapGet("/api/fleet/summary", GetFleetSummary).WithTags("Fleet");
        return app;
    }

    public static async Task<Results<Created<RegisteredDevice>, Conflict<ProblemDetails>, BadRequest<ProblemDetails>>> RegisterDevice(
        RegisterDeviceRequest request, DeviceRegistry registry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(registry);
        var result = await registry.RegisterAsync(request.DeviceId, request.Model, cancellationToken);
        return result.Error switch
        {
            RegistrationError.None => TypedResults.Created($"/api/devices/{result.Device!.DeviceId}", result.Device),
            RegistrationError.AlreadyExists => TypedResults.Conflict(Problem(
                StatusCodes.Status409Conflict, "Device already registered", $"A device with id '{request.DeviceId}' already exists.")),
            _ => TypedResults.BadRequest(Problem(
                StatusCodes.Status400BadRequest, "Invalid device id",
                $"Device ids are 1 to {Topics.MaxDeviceIdLength} letters, digits, '-', '_' or '.', not starting with '.'.")),
        };
    }

    public static async Task<Results<Ok<Paged<DeviceSummary>>, BadRequest<ProblemDetails>>> ListDevices(
        IDeviceStore store, CancellationToken cancellationToken,
        string? health = null, string? model = null, string? condition = null, bool? online = null,
        int page = 1, int pageSize = DefaultPageSize)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (page < 1 || pageSize < 1 || pageSize > MaxPageSize)
            return TypedResults.BadRequest(Problem(StatusCodes.Status400BadRequest, "Invalid paging", $"page >= 1 and 1 <= pageSize <= {MaxPageSize}."));
        DeviceHealth? healthFilter = null;
        if (!string.IsNullOrEmpty(health))
        {
            if (!Enum.TryParse<DeviceHealth>(health, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return TypedResults.BadRequest(Problem(StatusCodes.Status400BadRequest, "Invalid health filter", "health is one of unknown, healthy, warning, critical."));
            healthFilter = parsed;
        }
        var result = await store.ListAsync(new DeviceQuery(healthFilter, model, condition, online, page, pageSize), cancellationToken);
        return TypedResults.Ok(result);
    }

    public static async Task<Results<Ok<DeviceDetails>, NotFound<ProblemDetails>>> GetDevice(
        string deviceId, IDeviceStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var device = await store.GetAsync(deviceId, cancellationToken);
        return device is null ? TypedResults.NotFound(UnknownDevice(deviceId)) : TypedResults.Ok(device);
    }

    public static async Task<Results<Ok<Paged<EventView>>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> GetDeviceEvents(
        string deviceId, IDeviceStore store, CancellationToken cancellationToken, int page = 1, int pageSize = DefaultPageSize)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (page < 1 || pageSize < 1 || pageSize > MaxPageSize)
            return TypedResults.BadRequest(Problem(StatusCodes.Status400BadRequest, "Invalid paging", $"page >= 1 and 1 <= pageSize <= {MaxPageSize}."));
        var events = await store.GetEventsAsync(deviceId, page, pageSize, cancellationToken);
        return events is null ? TypedResults.NotFound(UnknownDevice(deviceId)) : TypedResults.Ok(events);
    }

    public static async Task<Ok<FleetSummary>> GetFleetSummary(IDeviceStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return TypedResults.Ok(await store.GetFleetSummaryAsync(TopConditions, cancellationToken));
    }

    private static ProblemDetails UnknownDevice(string deviceId) =>
        Problem(StatusCodes.Status404NotFound, "Unknown device", $"No device with id '{deviceId}' is registered.");

    private static ProblemDetails Problem(int status, string title, string detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Type = $"https://httpstatuses.io/{status}",
    };
}
