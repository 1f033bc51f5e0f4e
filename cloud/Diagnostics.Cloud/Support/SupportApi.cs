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
        mine.MapPost("/", OpenAsync);
        mine.MapGet("/", async (HttpContext http, CustomerConversations conversations, CancellationToken ct) => Results.Ok(await conversations.SessionsAsync(http.User, ct)));
        mine.MapGet("/unread", async (HttpContext http, CustomerConversations conversations, CancellationToken ct) =>
            Results.Ok(new UnreadSessions(await conversations.UnreadAsync(http.User, ct))));
        MapConversation(mine, http => http.RequestServices.GetRequiredService<CustomerConversations>());
        mine.MapPost("/{sessionId}/handover", (string sessionId, HttpContext http, CustomerConversations conversations, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, conversations, session => support.HandOverAsync(session, "The customer asked for a person.", ct), created: null, ct));
        mine.MapPost("/{sessionId}/solved", (string sessionId, HttpContext http, CustomerConversations conversations, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, conversations, session => support.ResolveWithBotAsync(session, ct), created: null, ct));
        mine.MapPost("/{sessionId}/leave", (string sessionId, HttpContext http, CustomerConversations conversations, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, conversations, session => support.LeaveAsync(session, Actor(http.User), ct), created: null, ct));
        mine.MapPost("/{sessionId}/fixes/{proposalId}/{decision:regex(^(approve|decline)$)}", (string sessionId, string proposalId, string decision, HttpContext http,
            CustomerConversations conversations, SessionCards cards, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, conversations, session => cards.DecideFixAsync(session, Actor(http.User), proposalId, decision == "approve", ct), created: null, ct));
        mine.MapPost("/{sessionId}/updates/{rolloutId}/{decision:regex(^(approve|decline)$)}", (string sessionId, string rolloutId, string decision, HttpContext http,
            CustomerConversations conversations, SessionCards cards, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, conversations, session => cards.DecideUpdateAsync(session, Actor(http.User), rolloutId, decision == "approve", ct), created: null, ct));
        mine.MapPost("/{sessionId}/rating", (string sessionId, RateRequest request, HttpContext http, CustomerConversations conversations, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, conversations, session => support.RateAsync(session, Actor(http.User), request.Rating ?? 0, request.Comment, ct), created: null, ct));

        var staff = app.MapGroup("/api/sessions").WithTags("Support").RequireAuthorization(Roles.StaffPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        staff.MapGet("/", async (SupportSessionStore store, CancellationToken ct) => Results.Ok(await store.OpenSessionsAsync(ct)));
        staff.MapPost("/", async (OpenSessionRequest request, HttpContext http, SupportService support, CancellationToken ct) =>
            Answer(await support.OpenForDeviceAsync(Actor(http.User), request.DeviceId?.Trim() ?? "", request.Text ?? "", ct), s => Results.Created($"/api/sessions/{s.Id}", s)));
        staff.MapGet("/queue", async (SupportQueueStore queue, IOptions<SupportOptions> options, CancellationToken ct) =>
            Results.Ok(await queue.QueueAsync(options.Value.SeverityHeadStart, ct)));
        staff.MapGet("/history", async (SupportSessionStore store, CancellationToken ct, string? q = null, string? category = null, string? agent = null, bool? reviewed = null,
            int limit = 50) =>
            Results.Ok(await store.SearchAsync(q, category, agent, Math.Clamp(limit, 1, 500), ct, reviewed))).RequireAuthorization(Roles.SupervisorPolicy);
        staff.MapPut("/{sessionId}/review", (string sessionId, ReviewRequest request, HttpContext http, AgentConversations conversations, SupportSupervision supervision, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, conversations, session => supervision.ReviewAsync(session, Actor(http.User), request.Score ?? 0, request.Comment, ct, request.Met), created: null, ct))
            .RequireAuthorization(Roles.SupervisorPolicy);
        // A review is feedback for the agent it is about: supervisors and that agent read it, no other agent.
        staff.MapGet("/{sessionId}/review", async (string sessionId, HttpContext http, SupportReviewStore reviews, CancellationToken ct) =>
            await reviews.ReviewAsync(sessionId, ct) is { } review && (http.User.IsSupervisor() || review.AgentId == http.User.AccountId())
                ? Results.Ok(review)
                : Results.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "NoReview", sessionId)));
        MapConversation(staff, http => http.RequestServices.GetRequiredService<AgentConversations>());
        staff.MapPost("/{sessionId}/take", (string sessionId, HttpContext http, AgentConversations conversations, SessionAssignment assignment, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, conversations, session => assignment.TakeAsync(session, Actor(http.User), ct), created: null, ct));
        staff.MapPost("/{sessionId}/transfer", (string sessionId, TransferRequest request, HttpContext http, AgentConversations conversations, SessionAssignment assignment, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, conversations, session => OwnSession(session, http.User) ?? assignment.TransferAsync(session, Actor(http.User),
                string.IsNullOrWhiteSpace(request.ToAgentId) ? null : request.ToAgentId.Trim(), request.Note, ct), created: null, ct));
        staff.MapPost("/{sessionId}/fixes", (string sessionId, ProposeFixRequest request, HttpContext http, AgentConversations conversations, SessionCards cards, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, conversations, session => OwnSession<SupportMessage>(session, http.User) ?? cards.ProposeFixAsync(session, Actor(http.User), request.ArticleId ?? "", ct), created: null, ct));
        staff.MapPost("/{sessionId}/updates", (string sessionId, HttpContext http, AgentConversations conversations, SessionCards cards, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, conversations, session => OwnSession<SupportMessage>(session, http.User) ?? cards.ShareUpdateAsync(session, Actor(http.User), ct), created: null, ct));
        staff.MapPost("/{sessionId}/close", (string sessionId, CloseSessionRequest request, HttpContext http, AgentConversations conversations, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, conversations, session =>
                support.CloseByAgentAsync(session, Actor(http.User), request.Summary, request.Category, request.Solution, request.Resolved ?? true, ct, request.ArticleId),
                created: null, ct));

        var desk = app.MapGroup("/api/support").WithTags("Support").RequireAuthorization(Roles.StaffPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        desk.MapGet("/agents", async (SupportQueueStore queue, CancellationToken ct) => Results.Ok(await queue.AgentsAsync(ct)));
        desk.MapPut("/agents/me", async (AvailabilityRequest request, HttpContext http, SessionAssignment assignment, CancellationToken ct) =>
            Results.Ok(await assignment.SetAvailableAsync(Actor(http.User), request.Available, ct)));
        desk.MapPut("/agents/{agentId}/limit", async (string agentId, LimitRequest request, SessionAssignment assignment, CancellationToken ct) =>
            Answer(await assignment.SetLimitAsync(agentId, request.MaxSessions, ct), Results.Ok)).RequireAuthorization(Roles.SupervisorPolicy);
        desk.MapGet("/reviews/mine", async (HttpContext http, SupportReviewStore reviews, CancellationToken ct, int limit = 20) =>
            Results.Ok(await reviews.ReviewsOfAgentAsync(http.User.AccountId()!, Math.Clamp(limit, 1, 200), ct)));
        desk.MapGet("/unanswered", async (UnansweredQuestions unanswered, CancellationToken ct, string? language = null, int limit = 100) =>
            Results.Ok(await unanswered.ListAsync(string.IsNullOrWhiteSpace(language) ? null : language.Trim(), Math.Clamp(limit, 1, 500), ct)));
        desk.MapGet("/canned-replies", async (CannedReplyStore replies, CancellationToken ct) => Results.Ok(await replies.CannedRepliesAsync(ct)));
        desk.MapPost("/canned-replies", async (CannedReplyRequest request, HttpContext http, CannedReplyService cannedReplies, CancellationToken ct) =>
            Answer(await cannedReplies.AddCannedReplyAsync(Actor(http.User), request.Title, request.Body, ct, request.Language), r => Results.Created($"/api/support/canned-replies/{r.Id}", r)));
        desk.MapDelete("/canned-replies/{replyId}", async (string replyId, CannedReplyStore replies, CancellationToken ct) =>
            await replies.DeleteCannedReplyAsync(replyId, ct) ? Results.NoContent()
                : Results.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "NoSuchReply", replyId))).RequireAuthorization(Roles.SupervisorPolicy);
        desk.MapGet("/figures", async (SupportSupervision supervision, TimeProvider time, CancellationToken ct, DateTimeOffset? from = null, DateTimeOffset? to = null) =>
            Period(from, to, time) is { } period ? Results.Ok(await supervision.FiguresAsync(period.Start, period.End, ct)) : BadPeriod())
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
        group.MapGet("/{sessionId}", async (string sessionId, HttpContext http, CancellationToken ct) =>
            await audience(http).SessionAsync(http.User, sessionId, ct) is { } session ? Results.Ok(session) : NoSession(sessionId));
        group.MapGet("/{sessionId}/messages", async (string sessionId, HttpContext http, SupportService support, CancellationToken ct,
            long after = 0, int waitSeconds = 0) =>
        {
            if (await audience(http).MessagesAsync(http.User, sessionId, after, TimeSpan.FromSeconds(Math.Max(0, waitSeconds)), ct) is not { } messages)
                return NoSession(sessionId);
            // What the customer's app has fetched counts as seen: the Help tab's count drops (its badge re-reads when the
            // mark is stored). Marked once the answer is sent: a reader must not wait for its turn to write.
            if (!http.User.IsStaff() && messages is [.., var last])
                http.Response.OnCompleted(() => support.SeenByCustomerAsync(sessionId, last.Sequence, CancellationToken.None));
            return Results.Ok(messages);
        });
        group.MapPost("/{sessionId}/messages", (string sessionId, PostMessageRequest request, HttpContext http, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, audience(http), session =>
                (request.Internal == true ? null : OwnSession<SupportMessage>(session, http.User))
                ?? support.PostAsync(session, Actor(http.User), request.Text, request.ClientId, request.Internal ?? false, ct),
                created: m => Results.Created($"{http.Request.Path}?after={m.Sequence - 1}", m), ct));
        group.MapPost("/{sessionId}/images", (string sessionId, HttpContext http, SessionPictures pictures, IOptions<SupportOptions> options,
            CancellationToken ct, string? caption = null) =>
            WithSessionAsync(sessionId, http.User, audience(http), async session =>
            {
                if (OwnSession<SupportMessage>(session, http.User) is { } notYours)
                    return await notYours;
                var content = await ReadLimitedAsync(http.Request.Body, options.Value.MaxImageBytes, ct);
                return content is null
                    ? SupportResult<SupportMessage>.Fail(SupportError.Invalid, $"a picture has at most {options.Value.MaxImageBytes / 1024} KiB")
                    : await pictures.PostImageAsync(session, Actor(http.User), http.Request.ContentType, content, caption, ct);
            }, created: m => Results.Created($"{http.Request.Path}?after={m.Sequence - 1}", m), ct)).DisableAntiforgery();
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

    private static async Task<IResult> OpenAsync(OpenSessionRequest request, HttpContext http, DeviceAccess access, SupportService support, CancellationToken cancellationToken)
    {
        var deviceId = string.IsNullOrWhiteSpace(request.DeviceId) ? null : request.DeviceId.Trim();
        // Someone else's device reads like one that does not exist.
        if (deviceId is not null && !await access.CanAccessAsync(http.User, deviceId, cancellationToken))
            return Results.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "NotYourDevice", deviceId));
        if (request.FixId is not null && deviceId is null)
            return Results.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "SessionNeedsDevice"));
        return Answer(await support.OpenAsync(Actor(http.User), deviceId, request.Text, request.FixId, request.ClientId, cancellationToken),
            s => Results.Created($"/api/me/sessions/{s.Id}", s));
    }

    private static async Task<IResult> WithSessionAsync<T>(string sessionId, ClaimsPrincipal user, Conversations conversations,
        Func<SupportSession, Task<SupportResult<T>>> act, Func<T, IResult>? created, CancellationToken cancellationToken)
    {
        if (await conversations.SessionAsync(user, sessionId, cancellationToken) is not { } session)
            return NoSession(sessionId);
        return Answer(await act(session), created ?? (value => Results.Ok(value)));
    }

    /// <summary>Staff write to the customer only in sessions they hold (internal notes excepted); customers in their own.</summary>
    private static Task<SupportResult<T>>? OwnSession<T>(SupportSession session, ClaimsPrincipal user) =>
        user.IsStaff() && session.State != SessionState.Closed && session.AgentId != user.AccountId()
            ? Task.FromResult(SupportResult<T>.Fail(SupportError.Conflict, session.AgentId is null ? "take the session first" : $"the session is {session.AgentName}'s"))
            : null;

    private static Task<SupportResult<SupportSession>>? OwnSession(SupportSession session, ClaimsPrincipal user) => OwnSession<SupportSession>(session, user);

    private static IResult Answer<T>(SupportResult<T> result, Func<T, IResult> success) => result.Error switch
    {
        SupportError.None => success(result.Value!),
        SupportError.NotFound => Results.Problem(ApiProblems.Explained(StatusCodes.Status404NotFound, "SupportNotFound", result.Detail)),
        SupportError.Invalid => Results.Problem(ApiProblems.Explained(StatusCodes.Status400BadRequest, "SupportNotAccepted", result.Detail)),
        SupportError.AtLimit => Results.Problem(ApiProblems.Explained(StatusCodes.Status409Conflict, "SupportAtLimit", result.Detail)),
        _ => Results.Problem(ApiProblems.Explained(StatusCodes.Status409Conflict, "NotNow", result.Detail)),
    };

    public static SessionActor Actor(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new(user.IsStaff() ? AuthorKind.Agent : AuthorKind.Customer, user.AccountId() ?? "", user.Identity?.Name ?? "");
    }

    private static IResult NoSession(string sessionId) =>
        Results.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "NoSuchSession", sessionId));
}
