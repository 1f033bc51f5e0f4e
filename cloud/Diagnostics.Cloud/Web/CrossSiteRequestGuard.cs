using Diagnostics.Cloud.Http;
using Diagnostics.Cloud.Observability;

namespace Diagnostics.Cloud.Web;

/// <summary>
/// Refuses state-changing requests that a browser sends on behalf of another site. A browser attaches the session
/// cookie to a form another site posts to us whenever that site counts as the same site (a sibling subdomain, another
/// port on the same host), and to some top-level cross-site posts too; the routes that take no body (approve a fix,
/// release a report, leave a session) have no anti-forgery token to check. Browsers say where a request comes from:
/// <c>Sec-Fetch-Site</c> (Fetch Metadata) or, on every POST, <c>Origin</c>; either must name this origin.
/// What passes: safe methods (except a WebSocket handshake, which is a GET that opens a channel with the cookie);
/// requests with an <c>Authorization</c> header (devices and programs with a bearer token: a browser cannot add that
/// header for another site without a CORS permission, which this server never grants); and requests with neither
/// header, which no current browser sends for a POST (programs such as fwtool, and curl).
/// </summary>
public sealed partial class CrossSiteRequestGuard(RequestDelegate next, CloudMetrics metrics, ILogger<CrossSiteRequestGuard> logger)
{
    /// <summary>The problem's <c>code</c> (its title is in the reader's language).</summary>
    public const string RefusalCode = "CrossSiteRefused";

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!NeedsCheck(context.Request) || IsSameOrigin(context.Request))
        {
            await next(context);
            return;
        }
        metrics.AccessRefused(AccessRefusal.CrossSite);
        LogRefused(context.Request.Method, context.Request.Path, context.Request.Headers.Origin.ToString(), context.Request.Headers["Sec-Fetch-Site"].ToString());
        await TypedResults.Problem(ApiProblems.Create(StatusCodes.Status403Forbidden, RefusalCode)).ExecuteAsync(context);
    }

    private static bool NeedsCheck(HttpRequest request)
    {
        if (request.Headers.Authorization.Count > 0)
            return false;
        return !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
            || request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsSameOrigin(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0)
            return fetchSite is "same-origin" or "none";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
            return true;
        // "null" (a sandboxed frame, a redirect from elsewhere) or anything that is not this host is another origin.
        // The host is compared, not the scheme: behind a proxy that ends TLS the request arrives as http.
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, WithoutDefaultPort(request.Host), StringComparison.OrdinalIgnoreCase);
    }

    private static string WithoutDefaultPort(HostString host) =>
        host.Port is 80 or 443 ? host.Host : host.Value ?? "";

    [LoggerMessage(EventId = WebEventIds.CrossSiteRefused, Level = LogLevel.Warning,
        Message = "Cross-site {Method} {Path} refused (Origin {Origin}, Sec-Fetch-Site {FetchSite})")]
    private partial void LogRefused(string method, string path, string origin, string fetchSite);
}
