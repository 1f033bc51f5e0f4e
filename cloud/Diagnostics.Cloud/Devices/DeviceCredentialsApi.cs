using System.Net.Http.Headers;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Certificates;
using Diagnostics.Cloud.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Devices;

/// <summary>A device's certificate signing request (PEM) and, for a device it registers, its model.</summary>
public sealed record CertificateEnrollmentRequest(string? Csr, string? Model);

/// <summary>An issued certificate (PEM) with the CA that signed it; <see cref="Token"/> only for a device the request registered, shown once.</summary>
public sealed record CertificateEnrollmentResponse(string DeviceId, string Certificate, string CaCertificate, string Serial, DateTimeOffset NotAfter, string? Token);

/// <summary>A request waiting for an admin; the device asks again at <c>Location</c> with <see cref="RequestId"/>.</summary>
public sealed record CertificateRequestPending(string DeviceId, string RequestId, string Status);

/// <summary>
/// Device credentials: revoke and rotate (admins), certificate enrollment by signing request (anyone; what happens
/// depends on what the caller shows, see <see cref="CertificateEnrollment"/>) and the admin's decisions on held requests.
/// </summary>
public static class DeviceCredentialsApi
{
    public static IEndpointRouteBuilder MapDeviceCredentialsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var devices = app.MapGroup("/api/devices").WithTags("Device credentials");
        var admin = devices.MapGroup("/{deviceId}").RequireAuthorization(Roles.AdminPolicy);
        admin.MapGet("/credentials", GetCredentials).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapDelete("/credentials", RevokeCredentials).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/credentials/rotate", RotateCredentials).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/certificate/requests/{requestId}/approve", (string deviceId, string requestId, HttpContext http, CertificateEnrollment enrollment, CancellationToken ct) =>
            DecideAsync(deviceId, requestId, approve: true, http, enrollment, ct)).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/certificate/requests/{requestId}/decline", (string deviceId, string requestId, HttpContext http, CertificateEnrollment enrollment, CancellationToken ct) =>
            DecideAsync(deviceId, requestId, approve: false, http, enrollment, ct)).ProducesProblem(StatusCodes.Status404NotFound);
        devices.MapGet("/certificate-requests", async (CertificateEnrollment enrollment, CancellationToken ct) => TypedResults.Ok(await enrollment.ListPendingAsync(ct)))
            .RequireAuthorization(Roles.AdminPolicy);
        // Open to devices: the caller's admin cookie, enrollment key or token decides, and without any the request waits.
        // For devices, not people: a signed-in person other than an admin is refused (401).
        devices.MapPost("/{deviceId}/certificate", Enroll).AllowAnonymous()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status409Conflict);
        devices.MapGet("/{deviceId}/certificate/requests/{requestId}", Collect).AllowAnonymous()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    public static async Task<Results<Ok<DeviceCredentialsView>, ProblemHttpResult>> GetCredentials(string deviceId, DeviceRegistry registry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return await registry.GetCredentialsViewAsync(deviceId, cancellationToken) is { } view
            ? TypedResults.Ok(view)
            : TypedResults.Problem(DevicesApi.UnknownDevice(deviceId));
    }

    /// <summary>Decommissions the device: token and certificates revoked, its live session ended before the answer.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeCredentials(
        string deviceId, HttpContext http, DeviceRegistry registry, IDeviceSessions sessions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(sessions);
        if (!await registry.RevokeAsync(deviceId, http.User.Signature(), cancellationToken))
            return TypedResults.Problem(DevicesApi.UnknownDevice(deviceId));
        await sessions.EndRevokedSessionsAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>A new token, shown in this answer only; the old token and every certificate stop working at once.</summary>
    public static async Task<Results<Ok<RegisteredDevice>, ProblemHttpResult>> RotateCredentials(
        string deviceId, HttpContext http, DeviceRegistry registry, IDeviceSessions sessions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(sessions);
        if (await registry.RotateAsync(deviceId, http.User.Signature(), cancellationToken) is not { } rotated)
            return TypedResults.Problem(DevicesApi.UnknownDevice(deviceId));
        await sessions.EndRevokedSessionsAsync(cancellationToken);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(rotated);
    }

    public static async Task<Results<Created<CertificateEnrollmentResponse>, Accepted<CertificateRequestPending>, ProblemHttpResult>> Enroll(
        string deviceId, CertificateEnrollmentRequest request, HttpContext http, DeviceRegistry registry, CertificateEnrollment enrollment,
        DeviceCertificateAuthority authority, IOptions<DevicesOptions> options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(enrollment);
        ArgumentNullException.ThrowIfNull(options);
        if (IsPersonOtherThanAdmin(http))
            return NotForPeople();
        var (caller, actor) = await CallerAsync(deviceId, http, registry, options.Value, cancellationToken);
        if (caller is null)
        {
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status401Unauthorized, "CredentialsNotAccepted", DeviceEnrollment.HeaderName));
        }
        var result = await enrollment.EnrollAsync(deviceId, request.Model, request.Csr, caller.Value, actor, cancellationToken);
        if (result.Status == EnrollmentStatus.Held)
        {
            return TypedResults.Accepted($"/api/devices/{deviceId}/certificate/requests/{result.RequestId}",
                new CertificateRequestPending(deviceId, result.RequestId!, "pending"));
        }
        return Answer(deviceId, result, authority, http);
    }

    public static async Task<Results<Created<CertificateEnrollmentResponse>, Accepted<CertificateRequestPending>, ProblemHttpResult>> Collect(
        string deviceId, string requestId, HttpContext http, CertificateEnrollment enrollment, DeviceCertificateAuthority authority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(enrollment);
        if (IsPersonOtherThanAdmin(http))
            return NotForPeople();
        var result = await enrollment.CollectAsync(deviceId, requestId, cancellationToken);
        return result.Status == EnrollmentStatus.Pending
            ? TypedResults.Accepted((string?)null, new CertificateRequestPending(deviceId, requestId, "pending"))
            : Answer(deviceId, result, authority, http);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DecideAsync(
        string deviceId, string requestId, bool approve, HttpContext http, CertificateEnrollment enrollment, CancellationToken cancellationToken) =>
        await enrollment.DecideAsync(deviceId, requestId, approve, http.User.Signature(), cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "NoSuchPendingRequest", deviceId, requestId));

    private static bool IsPersonOtherThanAdmin(HttpContext http) => http.User.Identity?.IsAuthenticated == true && !http.User.IsInRole(Roles.Admin);

    private static ProblemHttpResult NotForPeople() => TypedResults.Problem(ApiProblems.Create(StatusCodes.Status401Unauthorized, "ForDevices"));

    /// <summary>Who is asking: an admin, the enrollment key, the device's own token, or nobody (null: a key or token that does not match).</summary>
    private static async Task<(EnrollmentCaller? Caller, string Actor)> CallerAsync(
        string deviceId, HttpContext http, DeviceRegistry registry, DevicesOptions options, CancellationToken cancellationToken)
    {
        if (http.User.IsInRole(Roles.Admin))
            return (EnrollmentCaller.Admin, http.User.Signature());
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        switch (DeviceEnrollment.PresentsEnrollmentKey(http.Request, options))
        {
            case true:
                return (EnrollmentCaller.EnrollmentKey, $"enrollment key from {address}");
            case false:
                return (null, "");
        }
        if (await http.Connection.GetClientCertificateAsync(cancellationToken) is not null || DeviceHttpIdentity.PresentsBearer(http.Request, out _))
            return await DeviceHttpIdentity.IsDeviceAsync(http, deviceId, cancellationToken) ? (EnrollmentCaller.Device, $"device {deviceId} (its certificate or token)") : (null, "");
        return (EnrollmentCaller.Anonymous, address);
    }

    private static Results<Created<CertificateEnrollmentResponse>, Accepted<CertificateRequestPending>, ProblemHttpResult> Answer(
        string deviceId, EnrollmentResult result, DeviceCertificateAuthority authority, HttpContext http)
    {
        if (result is { Status: EnrollmentStatus.Issued, Certificate: { } certificate })
        {
            // The token (for a device this request registered) is in this answer only.
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.Created($"/api/devices/{deviceId}/credentials",
                new CertificateEnrollmentResponse(deviceId, certificate.Pem, authority.CertificatePem, certificate.Serial, certificate.NotAfter, result.Token));
        }
        var (status, code) = result.Status switch
        {
            EnrollmentStatus.InvalidDeviceId => (StatusCodes.Status400BadRequest, "CertificateInvalidDeviceId"),
            EnrollmentStatus.InvalidRequest => (StatusCodes.Status400BadRequest, "CertificateInvalidRequest"),
            EnrollmentStatus.DeviceIsRegistered => (StatusCodes.Status409Conflict, "CertificateDeviceIsRegistered"),
            EnrollmentStatus.NotRegistered => (StatusCodes.Status409Conflict, "CertificateNotRegistered"),
            EnrollmentStatus.AlreadyWaiting => (StatusCodes.Status409Conflict, "CertificateAlreadyWaiting"),
            EnrollmentStatus.TooManyWaiting => (StatusCodes.Status503ServiceUnavailable, "CertificateTooManyWaiting"),
            EnrollmentStatus.Declined => (StatusCodes.Status403Forbidden, "CertificateDeclined"),
            _ => (StatusCodes.Status404NotFound, "CertificateNoSuchRequest"),
        };
        var problem = ApiProblems.Explained(status, code, result.Detail);
        // Without an explanation of its own, the title says it all (as before).
        problem.Detail = string.IsNullOrEmpty(problem.Detail) ? problem.Title : problem.Detail;
        return TypedResults.Problem(problem);
    }
}
