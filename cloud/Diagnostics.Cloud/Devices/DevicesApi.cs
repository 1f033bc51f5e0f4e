using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Http;
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
        // Errors are problem details (application/problem+json); their statuses are declared for the OpenAPI document.
        // Registration: an admin, or a device presenting the enrollment key (see DeviceEnrollment).
        devices.MapPost("/", RegisterDevice).AddEndpointFilter<DeviceEnrollment>()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);
        devices.MapGet("/", ListDevices).RequireAuthorization(Roles.StaffPolicy).ProducesProblem(StatusCodes.Status400BadRequest);
        // One device: staff, or the customer who paired it; anyone else is told it does not exist. Each audience's service
        // (StaffDevices, CustomerDevices) is the one check, for these endpoints and the pages alike.
        var device = devices.MapGroup("/{deviceId}").RequireAuthorization();
        device.MapGet("/", GetDevice).ProducesProblem(StatusCodes.Status404NotFound);
        device.MapGet("/events", GetDeviceEvents).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapGet("/api/fleet/summary", GetFleetSummary).WithTags("Fleet").RequireAuthorization(Roles.StaffPolicy);
        app.MapDeviceCredentialsApi();
        return app;
    }

    public static async Task<Results<Created<RegisteredDevice>, ProblemHttpResult>> RegisterDevice(
        RegisterDeviceRequest request, HttpContext http, DeviceRegistry registry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(registry);
        // A decommissioned id registers again (history kept): the audit trail says who did it.
        var actor = http.User.IsInRole(Roles.Admin) ? http.User.Signature() : $"enrollment key from {http.Connection.RemoteIpAddress}";
        var result = await registry.RegisterAsync(request.DeviceId, request.Model, actor, cancellationToken);
        return result.Error switch
        {
            RegistrationError.None => TypedResults.Created($"/api/devices/{result.Device!.DeviceId}", result.Device),
            RegistrationError.AlreadyExists => TypedResults.Problem(ApiProblems.Create(StatusCodes.Status409Conflict, "DeviceAlreadyRegistered", request.DeviceId)),
            _ => TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidDeviceId", Topics.MaxDeviceIdLength)),
        };
    }

    public static async Task<Results<Ok<Paged<DeviceSummary>>, ProblemHttpResult>> ListDevices(
        HttpContext http, StaffDevices devices, CancellationToken cancellationToken,
        string? health = null, string? model = null, string? condition = null, bool? online = null,
        int page = 1, int pageSize = DefaultPageSize,
        string? search = null, string? firmware = null, string? sort = null, string? order = null, string? fleet = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(devices);
        if (page < 1 || pageSize < 1 || pageSize > MaxPageSize)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidPaging", MaxPageSize));
        DeviceHealth? healthFilter = null;
        if (!string.IsNullOrEmpty(health))
        {
            if (!Enum.TryParse<DeviceHealth>(health, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidHealthFilter"));
            healthFilter = parsed;
        }
        if (!DeviceListSorting.TryParseSort(sort, out var sortBy))
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidSort", DeviceListSorting.SortNames));
        if (!DeviceListSorting.TryParseOrder(order, out var descending))
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidOrder"));
        if (!DeviceListSorting.TryParseFleet(fleet, out var fleetFilter))
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidFleetFilter"));
        var query = new DeviceQuery(healthFilter, model, condition, online, page, pageSize)
        {
            Fleet = fleetFilter,
            Search = search,
            Firmware = firmware,
            Sort = sortBy,
            Descending = descending,
        };
        return TypedResults.Ok(await devices.ListAsync(http.User, query, cancellationToken));
    }

    /// <summary>One device for either audience: staff read any, a customer only their own (each audience's service checks).</summary>
    public static async Task<Results<Ok<DeviceDetails>, ProblemHttpResult>> GetDevice(
        string deviceId, HttpContext http, StaffDevices staff, CustomerDevices customers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(staff);
        ArgumentNullException.ThrowIfNull(customers);
        var device = http.User.IsStaff()
            ? await staff.GetAsync(http.User, deviceId, cancellationToken)
            : await customers.GetAsync(http.User, deviceId, cancellationToken);
        return device is null ? TypedResults.Problem(UnknownDevice(deviceId)) : TypedResults.Ok(device);
    }

    public static async Task<Results<Ok<Paged<EventView>>, ProblemHttpResult>> GetDeviceEvents(
        string deviceId, HttpContext http, StaffDevices staff, CustomerDevices customers, CancellationToken cancellationToken, int page = 1, int pageSize = DefaultPageSize)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(staff);
        ArgumentNullException.ThrowIfNull(customers);
        if (page < 1 || pageSize < 1 || pageSize > MaxPageSize)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidPaging", MaxPageSize));
        var events = http.User.IsStaff()
            ? await staff.EventsAsync(http.User, deviceId, page, pageSize, cancellationToken)
            : await customers.EventsAsync(http.User, deviceId, page, pageSize, cancellationToken);
        return events is null ? TypedResults.Problem(UnknownDevice(deviceId)) : TypedResults.Ok(events);
    }

    public static async Task<Results<Ok<FleetSummary>, ForbidHttpResult>> GetFleetSummary(HttpContext http, StaffDevices devices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(devices);
        return await devices.SummaryAsync(http.User, TopConditions, cancellationToken) is { } summary ? TypedResults.Ok(summary) : TypedResults.Forbid();
    }

    internal static ProblemDetails UnknownDevice(string deviceId) =>
        ApiProblems.Create(StatusCodes.Status404NotFound, "UnknownDevice", deviceId);
}
