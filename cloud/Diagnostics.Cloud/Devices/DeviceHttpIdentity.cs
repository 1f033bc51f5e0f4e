using System.Net.Http.Headers;
using Diagnostics.Cloud.Http;
using Microsoft.AspNetCore.Mvc;

namespace Diagnostics.Cloud.Devices;

/// <summary>
/// How a device proves itself on the HTTP routes made for devices (payload downloads, report uploads, certificate
/// enrollment): by the TLS client certificate of its HTTPS connection (mutual TLS, checked as the broker checks it —
/// <see cref="DeviceCertificateCheck"/>), or by its token as <c>Authorization: Bearer</c>. A certificate that is
/// presented and fails is refused outright, whatever else the request carries.
/// </summary>
public static class DeviceHttpIdentity
{
    /// <summary>True when the request comes from <paramref name="deviceId"/> itself.</summary>
    public static async Task<bool> IsDeviceAsync(HttpContext http, string deviceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var certificate = await http.Connection.GetClientCertificateAsync(cancellationToken);
        if (certificate is not null)
            return (await http.RequestServices.GetRequiredService<DeviceCertificateCheck>().VerifyAsync(certificate, deviceId, cancellationToken)).IsValid;
        return PresentsBearer(http.Request, out var token)
            && await http.RequestServices.GetRequiredService<DeviceRegistry>().VerifyAsync(deviceId, token, cancellationToken);
    }

    /// <summary>Whether the request carries a Bearer token (possibly a wrong one).</summary>
    public static bool PresentsBearer(HttpRequest request, out string token)
    {
        ArgumentNullException.ThrowIfNull(request);
        token = AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) && header.Scheme == "Bearer" ? header.Parameter ?? "" : "";
        return token.Length > 0;
    }

    /// <summary>The answer to a request that is not from the device it names.</summary>
    public static ProblemDetails NotThisDevice() => ApiProblems.Create(StatusCodes.Status401Unauthorized, "NotThisDevice");
}
