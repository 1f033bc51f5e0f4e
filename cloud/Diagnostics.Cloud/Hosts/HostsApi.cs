using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Diagnostics.Cloud.Hosts;

/// <summary>
/// Hosts and drivers: the computers and print servers that print to registered printers (<c>/api/hosts</c>), which of
/// them print to a printer (<c>/api/devices/{id}/hosts</c>), and per printer model the spread of driver versions
/// (<c>/api/drivers/spread</c>).
/// </summary>
public static class HostsApi
{
    public static IEndpointRouteBuilder MapHostsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var staff = app.MapGroup("/api").WithTags("Hosts").RequireAuthorization(Roles.StaffPolicy);
        staff.MapGet("/hosts", Hosts);
        staff.MapGet("/devices/{deviceId}/hosts", HostsOfPrinter);
        staff.MapGet("/drivers/spread", DriverSpread);
        // The host itself: staff, or the customer who paired it (it is a device to them); anyone else is told it does not exist.
        app.MapGet("/api/hosts/{hostId}", Host).WithTags("Hosts").RequireAuthorization().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<HostView>>> Hosts(HostStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListHostsAsync(cancellationToken));

    public static async Task<Results<Ok<HostView>, ProblemHttpResult>> Host(string hostId, HttpContext http, DeviceAccess access, HostStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(store);
        return await access.CanAccessAsync(http.User, hostId, cancellationToken) && await store.GetHostAsync(hostId, cancellationToken) is { } host
            ? TypedResults.Ok(host)
            : TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "NoSuchHost", hostId));
    }

    public static async Task<Ok<IReadOnlyList<PrinterHostView>>> HostsOfPrinter(string deviceId, HostStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.HostsOfPrinterAsync(deviceId, cancellationToken));

    public static async Task<Ok<IReadOnlyList<ModelDriverSpread>>> DriverSpread(HostStore store, CancellationToken cancellationToken, string? model = null) =>
        TypedResults.Ok(await store.DriverSpreadAsync(model, cancellationToken));
}
