using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Web;

public static class WebSecurityExtensions
{
    /// <summary>The trusted reverse proxies (<c>ReverseProxy:*</c>), validated at start.</summary>
    public static IHostApplicationBuilder AddWebSecurity(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ReverseProxyOptions>()
            .Bind(builder.Configuration.GetSection(ReverseProxyOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<ReverseProxyOptions>>((forwarded, proxies) =>
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
                forwarded.ForwardLimit = proxies.Value.ForwardLimit;
                // ASP.NET Core trusts loopback by default; here nothing is trusted unless configured.
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                foreach (var proxy in proxies.Value.ParsedProxies())
                    forwarded.KnownProxies.Add(proxy);
                foreach (var network in proxies.Value.ParsedNetworks())
                    forwarded.KnownIPNetworks.Add(network);
            });
        return builder;
    }

    /// <summary>
    /// First in the pipeline: the client's real address and scheme from a trusted proxy (what sign-in throttling
    /// counts and the cross-site check compares), the security headers on every answer, then the cross-site check.
    /// </summary>
    public static WebApplication UseWebSecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<IOptions<ReverseProxyOptions>>().Value.TrustsAnyProxy)
            app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        app.UseMiddleware<CrossSiteRequestGuard>();
        return app;
    }
}
