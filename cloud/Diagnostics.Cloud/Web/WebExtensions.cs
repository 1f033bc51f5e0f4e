using Diagnostics.Cloud.Observability;

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
                LogListening(logger, url);
        });
        return app;
    }

    [LoggerMessage(EventId = EventIds.ApiListening, Level = LogLevel.Information, Message = "API listening on {Url} — try {Url}/api/fleet/summary")]
    private static partial void LogListening(ILogger logger, string url);
}
