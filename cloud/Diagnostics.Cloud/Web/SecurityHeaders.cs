namespace Diagnostics.Cloud.Web;

/// <summary>
/// The response headers every answer carries: a Content-Security-Policy for both apps and the usual hardening headers.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// Scripts only from this site's files (no inline script, no <c>eval</c>), nothing from other origins, no framing.
    /// Styles also allow inline: Blazor's reconnect dialog inserts a <c>&lt;style&gt;</c> element, and supply gauges
    /// and chart swatches set their width and colour in a <c>style</c> attribute. Inline CSS cannot run code.
    /// <c>connect-src 'self'</c> covers the Blazor circuit's and the live hub's WebSockets on this host (CSP Level 3).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; connect-src 'self'; " +
        "font-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
        "frame-ancestors 'none'";

    /// <summary>Browser features no page of either app uses, switched off so an injected frame or script cannot ask for them.</summary>
    public const string PermissionsPolicy =
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), hid=(), midi=(), " +
        "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), browsing-topics=()";

    private static readonly (string Name, string Value)[] Headers =
    [
        ("Content-Security-Policy", ContentSecurityPolicy),
        ("X-Content-Type-Options", "nosniff"),
        // Device ids and session ids are in page addresses: other sites are not told which page linked to them.
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", PermissionsPolicy),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
    ];

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpResponse)state).Headers;
                foreach (var (name, value) in Headers)
                    headers[name] = value;
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
    }
}
