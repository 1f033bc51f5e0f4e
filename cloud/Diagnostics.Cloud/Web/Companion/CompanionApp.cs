using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Diagnostics.Cloud.Localization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Diagnostics.Cloud.Web.Companion;

public static class CompanionApp
{
    /// <summary>Where the companion's service worker is served; the page registers it with scope <c>/app</c>.</summary>
    public const string ServiceWorkerPath = "/app/service-worker.js";

    /// <summary>The web app manifest the companion's pages link (name and description in the reader's language).</summary>
    public const string ManifestPath = "/companion/manifest.webmanifest";

    /// <summary>The page the service worker keeps for when the phone has no connection, in the reader's language.</summary>
    public const string OfflinePagePath = "/companion/offline.html";

    private static readonly LocalizedTexts Texts = new("Web.Companion.CompanionApp");

    /// <summary>
    /// The companion's service worker, manifest and offline page. A worker may only control pages under its own folder,
    /// and its file is a static asset under <c>/companion/</c>; served here, next to the pages, with
    /// <c>Service-Worker-Allowed</c> for <c>/app</c> itself, it can show the offline page for every page of the app. The
    /// manifest (the name under the icon on a phone's home screen) and the offline page are written for each reader
    /// rather than kept as static English files: request localization has chosen the language (the account's, then the
    /// browser's) by the time they are answered.
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
        app.MapGet(ManifestPath, (HttpContext http) =>
        {
            PerReader(http);
            return TypedResults.Text(Manifest().ToJsonString(), "application/manifest+json; charset=utf-8");
        }).ExcludeFromDescription();
        app.MapGet(OfflinePagePath, (HttpContext http) =>
        {
            PerReader(http);
            return TypedResults.Text(OfflinePage(), "text/html; charset=utf-8");
        }).ExcludeFromDescription();
        return app;
    }

    // The answer depends on who asks and in which language; a shared cache must not hand one reader's to another.
    private static void PerReader(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.Append(HeaderNames.Vary, "Accept-Language, Cookie");
        http.Response.Headers.ContentLanguage = CultureInfo.CurrentUICulture.Name;
    }

    private static JsonObject Manifest() => new()
    {
        ["name"] = Texts.Text("AppName"),
        ["short_name"] = Texts.Text("ShortName"),
        ["description"] = Texts.Text("Description"),
        ["lang"] = CultureInfo.CurrentUICulture.Name,
        ["dir"] = "ltr",
        ["id"] = "/app",
        ["start_url"] = "/app",
        ["scope"] = "/",
        ["display"] = "standalone",
        ["orientation"] = "portrait",
        ["theme_color"] = "#0b5cad",
        ["background_color"] = "#f5f7fa",
        ["icons"] = new JsonArray(
            Icon("/companion/icon.svg", "any", "image/svg+xml", "any"),
            Icon("/companion/icon-192.png", "192x192", "image/png", "any"),
            Icon("/companion/icon-512.png", "512x512", "image/png", "any"),
            Icon("/companion/icon-maskable-512.png", "512x512", "image/png", "maskable")),
    };

    private static JsonObject Icon(string src, string sizes, string type, string purpose) =>
        new() { ["src"] = src, ["sizes"] = sizes, ["type"] = type, ["purpose"] = purpose };

    private static string OfflinePage()
    {
        static string Html(string name) => WebUtility.HtmlEncode(Texts.Text(name));
        return $$"""
            <!DOCTYPE html>
            <html lang="{{CultureInfo.CurrentUICulture.Name}}">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1.0" />
                <meta name="theme-color" content="#0b5cad" />
                <title>{{Html("OfflineTitle")}}</title>
                <style>
                    body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2733; background: #f5f7fa; }
                    header { background: #0b5cad; color: white; padding: 0.75rem 1rem; font-weight: 600; }
                    main { max-width: 36rem; margin: 0 auto; padding: 2rem 1rem; text-align: center; }
                    img { width: 96px; height: 96px; }
                    a { display: inline-block; margin-top: 1rem; padding: 0.9rem 1.5rem; min-height: 48px; box-sizing: border-box; border-radius: 10px; background: #0b5cad; color: white; text-decoration: none; font-weight: 600; }
                </style>
            </head>
            <body>
                <header>{{Html("ShortName")}}</header>
                <main data-testid="offline">
                    <img src="/companion/icon-192.png" alt="" />
                    <h1>{{Html("OfflineHeading")}}</h1>
                    <p>{{Html("OfflineNoConnection")}}</p>
                    <p>{{Html("OfflineWhatToDo")}}</p>
                    <a href="/app">{{Html("TryAgain")}}</a>
                </main>
            </body>
            </html>
            """;
    }
}
