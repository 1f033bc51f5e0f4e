using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Broker.Hooks;

/// <summary>
/// The endpoints external brokers call, in each broker's own request and answer shapes, under <c>/broker/</c> and only
/// for the broker (see <see cref="BrokerHookOptions"/>); the decisions are <see cref="BrokerHookDecisions"/>'s.
/// <list type="bullet">
/// <item><c>POST /broker/emqx/authenticate</c>, <c>POST /broker/emqx/authorize</c>: EMQX 5's HTTP authenticator and
/// authorizer (https://docs.emqx.com/en/emqx/latest/access-control/authn/http.html,
/// https://docs.emqx.com/en/emqx/latest/access-control/authz/http.html): a JSON body made from the template in
/// cloud/README.md, answered 200 with <c>{"result":"allow"|"deny"}</c>.</item>
/// <item><c>POST /broker/vernemq</c>: VerneMQ's webhooks (https://docs.vernemq.com/plugindevelopment/webhookplugins),
/// the hook named by the <c>vernemq-hook</c> header: <c>auth_on_register</c>, <c>auth_on_publish</c>,
/// <c>auth_on_subscribe</c> and their <c>_m5</c> forms, answered <c>{"result":"ok"}</c> or
/// <c>{"result":{"error":"not_allowed"}}</c>; a subscription with some filters refused is answered per filter.</item>
/// </list>
/// A caller without the secret or certificate gets 401, a body that is not a JSON object 400, one too large 413: none
/// is an "allow", and the README tells each broker to treat a failed call as a refusal.
/// </summary>
public static partial class BrokerHooksApi
{
    public const string VerneMqHookHeader = "vernemq-hook";

    /// <summary>VerneMQ's "not authorized" for one filter: 128 in MQTT 3.1.1's SUBACK, 135 (0x87) in MQTT 5's.</summary>
    private const int VerneMqRefusedQos = 128, VerneMqRefusedQosV5 = 135;

    public static IEndpointRouteBuilder MapBrokerHooks(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.ServiceProvider.GetRequiredService<IOptions<BrokerOptions>>().Value.Hooks.Enabled)
            return app;
        var broker = app.MapGroup("/broker").WithTags("Broker hooks").AllowAnonymous().ExcludeFromDescription()
            .AddEndpointFilter(OnlyTheBrokerAsync);
        broker.MapPost("/emqx/authenticate", EmqxAuthenticateAsync);
        broker.MapPost("/emqx/authorize", EmqxAuthorizeAsync);
        broker.MapPost("/vernemq", VerneMqAsync);
        return app;
    }

    public static async Task<IResult> EmqxAuthenticateAsync(HttpContext http, BrokerHookDecisions decisions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(decisions);
        var (body, problem) = await ReadBodyAsync(http, cancellationToken);
        if (body is null)
            return problem!;
        var allowed = await decisions.AuthenticateAsync(Text(body, "clientid"), Text(body, "username"), Text(body, "password"), Text(body, "cert_pem"), cancellationToken);
        // is_superuser false always: a superuser skips authorization, and nothing here is above the topic rules.
        return TypedResults.Json(allowed ? new JsonObject { ["result"] = "allow", ["is_superuser"] = false } : new JsonObject { ["result"] = "deny" });
    }

    public static async Task<IResult> EmqxAuthorizeAsync(HttpContext http, BrokerHookDecisions decisions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(decisions);
        var (body, problem) = await ReadBodyAsync(http, cancellationToken);
        if (body is null)
            return problem!;
        var (clientId, userName, topic) = (Text(body, "clientid"), Text(body, "username"), Text(body, "topic"));
        var allowed = Text(body, "action") switch
        {
            "publish" => await decisions.MayPublishAsync(clientId, userName, topic, cancellationToken),
            "subscribe" => await decisions.MaySubscribeAsync(clientId, userName, topic, cancellationToken),
            _ => false,
        };
        return TypedResults.Json(new JsonObject { ["result"] = allowed ? "allow" : "deny" });
    }

    public static async Task<IResult> VerneMqAsync(HttpContext http, BrokerHookDecisions decisions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(decisions);
        var hook = http.Request.Headers[VerneMqHookHeader].ToString();
        var (body, problem) = await ReadBodyAsync(http, cancellationToken);
        if (body is null)
            return problem!;
        var (clientId, userName) = (Text(body, "client_id"), Text(body, "username"));
        // A mountpoint puts the client's topics in another tree than the one the rules are written for.
        if (!string.IsNullOrEmpty(Text(body, "mountpoint")))
            return VerneMqVerdict(decisions.Refuse(hook, clientId, userName, "a mountpoint (the topic rules are for the root tree)"));
        switch (hook)
        {
            case "auth_on_register" or "auth_on_register_m5":
                return VerneMqVerdict(await decisions.AuthenticateAsync(clientId, userName, Text(body, "password"), Text(body, "cert_pem"), cancellationToken));
            case "auth_on_publish" or "auth_on_publish_m5":
                return VerneMqVerdict(await decisions.MayPublishAsync(clientId, userName, Text(body, "topic"), cancellationToken));
            case "auth_on_subscribe" or "auth_on_subscribe_m5":
                return await VerneMqSubscribeAsync(decisions, clientId, userName, body["topics"] as JsonArray, v5: hook.EndsWith("_m5", StringComparison.Ordinal), cancellationToken);
            default:
                return BadRequest(http, $"The {VerneMqHookHeader} header names no hook served here ('{hook}'): auth_on_register, auth_on_publish, auth_on_subscribe and their _m5 forms are.");
        }
    }

    private static async Task<JsonHttpResult<JsonObject>> VerneMqSubscribeAsync(BrokerHookDecisions decisions, string? clientId, string? userName, JsonArray? topics, bool v5, CancellationToken cancellationToken)
    {
        if (topics is null || topics.Count == 0)
            return VerneMqVerdict(false);
        var answers = new JsonArray();
        var refused = 0;
        foreach (var entry in topics)
        {
            var filter = entry is JsonObject o ? Text(o, "topic") : null;
            var qos = entry is JsonObject q && q["qos"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;
            if (!await decisions.MaySubscribeAsync(clientId, userName, filter, cancellationToken))
            {
                refused++;
                qos = v5 ? VerneMqRefusedQosV5 : VerneMqRefusedQos;
            }
            answers.Add(new JsonObject { ["topic"] = filter ?? "", ["qos"] = qos });
        }
        if (refused == 0)
            return VerneMqVerdict(true);
        if (refused == topics.Count)
            return VerneMqVerdict(false);
        // Some filters allowed, some not: the documented rewrite, with the refused ones marked by their QoS.
        return TypedResults.Json(v5
            ? new JsonObject { ["result"] = "ok", ["modifiers"] = new JsonObject { ["topics"] = answers } }
            : new JsonObject { ["result"] = "ok", ["topics"] = answers });
    }

    private static JsonHttpResult<JsonObject> VerneMqVerdict(bool allowed) => TypedResults.Json(allowed
        ? new JsonObject { ["result"] = "ok" }
        : new JsonObject { ["result"] = new JsonObject { ["error"] = "not_allowed" } });

    private static string? Text(JsonObject body, string name) =>
        body[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>The body as a JSON object, read up to the configured size; or the problem to answer.</summary>
    private static async Task<(JsonObject? Body, IResult? Problem)> ReadBodyAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var limit = http.RequestServices.GetRequiredService<IOptions<BrokerOptions>>().Value.Hooks.MaxBodyBytes;
        if (http.Request.ContentLength > limit)
            return (null, TooLarge(http, limit));
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
                return (null, TooLarge(http, limit));
            buffer.Write(chunk, 0, read);
        }
        try
        {
            if (JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), documentOptions: new JsonDocumentOptions { MaxDepth = 8 }) is JsonObject body)
                return (body, null);
        }
        catch (JsonException)
        {
        }
        return (null, BadRequest(http, "The body must be a JSON object."));
    }

    private static ProblemHttpResult TooLarge(HttpContext http, int limit)
    {
        LogBadRequest(Logger(http), http.Request.Path, "body too large");
        return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status413PayloadTooLarge, "BrokerHookTooLarge", limit));
    }

    private static ProblemHttpResult BadRequest(HttpContext http, string detail)
    {
        LogBadRequest(Logger(http), http.Request.Path, detail);
        return TypedResults.Problem(ApiProblems.Explained(StatusCodes.Status400BadRequest, "BadBrokerHookRequest", detail));
    }

    /// <summary>Lets through only the broker: the shared secret in its header and/or a known client certificate, as configured.</summary>
    private static async ValueTask<object?> OnlyTheBrokerAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var settings = http.RequestServices.GetRequiredService<IOptions<BrokerOptions>>().Value.Hooks;
        var why = CallerProblem(http, settings);
        if (why is null)
            return await next(context);
        http.RequestServices.GetRequiredService<CloudMetrics>().AccessRefused(AccessRefusal.BrokerHookCaller);
        LogCallerRefused(Logger(http), http.Request.Path, http.Connection.RemoteIpAddress?.ToString() ?? "", why);
        return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status401Unauthorized, "NotTheBroker"));
    }

    private static string? CallerProblem(HttpContext http, BrokerHookOptions settings)
    {
        if (settings.Secret.Length > 0)
        {
            var given = http.Request.Headers[settings.SecretHeader].ToString();
            if (given.Length == 0)
                return "no secret header";
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(settings.Secret))))
                return "wrong secret";
        }
        if (settings.ClientCertificateThumbprints.Count > 0)
        {
            var certificate = http.Connection.ClientCertificate;
            if (certificate is null)
                return "no client certificate";
            var thumbprint = Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
            if (!settings.ClientCertificateThumbprints.Any(t => BrokerHookOptions.NormalizeThumbprint(t) == thumbprint))
                return $"client certificate {thumbprint} is not the broker's";
        }
        return null;
    }

    private static ILogger Logger(HttpContext http) => http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BrokerHooksApi).FullName!);

    [LoggerMessage(EventId = BrokerEventIds.BrokerHookCallerRefused, Level = LogLevel.Warning, Message = "Broker hook {Path} refused to {RemoteAddress}: {Why}")]
    private static partial void LogCallerRefused(ILogger logger, string path, string remoteAddress, string why);

    [LoggerMessage(EventId = BrokerEventIds.BrokerHookBadRequest, Level = LogLevel.Warning, Message = "Broker hook {Path}: bad request ({Detail})")]
    private static partial void LogBadRequest(ILogger logger, string path, string detail);
}
