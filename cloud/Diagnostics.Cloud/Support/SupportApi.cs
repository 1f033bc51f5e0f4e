using System.Globalization;
using System.Security.Claims;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Http;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Support;

public sealed record OpenSessionRequest(string? DeviceId, string? Text, string? FixId, string? ClientId);

public sealed record PostMessageRequest(string? Text, string? ClientId, bool? Internal);

public sealed record TransferRequest(string? ToAgentId, string? Note);

public sealed record ProposeFixRequest(string? ArticleId);

public sealed record CloseSessionRequest(string? Summary, string? Category, string? Solution, bool? Resolved, string? ArticleId = null);

public sealed record RateRequest(int? Rating, string? Comment);

/// <param name="Met">The rubric's criteria met (<see cref="ReviewRubric"/> keys); none when left out.</param>
public sealed record ReviewRequest(int? Score, string? Comment, IReadOnlyList<string>? Met = null);

public sealed record AvailabilityRequest(bool Available);

public sealed record LimitRequest(int MaxSessions);

public sealed record CannedReplyRequest(string? Title, string? Body, string? Language = null);

/// <summary>How many of the customer's conversations have something from support they have not seen.</summary>
public sealed record UnreadSessions(long Unread);

/// <summary>
/// Support sessions for customers (<c>/api/me/sessions</c>: their own only; anyone else's reads as missing) and staff
/// (<c>/api/sessions</c>, <c>/api/support</c>). Reading is by position: <c>GET .../messages?after=N[&amp;waitSeconds=S]</c>
/// answers every message after N in order, and with a wait holds the request open until one comes.
/// </summary>
public static class SupportApi
{
    public static IEndpointRouteBuilder MapSupportApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var mine = app.MapGroup("/api/me/sessions").WithTags("Support").RequireAuthorization(Roles.CustomerPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        mine.MapPost("/", async (OpenSessionRequest request, HttpContext http, CustomerConversations conversations, SupportReaderViews views, CancellationToken ct) =>
            Answer(await conversations.OpenAsync(http.User, request.DeviceId, request.Text, request.FixId, request.ClientId, ct),
                s => Results.Created($"/api/me/sessions/{s.Id}", views.Session(s))));
        mine.MapGet("/", async (HttpContext http, CustomerConversations conversations, SupportReaderViews views, CancellationToken ct) =>
            Results.Ok(views.Sessions(await conversations.SessionsAsync(http.User, ct))));
        mine.MapGet("/unread", async (HttpContext http, CustomerConversations conversations, CancellationToken ct) =>
            Results.Ok(new UnreadSessions(await conversations.UnreadAsync(http.User, ct))));
        MapConversation(mine, http => http.RequestServices.GetRequiredService<CustomerConversations>());
        mine.MapPost("/{sessionId}/handover", async (string sessionId, HttpContext http, CustomerConversations conversations, SupportReaderViews views, CancellationToken ct) =>
            Answer(await conversations.HandOverAsync(http.User, sessionId, ct), s => Results.Ok(views.Session(s))));
        mine.MapPost("/{sessionId}/solved", async (string sessionId, HttpContext http, CustomerConversations conversations, SupportReaderViews views, CancellationToken ct) =>
            Answer(await conversations.SolvedAsync(http.User, sessionId, ct), s => Results.Ok(views.Session(s))));
        mine.MapPost("/{sessionId}/leave", async (string sessionId, HttpContext http, CustomerConversations conversations, SupportReaderViews views, CancellationToken ct) =>
            Answer(await conversations.LeaveAsync(http.User, sessionId, ct), s => Results.Ok(views.Session(s))));
        mine.MapPost("/{sessionId}/fixes/{proposalId}/{decision:regex(^(approve|decline)$)}", async (string sessionId, string proposalId, string decision, HttpContext http,
            CustomerConversations conversations, CancellationToken ct) =>
            Answer(await conversations.DecideFixAsync(http.User, sessionId, proposalId, decision == "approve", ct), Results.Ok));
        mine.MapPost("/{sessionId}/updates/{rolloutId}/{decision:regex(^(approve|decline)$)}", async (string sessionId, string rolloutId, string decision, HttpContext http,
            CustomerConversations conversations, SupportReaderViews views, CancellationToken ct) =>
            Answer(await conversations.DecideUpdateAsync(http.User, sessionId, rolloutId, decision == "approve", ct), d => Results.Ok(views.UpdateDecision(d))));
        mine.MapPost("/{sessionId}/rating", async (string sessionId, RateRequest request, HttpContext http, CustomerConversations conversations, SupportReaderViews views,
            CancellationToken ct) =>
            Answer(await conversations.RateAsync(http.User, sessionId, request.Rating ?? 0, request.Comment, ct), s => Results.Ok(views.Session(s))));

        var staff = app.MapGroup("/api/sessions").WithTags("Support").RequireAuthorization(Roles.StaffPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        staff.MapGet("/", async (HttpContext http, AgentDesk desk, SupportReaderViews views, CancellationToken ct) =>
            Results.Ok(views.Sessions(await desk.OpenSessionsAsync(http.User, ct))));
        staff.MapPost("/", async (OpenSessionRequest request, HttpContext http, AgentDesk desk, SupportReaderViews views, CancellationToken ct) =>
            Answer(await desk.OpenForDeviceAsync(http.User, request.DeviceId ?? "", request.Text ?? "", ct), s => Results.Created($"/api/sessions/{s.Id}", views.Session(s))));
        staff.MapGet("/queue", async (HttpContext http, AgentDesk desk, SupportReaderViews views, CancellationToken ct) =>
            Results.Ok(views.Sessions(await desk.QueueAsync(http.User, ct))));
        staff.MapGet("/history", async (HttpContext http, SupervisorDesk supervisors, SupportReaderViews views, CancellationToken ct, string? q = null, string? category = null,
            string? agent = null, bool? reviewed = null, int limit = 50) =>
            Results.Ok(views.Sessions((await supervisors.HistoryAsync(http.User, q, category, agent, reviewed, Math.Clamp(limit, 1, 500), ct)).Sessions)))
            .RequireAuthorization(Roles.SupervisorPolicy);
        staff.MapPut("/{sessionId}/review", async (string sessionId, ReviewRequest request, HttpContext http, SupervisorDesk supervisors, CancellationToken ct) =>
            Answer(await supervisors.ReviewAsync(http.User, sessionId, request.Score ?? 0, request.Comment, request.Met, ct), Results.Ok))
            .RequireAuthorization(Roles.SupervisorPolicy);
        // A review is feedback for the agent it is about: supervisors and that agent read it, no other agent.
        staff.MapGet("/{sessionId}/review", async (string sessionId, HttpContext http, SupervisorDesk supervisors, CancellationToken ct) =>
            await supervisors.ReviewOfAsync(http.User, sessionId, ct) is { } review
                ? Results.Ok(review)
                : Results.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "NoReview", sessionId)));
        staff.MapGet("/{sessionId}/context", async (string sessionId, HttpContext http, CustomerContexts contexts, CancellationToken ct) =>
            await contexts.OfSessionAsync(http.User, sessionId, ct) is { } context ? Results.Ok(context) : NoSession(sessionId));
        MapConversation(staff, http => http.RequestServices.GetRequiredService<AgentConversations>());
        staff.MapPost("/{sessionId}/take", async (string sessionId, HttpContext http, AgentDesk desk, SupportReaderViews views, CancellationToken ct) =>
            Answer(await desk.TakeAsync(http.User, sessionId, ct), s => Results.Ok(views.Session(s))));
        staff.MapPost("/{sessionId}/transfer", async (string sessionId, TransferRequest request, HttpContext http, AgentDesk desk, SupportReaderViews views, CancellationToken ct) =>
            Answer(await desk.TransferAsync(http.User, sessionId, request.ToAgentId, request.Note, ct), s => Results.Ok(views.Session(s))));
        staff.MapPost("/{sessionId}/fixes", async (string sessionId, ProposeFixRequest request, HttpContext http, AgentDesk desk, SupportReaderViews views, CancellationToken ct) =>
            await AnswerAsync(await desk.ProposeFixAsync(http.User, sessionId, request.ArticleId ?? "", ct), async m => Results.Ok(await views.MessageAsync(m, http.User, ct))));
        staff.MapPost("/{sessionId}/updates", async (string sessionId, HttpContext http, AgentDesk desk, SupportReaderViews views, CancellationToken ct) =>
            await AnswerAsync(await desk.ShareUpdateAsync(http.User, sessionId, ct), async m => Results.Ok(await views.MessageAsync(m, http.User, ct))));
        staff.MapPost("/{sessionId}/close", async (string sessionId, CloseSessionRequest request, HttpContext http, AgentDesk desk, SupportReaderViews views, CancellationToken ct) =>
            Answer(await desk.CloseAsync(http.User, sessionId, request.Summary, request.Category, request.Solution, request.Resolved ?? true, request.ArticleId, ct),
                s => Results.Ok(views.Session(s))));

        var desk = app.MapGroup("/api/support").WithTags("Support").RequireAuthorization(Roles.StaffPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        desk.MapGet("/agents", async (HttpContext http, AgentDesk agents, CancellationToken ct) => Results.Ok(await agents.AgentsAsync(http.User, ct)));
        desk.MapPut("/agents/me", async (AvailabilityRequest request, HttpContext http, AgentDesk agents, CancellationToken ct) =>
            Answer(await agents.SetAvailableAsync(http.User, request.Available, ct), Results.Ok));
        desk.MapPut("/agents/{agentId}/limit", async (string agentId, LimitRequest request, HttpContext http, SupervisorDesk supervisors, CancellationToken ct) =>
            Answer(await supervisors.SetLimitAsync(http.User, agentId, request.MaxSessions, ct), Results.Ok)).RequireAuthorization(Roles.SupervisorPolicy);
        desk.MapGet("/reviews/mine", async (HttpContext http, SupervisorDesk supervisors, CancellationToken ct, int limit = 20) =>
            Results.Ok(await supervisors.ReviewsOfMineAsync(http.User, Math.Clamp(limit, 1, 200), ct)));
        desk.MapGet("/unanswered", async (UnansweredQuestions unanswered, CancellationToken ct, string? language = null, int limit = 100) =>
            Results.Ok(await unanswered.ListAsync(string.IsNullOrWhiteSpace(language) ? null : language.Trim(), Math.Clamp(limit, 1, 500), ct)));
        desk.MapGet("/canned-replies", async (HttpContext http, CannedReplyService replies, CancellationToken ct) =>
            Results.Ok((await replies.ListAsync(http.User, ct)).Select(r => CannedReplyForReader.Of(r, CultureInfo.CurrentUICulture)).ToList()));
        desk.MapPost("/canned-replies", async (CannedReplyRequest request, HttpContext http, CannedReplyService replies, CancellationToken ct) =>
            Answer(await replies.AddCannedReplyAsync(http.User, request.Title, request.Body, ct, request.Language), r => Results.Created($"/api/support/canned-replies/{r.Id}", r)));
        desk.MapDelete("/canned-replies/{replyId}", async (string replyId, HttpContext http, CannedReplyService replies, CancellationToken ct) =>
            Answer(await replies.DeleteAsync(http.User, replyId, ct), _ => Results.NoContent())).RequireAuthorization(Roles.SupervisorPolicy);
        desk.MapGet("/figures", async (HttpContext http, SupervisorDesk supervisors, TimeProvider time, CancellationToken ct, DateTimeOffset? from = null, DateTimeOffset? to = null) =>
            Period(from, to, time) is { } period ? Results.Ok(await supervisors.FiguresAsync(http.User, period.Start, period.End, ct)) : BadPeriod())
            .RequireAuthorization(Roles.SupervisorPolicy);
        desk.MapGet("/figures/assistant", async (AssistantFigures figures, TimeProvider time, CancellationToken ct, DateTimeOffset? from = null, DateTimeOffset? to = null) =>
            Period(from, to, time) is { } period ? Results.Ok(await figures.ByLanguageAsync(period.Start, period.End, ct)) : BadPeriod());
        return app;
    }

    /// <summary>A figures period: up to now and the 30 days before unless given; null when it ends before it starts. The dashboard's figures pages use the same rule.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End)? Period(DateTimeOffset? from, DateTimeOffset? to, TimeProvider time)
    {
        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddDays(-30);
        return start >= end ? null : (start, end);
    }

    private static IResult BadPeriod() => Results.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "BadPeriod"));

    /// <summary>What customers and staff both do in a conversation: read it, write, send and see pictures; who may, and what they see, is the audience's.</summary>
    private static void MapConversation(RouteGroupBuilder group, Func<HttpContext, Conversations> audience)
    {
        group.MapGet("/{sessionId}", async (string sessionId, HttpContext http, SupportReaderViews views, CancellationToken ct) =>
            await audience(http).SessionAsync(http.User, sessionId, ct) is { } session ? Results.Ok(views.Session(session)) : NoSession(sessionId));
        group.MapGet("/{sessionId}/messages", async (string sessionId, HttpContext http, SupportService support, SupportReaderViews views,
            CancellationToken ct, long after = 0, int waitSeconds = 0) =>
        {
            if (await audience(http).MessagesAsync(http.User, sessionId, after, TimeSpan.FromSeconds(Math.Max(0, waitSeconds)), ct) is not { } messages)
                return NoSession(sessionId);
            // What the customer's app has fetched counts as seen: the Help tab's count drops (its badge re-reads when the
            // mark is stored). Marked once the answer is sent: a reader must not wait for its turn to write.
            if (!http.User.IsStaff() && messages is [.., var last])
                http.Response.OnCompleted(() => support.SeenByCustomerAsync(sessionId, last.Sequence, CancellationToken.None));
            // Every reader gets the service's lines in their language beside the stored text, as the pages show them.
            return Results.Ok(await views.MessagesAsync(messages, http.User, ct));
        });
        group.MapPost("/{sessionId}/messages", async (string sessionId, PostMessageRequest request, HttpContext http, SupportReaderViews views, CancellationToken ct) =>
            await AnswerAsync(await audience(http).PostAsync(http.User, sessionId, request.Text, request.ClientId, request.Internal ?? false, ct),
                async m => Results.Created($"{http.Request.Path}?after={m.Sequence - 1}", await views.MessageAsync(m, http.User, ct))));
        group.MapPost("/{sessionId}/images", async (string sessionId, HttpContext http, IOptions<SupportOptions> options, SupportReaderViews views, CancellationToken ct,
            string? caption = null) =>
            await AnswerAsync(await audience(http).PostImageAsync(http.User, sessionId, http.Request.ContentType,
                    token => ReadLimitedAsync(http.Request.Body, options.Value.MaxImageBytes, token), caption, ct),
                async m => Results.Created($"{http.Request.Path}?after={m.Sequence - 1}", await views.MessageAsync(m, http.User, ct)))).DisableAntiforgery();
        group.MapGet("/{sessionId}/images/{imageId}", async (string sessionId, string imageId, HttpContext http, CancellationToken ct) =>
        {
            if (await audience(http).ImageAsync(http.User, sessionId, imageId, ct) is not { } image)
                return Results.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "NoSuchPicture", imageId));
            // Never rendered as anything but the picture it was checked to be.
            http.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.File(image.Content, image.ContentType, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{image.Sha256}\""));
        });
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when there are more.</summary>
    private static async Task<byte[]?> ReadLimitedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static IResult Answer<T>(SupportResult<T> result, Func<T, IResult> success) =>
        result.Error == SupportError.None ? success(result.Value!) : Problem(result);

    private static async Task<IResult> AnswerAsync<T>(SupportResult<T> result, Func<T, Task<IResult>> success) =>
        result.Error == SupportError.None ? await success(result.Value!) : Problem(result);

    private static IResult Problem<T>(SupportResult<T> result) => result.Error switch
    {
        SupportError.NotFound => Results.Problem(ApiProblems.Explained(StatusCodes.Status404NotFound, "SupportNotFound", result.Detail)),
        SupportError.Invalid => Results.Problem(ApiProblems.Explained(StatusCodes.Status400BadRequest, "SupportNotAccepted", result.Detail)),
        SupportError.AtLimit => Results.Problem(ApiProblems.Explained(StatusCodes.Status409Conflict, "SupportAtLimit", result.Detail)),
        SupportError.NotAllowed => Results.Problem(ApiProblems.Explained(StatusCodes.Status403Forbidden, "SupportNotAllowed", result.Detail)),
        _ => Results.Problem(ApiProblems.Explained(StatusCodes.Status409Conflict, "NotNow", result.Detail)),
    };

    public static SessionActor Actor(ClaimsPrincipal user) => SessionActor.Of(user);

    private static IResult NoSession(string sessionId) =>
        Results.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "NoSuchSession", sessionId));
}
