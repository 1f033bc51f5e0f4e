using Microsoft.AspNetCore.Http.HttpResults;

namespace Diagnostics.Cloud.Web.Companion;

public static class CompanionApp
{
    /// <summary>Where the companion's service worker is served; the page registers it with scope <c>/app</c>.</summary>
    public const string ServiceWorkerPath = "/app/service-worker.js";

    /// <summary>
    /// The companion's service worker. A worker may only control pages under its own folder, and its file is a static
    /// asset under <c>/companion/</c>; served here, next to the pages, with <c>Service-Worker-Allowed</c> for
    /// <c>/app</c> itself, it can show the offline page for every page of the app.
    /// </summary>
    public static WebApplication MapCompanionApp(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet(ServiceWorkerPath, Results<FileStreamHttpResult, NotFound> (HttpContext http, IWebHostEnvironment environment) =>
        {
            var file = environment.WebRootFileProvider.GetFileInfo("companion/sw.js");
            if (!file.Exists)
                return TypedResults.NotFound();
            http.Response.Headers["Service-Worker-Allowed"] = "/app";
            // Browsers check for a new worker on each visit; no HTTP cache in between.
            http.Response.Headers.CacheControl = "no-cache";
            return TypedResults.Stream(file.CreateReadStream(), "text/javascript; charset=utf-8");
        }).ExcludeFromDescription();
        return app;
    }
}
