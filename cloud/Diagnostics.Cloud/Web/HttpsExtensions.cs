using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Diagnostics.Cloud.Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Diagnostics.Cloud.Web;

/// <summary>
/// HTTPS for the API and both apps: Kestrel serves every <c>https://</c> address in <c>Urls</c> with the server
/// certificate (the configured file, reloaded when it changes, or the development one; see <see cref="ServerCertificate"/>),
/// TLS 1.2 and 1.3 only, a client certificate asked for but not required (devices' mutual TLS), and answers HTTPS requests with HSTS. The sign-in cookie is <c>Secure</c> on HTTPS (see
/// <c>AccountsExtensions</c>). Plain <c>http://</c> addresses stay possible for development, announced loudly at start.
/// </summary>
public static class HttpsExtensions
{
    /// <summary>How long browsers keep to HTTPS once told (a year, the usual production value).</summary>
    public static readonly TimeSpan HstsMaxAge = TimeSpan.FromDays(365);

    public static WebApplicationBuilder AddHttps(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            var certificate = kestrel.ApplicationServices.GetRequiredService<ServerCertificate>();
            https.ServerCertificateSelector = (_, _) => certificate.Current;
            https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            // Devices may show their certificate instead of a token; browsers without one carry on without it.
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.ClientCertificateValidation = AcceptForTheRouteToDecide;
        }));
        // Loopback names stay excluded (ASP.NET Core's default): HSTS on "localhost" would pin every local site to HTTPS.
        builder.Services.AddHsts(hsts => hsts.MaxAge = HstsMaxAge);
        return builder;
    }

    /// <summary>
    /// Any client certificate gets through the handshake: the routes for devices check it against the device CA and the
    /// registry (<see cref="Devices.DeviceHttpIdentity"/>), where a refusal is a 401 with a reason rather than a TLS alert;
    /// every other route ignores it.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5359:Do not disable certificate validation",
        Justification = "Client certificates are validated per request against the device CA and the registry (DeviceHttpIdentity).")]
    private static bool AcceptForTheRouteToDecide(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors) => true;

    /// <summary>HSTS on every HTTPS answer; right after the reverse-proxy handling (<c>UseWebSecurity</c>), so behind a trusted proxy the forwarded scheme counts.</summary>
    public static WebApplication UseHttps(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseHsts();
        return app;
    }
}
