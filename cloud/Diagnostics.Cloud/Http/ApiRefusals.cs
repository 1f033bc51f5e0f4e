using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Localization;
using ProblemDetails = Microsoft.AspNetCore.Mvc.ProblemDetails;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Http;

/// <summary>
/// Every refusal of an API request (<c>/api/…</c>) is problem details in the reader's language, also when no endpoint
/// wrote one: a body that does not bind (malformed JSON, a member the request type does not have, a value of the wrong
/// type, no body at all), and a 401/403 from authorization or any other error answered without a body. A body with a
/// member the request type does not know is refused rather than bound without it: a misspelt <c>from</c> would
/// otherwise arrive as "not given" and overwrite the stored value with its default. Pages keep their own behaviour.
/// </summary>
public static class ApiRefusals
{
    internal static readonly PathString ApiRoot = new("/api");

    public static WebApplicationBuilder AddApiRefusals(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow);
        // Thrown, not answered with an empty 400, so the middleware below can say which member was wrong.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    /// <summary>Before authentication and authorization, so their empty 401 and 403 are explained too.</summary>
    public static WebApplication UseApiRefusals(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (http, next) =>
        {
            if (!http.Request.Path.StartsWithSegments(ApiRoot))
            {
                try
                {
                    await next(http);
                }
                catch (BadHttpRequestException refused) when (!http.Response.HasStarted)
                {
                    // What a page's endpoint answered before ThrowOnBadRequest: the status alone.
                    http.Response.StatusCode = refused.StatusCode;
                }
                return;
            }

            Refusal? refusal = null;
            try
            {
                await next(http);
                if (http.Response.StatusCode >= 400 && !http.Response.HasStarted)
                    refusal = Unexplained(http.Response.StatusCode);
            }
            catch (BadHttpRequestException refused) when (!http.Response.HasStarted)
            {
                refusal = Unbound(http, refused);
            }
            if (refusal is { } answer)
                await WriteInReadersLanguageAsync(http, answer);
        });
        return app;
    }

    /// <summary>A refusal's code and the member it names, if any; its words are read once the reader's language is set.</summary>
    private readonly record struct Refusal(int Status, string Code, string? Member = null)
    {
        public ProblemDetails Problem() => Member is null ? ApiProblems.Create(Status, Code) : ApiProblems.Create(Status, Code, Member);
    }

    private static Refusal Unexplained(int status) => new Refusal(status, status switch
    {
        StatusCodes.Status401Unauthorized => "NotSignedIn",
        StatusCodes.Status403Forbidden => "NotPermitted",
        StatusCodes.Status404NotFound => "NoSuchApi",
        StatusCodes.Status405MethodNotAllowed => "MethodNotAllowed",
        _ => "RequestRefused",
    });

    private static Refusal Unbound(HttpContext http, BadHttpRequestException refused)
    {
        if (refused.StatusCode == StatusCodes.Status415UnsupportedMediaType)
            return new Refusal(refused.StatusCode, "NotJson");
        if (refused.InnerException is not JsonException json)
            return new Refusal(refused.StatusCode, refused.StatusCode == StatusCodes.Status400BadRequest ? "BodyMissing" : "RequestRefused");
        // Text that is not JSON at all: the reader's own exception inside the serializer's. Its path says where the
        // reading stopped, not which member was wrong.
        if (json.InnerException is JsonException || json.Path is not { Length: > 1 } path)
            return new Refusal(StatusCodes.Status400BadRequest, "MalformedBody");
        // The path System.Text.Json reports ("$.from", "$.tags[2]", "$[1]"), without its root: the member as the client wrote it.
        var member = path[1..].TrimStart('.');
        return new Refusal(StatusCodes.Status400BadRequest, KnowsMember(http, member) ? "WrongMemberType" : "UnknownMember", member);
    }

    // Whether the endpoint's request type has the member at the top of the path, by the same JSON contract that bound it.
    private static bool KnowsMember(HttpContext http, string member)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is not { } requestType)
            return true;
        var name = member.Split('.', '[')[0];
        if (name.Length == 0)
            return true; // an element of a body that is itself a list
        var contract = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions.GetTypeInfo(requestType);
        return contract.Properties.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    // The refusal may come from before request localization ran (authorization), so the same middleware picks the
    // reader's language (query, account, cookie, Accept-Language) around the writing, and the words are read inside it.
    private static Task WriteInReadersLanguageAsync(HttpContext http, Refusal refusal)
    {
        var services = http.RequestServices;
        var localization = new RequestLocalizationMiddleware(
            reader => TypedResults.Problem(refusal.Problem()).ExecuteAsync(reader),
            services.GetRequiredService<IOptions<RequestLocalizationOptions>>(),
            services.GetRequiredService<ILoggerFactory>());
        return localization.Invoke(http);
    }
}
