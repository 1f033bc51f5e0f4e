using Diagnostics.Cloud.Http;
using Microsoft.AspNetCore.Diagnostics;

namespace Diagnostics.Cloud.Web;

public static class NotFoundPageExtensions
{
    /// <summary>Where the not-found page lives (<c>Web/Components/PageNotFound.razor</c>), the address an unknown one is answered from.</summary>
    public const string NotFoundPath = "/not-found";

    /// <summary>
    /// An unknown page address (<c>/nope</c>, an old link) answers 404 with the not-found page in the reader's language
    /// rather than an empty body the browser words in its own. The request is run again for <see cref="NotFoundPath"/>
    /// from here, so this comes before routing: the implicit routing of <see cref="WebApplication"/> runs first of all,
    /// and a request re-run behind it would reach the endpoints with no endpoint chosen and answer an empty 404 again.
    /// Only a page read (GET or HEAD) outside <c>/api</c> that nothing answered gets the page: the API words its own
    /// 404 as problem details (<see cref="ApiRefusals"/>), and a refusal of another kind keeps its status alone.
    /// </summary>
    public static WebApplication UseNotFoundPage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseStatusCodePagesWithReExecute(NotFoundPath, createScopeForStatusCodePages: true);
        app.UseRouting();
        app.Use(async (http, next) =>
        {
            await next(http);
            if (http.Response.StatusCode != StatusCodes.Status404NotFound || http.Request.Path.StartsWithSegments(ApiRefusals.ApiRoot)
                || !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)))
            {
                if (http.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
                    statusCodePages.Enabled = false;
            }
        });
        return app;
    }
}
