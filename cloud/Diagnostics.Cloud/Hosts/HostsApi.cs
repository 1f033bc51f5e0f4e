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

    public static async Task<Ok<IReadOnlyList<HostView>>> Hosts(HttpContext http, StaffHosts hosts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(hosts);
        return TypedResults.Ok(await hosts.ListAsync(http.User, cancellationToken));
    }

    /// <summary>One host for either audience: staff read any, a customer only their own (each audience's service checks).</summary>
    public static async Task<Results<Ok<HostView>, ProblemHttpResult>> Host(
        string hostId, HttpContext http, StaffHosts staff, CustomerHosts customers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(staff);
        ArgumentNullException.ThrowIfNull(customers);
        var host = http.User.IsStaff() ? await staff.GetAsync(http.User, hostId, cancellationToken) : await customers.GetAsync(http.User, hostId, cancellationToken);
        return host is not null
            ? TypedResults.Ok(host)
            : TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "No such host", $"There is no host '{hostId}' (an agent in the host role that has reported)."));
    }

    public static async Task<Ok<IReadOnlyList<PrinterHostView>>> HostsOfPrinter(string deviceId, HttpContext http, StaffHosts hosts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(hosts);
        return TypedResults.Ok(await hosts.OfPrinterAsync(http.User, deviceId, cancellationToken));
    }

    public static async Task<Ok<IReadOnlyList<ModelDriverSpread>>> DriverSpread(HttpContext http, StaffHosts hosts, CancellationToken cancellationToken, string? model = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(hosts);
        return TypedResults.Ok(await hosts.DriverSpreadAsync(http.User, model, cancellationToken));
    }
}
