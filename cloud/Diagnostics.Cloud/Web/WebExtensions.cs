using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Http;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Web.Components;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Diagnostics.Cloud.Web;

public static partial class WebExtensions
{
    /// <summary>The OpenAPI document of the HTTP API.</summary>
    public static IHostApplicationBuilder AddApiDocumentation(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>The support dashboard (<c>/dashboard</c>) and the companion app (<c>/app</c>): Blazor, interactive on the server.</summary>
    public static WebApplicationBuilder AddWebApps(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The framework's scripts (blazor.web.js) live in a package until the app is published. `dotnet run` starts in
        // Production, where ASP.NET Core would not look there; this makes the build output serve them in every
        // environment, and does nothing for a published app (which has them in wwwroot).
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddSingleton<Dashboard.AttentionList>();
        builder.Services.AddSingleton<Dashboard.Knowledge.KnowledgeText>();
        builder.Services.AddSingleton<Dashboard.Updates.RolloutWords>();
        builder.Services.AddOptions<Companion.CompanionOptions>()
            .Bind(builder.Configuration.GetSection(Companion.CompanionOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return builder;
    }

    /// <summary>Pages, their static assets (served by the app itself: browsers may have no internet) and sign-out.</summary>
    public static WebApplication MapWebApps(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapStaticAssets();
        // SecurityHeaders sends the whole policy, frame-ancestors 'none' included, on every answer; Blazor's own
        // frame-ancestors header would be a second policy beside it.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(server => server.ContentSecurityFrameAncestorsPolicy = null);
        // A form post carrying the anti-forgery token: another site cannot sign people out.
        app.MapPost("/account/logout", async Task<Results<RedirectHttpResult, BadRequest>> (HttpContext http, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
                return TypedResults.BadRequest();
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return TypedResults.Redirect("/account/login");
        });
        return app;
    }

    /// <summary>Serves <c>/openapi/v1.json</c>.</summary>
    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi();
        return app;
    }

    /// <summary>Logs where the API listens once the server has started, so a person knows what to open.</summary>
    public static WebApplication AnnounceUrls(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Diagnostics.Cloud");
            foreach (var url in app.Urls)
            {
                if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                    LogListeningPlain(logger, url);
                else
                    LogListening(logger, url);
            }
            // Last at start-up, together: where to go in a browser and, in a demo, who to sign in as. With demo printers
            // the fleet says it once they run, after their start-up lines.
            var demo = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Demo.DemoFleetOptions>>().Value;
            if (demo.Devices == 0 && app.Urls.FirstOrDefault() is { } first)
                StartupReadyLine.Log(logger, first, demo.SeedAccounts ? demo.SignIns() : null);
        });
        return app;
    }

    [LoggerMessage(EventId = WebEventIds.ApiListening, Level = LogLevel.Information, Message = "API listening on {Url}")]
    private static partial void LogListening(ILogger logger, string url);

    [LoggerMessage(EventId = BrokerEventIds.PlainListener, Level = LogLevel.Warning, Message = "API listening on PLAIN, UNENCRYPTED HTTP at {Url}: passwords and sign-in cookies cross the network in clear text. For development only; serve https:// addresses alone in production (Urls)")]
    private static partial void LogListeningPlain(ILogger logger, string url);
}
