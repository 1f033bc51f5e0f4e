using System.Security.Cryptography;
using System.Text;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Http;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Devices;

/// <summary>
/// Who may register a device: a signed-in admin, or a device (or factory line) presenting the enrollment key in the
/// <c>X-Enrollment-Key</c> header when <c>Devices:EnrollmentKey</c> is configured. Without a key, only admins and the
/// <c>devices register</c> command can add devices.
/// </summary>
internal sealed partial class DeviceEnrollment(IOptions<DevicesOptions> options, CloudMetrics metrics, ILogger<DeviceEnrollment> logger) : IEndpointFilter
{
    public const string HeaderName = "X-Enrollment-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (http.User.IsInRole(Roles.Admin) || PresentsEnrollmentKey(http.Request, options.Value) == true)
            return await next(context);
        metrics.AccessRefused(AccessRefusal.Enrollment);
        LogRefused(http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        var authenticated = http.User.Identity?.IsAuthenticated == true;
        return TypedResults.Problem(ApiProblems.Create(
            authenticated ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized,
            "RegistrationNotAllowed", HeaderName));
    }

    /// <summary>True for the configured key, false for another (or any when none is configured), null when the request presents none.</summary>
    internal static bool? PresentsEnrollmentKey(HttpRequest request, DevicesOptions settings)
    {
        if (!request.Headers.TryGetValue(HeaderName, out var presented))
            return null;
        var expected = settings.EnrollmentKey;
        if (string.IsNullOrEmpty(expected))
            return false;
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented.ToString())), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }

    [LoggerMessage(EventId = DevicesEventIds.EnrollmentRefused, Level = LogLevel.Warning, Message = "Device registration from {RemoteAddress} refused: neither an admin nor the enrollment key")]
    private partial void LogRefused(string remoteAddress);
}
