using System.Net.Http.Headers;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Http;
using Diagnostics.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Diagnostics.Cloud.Fixes;

/// <summary>A report's sections, for its owner's review or for support once released.</summary>
public sealed record ReportContent(DiagnosticsReport Report, IReadOnlyList<BundleSection> Sections);

/// <summary>
/// Diagnostics reports: support requests one (<c>POST /api/devices/{id}/diagnostics</c>), the device uploads it with its
/// own token (<c>POST /api/devices/{id}/bundles</c>), the owner reviews, releases or discards it (<c>/api/me/reports</c>),
/// and support downloads a released one (<c>/api/reports/{id}/download</c>).
/// </summary>
public static class DiagnosticsReportsApi
{
    public static IEndpointRouteBuilder MapDiagnosticsReportsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // The device, not a person: its token in the Authorization header, checked here.
        app.MapPost("/api/devices/{deviceId}/bundles", Upload).WithTags("Diagnostics reports").AllowAnonymous().DisableAntiforgery()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        var staff = app.MapGroup("/api").WithTags("Diagnostics reports").RequireAuthorization(Roles.StaffPolicy);
        staff.MapPost("/devices/{deviceId}/diagnostics", Request).ProducesProblem(StatusCodes.Status404NotFound);
        staff.MapGet("/devices/{deviceId}/reports", DeviceReports);
        staff.MapGet("/reports/{reportId}/download", Download).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        var mine = app.MapGroup("/api/me").WithTags("Diagnostics reports").RequireAuthorization(Roles.CustomerPolicy);
        mine.MapGet("/devices/{deviceId}/reports", MyDeviceReports).ProducesProblem(StatusCodes.Status404NotFound);
        mine.MapGet("/reports/{reportId}", MyReport).ProducesProblem(StatusCodes.Status404NotFound);
        mine.MapPost("/reports/{reportId}/release", (string reportId, HttpContext http, CustomerFixes fixes, CancellationToken ct) =>
            DecideAsync(reportId, release: true, http, fixes, ct)).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        mine.MapPost("/reports/{reportId}/discard", (string reportId, HttpContext http, CustomerFixes fixes, CancellationToken ct) =>
            DecideAsync(reportId, release: false, http, fixes, ct)).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static async Task<Results<Created<DiagnosticsReport>, ProblemHttpResult>> Upload(
        string deviceId, HttpRequest request, DiagnosticsReports reports, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(reports);
        if (!await DeviceHttpIdentity.IsDeviceAsync(request.HttpContext, deviceId, cancellationToken))
            return TypedResults.Problem(DeviceHttpIdentity.NotThisDevice());
        if (request.ContentLength > DiagnosticsBundles.MaxBytes)
            return TooLarge();
        using var body = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > DiagnosticsBundles.MaxBytes)
                return TooLarge();
            body.Write(buffer, 0, read);
        }
        var (report, error, detail) = await reports.UploadAsync(deviceId, body.ToArray(), cancellationToken);
        return error switch
        {
            UploadError.None => TypedResults.Created($"/api/reports/{report!.Id}", report),
            UploadError.Invalid => TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "Not a diagnostics bundle", detail ?? "")),
            _ => TypedResults.Problem(ApiProblems.Create(StatusCodes.Status409Conflict, error == UploadError.Duplicate ? "Already uploaded" : "Not requested", detail ?? "")),
        };
    }

    public static async Task<Results<Ok<FixView>, ProblemHttpResult>> Request(string deviceId, HttpContext http, StaffFixes fixes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fixes);
        return await fixes.RequestDiagnosticsAsync(http.User, deviceId, cancellationToken) is { } request
            ? TypedResults.Ok(request)
            : TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "Unknown device", $"No device {deviceId} is registered."));
    }

    public static async Task<Ok<IReadOnlyList<DiagnosticsReport>>> DeviceReports(string deviceId, HttpContext http, StaffFixes fixes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fixes);
        return TypedResults.Ok(await fixes.ReportsAsync(http.User, deviceId, cancellationToken));
    }

    /// <summary>Only a report its owner released; one still in review or discarded is not support's to read.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Download(string reportId, HttpContext http, StaffFixes fixes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fixes);
        var (report, content) = await fixes.ReleasedReportAsync(http.User, reportId, cancellationToken);
        if (report is null)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "Unknown report", $"There is no report {reportId}."));
        if (content is null)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status409Conflict, "Not released",
                report.State == ReportState.Discarded ? "Its owner discarded this report." : "Its owner has not released this report yet."));
        return TypedResults.File(content, "application/json", $"{report.DeviceId}-{report.UploadedAt.UtcDateTime:yyyyMMdd-HHmmss}-diagnostics.json");
    }

    public static async Task<Results<Ok<IReadOnlyList<DiagnosticsReport>>, ProblemHttpResult>> MyDeviceReports(
        string deviceId, HttpContext http, CustomerFixes fixes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fixes);
        return await fixes.ReportsAsync(http.User, deviceId, cancellationToken) is { } reports
            ? TypedResults.Ok(reports)
            : TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "Unknown device", $"You have no device {deviceId}."));
    }

    public static async Task<Results<Ok<ReportContent>, ProblemHttpResult>> MyReport(string reportId, HttpContext http, CustomerFixes fixes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fixes);
        return await fixes.ReportAsync(http.User, reportId, cancellationToken) is { } content
            ? TypedResults.Ok(content)
            : TypedResults.Problem(UnknownReport(reportId));
    }

    private static async Task<Results<Ok<DiagnosticsReport>, ProblemHttpResult>> DecideAsync(
        string reportId, bool release, HttpContext http, CustomerFixes fixes, CancellationToken cancellationToken)
    {
        var (report, error) = await fixes.DecideReportAsync(http.User, reportId, release, cancellationToken);
        return error switch
        {
            ReportDecisionError.None => TypedResults.Ok(report!),
            ReportDecisionError.AlreadyDecided => TypedResults.Problem(ApiProblems.Create(StatusCodes.Status409Conflict, "Already decided", $"Report {reportId} was already released or discarded.")),
            _ => TypedResults.Problem(UnknownReport(reportId)),
        };
    }

    private static ProblemHttpResult TooLarge() => TypedResults.Problem(ApiProblems.Create(StatusCodes.Status413PayloadTooLarge, "Too large",
        $"A diagnostics bundle is at most {DiagnosticsBundles.MaxBytes / 1024} KiB."));

    private static Microsoft.AspNetCore.Mvc.ProblemDetails UnknownReport(string reportId) =>
        ApiProblems.Create(StatusCodes.Status404NotFound, "Unknown report", $"There is no report {reportId} for your devices.");
}
