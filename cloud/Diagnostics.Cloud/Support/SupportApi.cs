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

public sealed record ReviewRequest(int? Score, string? Comment);

public sealed record AvailabilityRequest(bool Available);

public sealed record LimitRequest(int MaxSessions);

public sealed record CannedReplyRequest(string? Title, string? Body);

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
        mine.MapGet("/", async (HttpContext http, SupportSessionStore store, CancellationToken ct) => Results.Ok(await store.SessionsOfCustomerAsync(http.User.AccountId()!, ct)));
        mine.MapGet("/unread", async (HttpContext http, SupportSessionStore store, CancellationToken ct) =>
            Results.Ok(new UnreadSessions(await store.UnreadSessionsAsync(http.User.AccountId()!, ct))));
        MapConversation(mine);
        mine.MapPost("/{sessionId}/handover", (string sessionId, HttpContext http, SupportSessionStore store, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, store, session => support.HandOverAsync(session, "The customer asked for a person.", ct), created: null, ct));
        mine.MapPost("/{sessionId}/solved", (string sessionId, HttpContext http, SupportSessionStore store, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, store, session => support.ResolveWithBotAsync(session, ct), created: null, ct));
        mine.MapPost("/{sessionId}/leave", (string sessionId, HttpContext http, SupportSessionStore store, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, store, session => support.LeaveAsync(session, Actor(http.User), ct), created: null, ct));
        mine.MapPost("/{sessionId}/fixes/{proposalId}/{decision:regex(^(approve|decline)$)}", (string sessionId, string proposalId, string decision, HttpContext http,
            SupportSessionStore store, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, store, session => support.DecideFixAsync(session, Actor(http.User), proposalId, decision == "approve", ct), created: null, ct));
        mine.MapPost("/{sessionId}/updates/{rolloutId}/{decision:regex(^(approve|decline)$)}", (string sessionId, string rolloutId, string decision, HttpContext http,
            SupportSessionStore store, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, store, session => support.DecideUpdateAsync(session, Actor(http.User), rolloutId, decision == "approve", ct), created: null, ct));
        mine.MapPost("/{sessionId}/rating", (string sessionId, RateRequest request, HttpContext http, SupportSessionStore store, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, store, session => support.RateAsync(session, Actor(http.User), request.Rating ?? 0, request.Comment, ct), created: null, ct));

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
        staff.MapPut("/{sessionId}/review", (string sessionId, ReviewRequest request, HttpContext http, SupportSessionStore store, SupportSupervision supervision, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, store, session => supervision.ReviewAsync(session, Actor(http.User), request.Score ?? 0, request.Comment, ct), created: null, ct))
            .RequireAuthorization(Roles.SupervisorPolicy);
        // A review is feedback for the agent it is about: supervisors and that agent read it, no other agent.
        staff.MapGet("/{sessionId}/review", async (string sessionId, HttpContext http, SupportReviewStore reviews, CancellationToken ct) =>
            await reviews.ReviewAsync(sessionId, ct) is { } review && (http.User.IsSupervisor() || review.AgentId == http.User.AccountId())
                ? Results.Ok(review)
                : Results.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "No review", $"There is no review of '{sessionId}' for you.")));
        MapConversation(staff);
        staff.MapPost("/{sessionId}/take", (string sessionId, HttpContext http, SupportSessionStore store, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, store, session => support.TakeAsync(session, Actor(http.User), ct), created: null, ct));
        staff.MapPost("/{sessionId}/transfer", (string sessionId, TransferRequest request, HttpContext http, SupportSessionStore store, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, store, session => OwnSession(session, http.User) ?? support.TransferAsync(session, Actor(http.User),
                string.IsNullOrWhiteSpace(request.ToAgentId) ? null : request.ToAgentId.Trim(), request.Note, ct), created: null, ct));
        staff.MapPost("/{sessionId}/fixes", (string sessionId, ProposeFixRequest request, HttpContext http, SupportSessionStore store, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, store, session => OwnSession<SupportMessage>(session, http.User) ?? support.ProposeFixAsync(session, Actor(http.User), request.ArticleId ?? "", ct), created: null, ct));
        staff.MapPost("/{sessionId}/updates", (string sessionId, HttpContext http, SupportSessionStore store, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, store, session => OwnSession<SupportMessage>(session, http.User) ?? support.ShareUpdateAsync(session, Actor(http.User), ct), created: null, ct));
        staff.MapPost("/{sessionId}/close", (string sessionId, CloseSessionRequest request, HttpContext http, SupportSessionStore store, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, store, session =>
                support.CloseByAgentAsync(session, Actor(http.User), request.Summary, request.Category, request.Solution, request.Resolved ?? true, ct, request.ArticleId),
                created: null, ct));

        var desk = app.MapGroup("/api/support").WithTags("Support").RequireAuthorization(Roles.StaffPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        desk.MapGet("/agents", async (SupportQueueStore queue, CancellationToken ct) => Results.Ok(await queue.AgentsAsync(ct)));
        desk.MapPut("/agents/me", async (AvailabilityRequest request, HttpContext http, SupportService support, CancellationToken ct) =>
            Results.Ok(await support.SetAvailableAsync(Actor(http.User), request.Available, ct)));
        desk.MapPut("/agents/{agentId}/limit", async (string agentId, LimitRequest request, SupportService support, CancellationToken ct) =>
            Answer(await support.SetLimitAsync(agentId, request.MaxSessions, ct), Results.Ok)).RequireAuthorization(Roles.SupervisorPolicy);
        desk.MapGet("/reviews/mine", async (HttpContext http, SupportReviewStore reviews, CancellationToken ct, int limit = 20) =>
            Results.Ok(await reviews.ReviewsOfAgentAsync(http.User.AccountId()!, Math.Clamp(limit, 1, 200), ct)));
        desk.MapGet("/unanswered", async (UnansweredQuestions unanswered, CancellationToken ct, string? language = null, int limit = 100) =>
            Results.Ok(await unanswered.ListAsync(string.IsNullOrWhiteSpace(language) ? null : language.Trim(), Math.Clamp(limit, 1, 500), ct)));
        desk.MapGet("/canned-replies", async (CannedReplyStore replies, CancellationToken ct) => Results.Ok(await replies.CannedRepliesAsync(ct)));
        desk.MapPost("/canned-replies", async (CannedReplyRequest request, HttpContext http, SupportService support, CancellationToken ct) =>
            Answer(await support.AddCannedReplyAsync(Actor(http.User), request.Title, request.Body, ct), r => Results.Created($"/api/support/canned-replies/{r.Id}", r)));
        desk.MapDelete("/canned-replies/{replyId}", async (string replyId, CannedReplyStore replies, CancellationToken ct) =>
            await replies.DeleteCannedReplyAsync(replyId, ct) ? Results.NoContent()
                : Results.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "No such reply", $"There is no canned reply '{replyId}'."))).RequireAuthorization(Roles.SupervisorPolicy);
        desk.MapGet("/figures", async (SupportSupervision supervision, TimeProvider time, CancellationToken ct, DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        {
            var end = to ?? time.GetUtcNow();
            var start = from ?? end.AddDays(-30);
            return start >= end
                ? Results.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "Bad period", "'from' must be before 'to'."))
                : Results.Ok(await supervision.FiguresAsync(start, end, ct));
        }).RequireAuthorization(Roles.SupervisorPolicy);
        return app;
    }

    /// <summary>What customers and staff both do in a conversation: read it, write, send and see pictures.</summary>
    private static void MapConversation(RouteGroupBuilder group)
    {
        group.MapGet("/{sessionId}", async (string sessionId, HttpContext http, SupportSessionStore store, CancellationToken ct) =>
            await VisibleSessionAsync(sessionId, http.User, store, ct) is { } session ? Results.Ok(session) : NoSession(sessionId));
        group.MapGet("/{sessionId}/messages", async (string sessionId, HttpContext http, SupportSessionStore store, SupportService support, CancellationToken ct,
            long after = 0, int waitSeconds = 0) =>
        {
            if (await VisibleSessionAsync(sessionId, http.User, store, ct) is null)
                return NoSession(sessionId);
            var messages = await support.ReadAsync(sessionId, Math.Max(0, after), includeInternal: http.User.IsStaff(), TimeSpan.FromSeconds(Math.Max(0, waitSeconds)), ct);
            // What the customer's app has fetched counts as seen: the Help tab's count drops (its badge re-reads when the
            // mark is stored). Marked once the answer is sent: a reader must not wait for its turn to write.
            if (!http.User.IsStaff() && messages is [.., var last])
                http.Response.OnCompleted(() => support.SeenByCustomerAsync(sessionId, last.Sequence, CancellationToken.None));
            return Results.Ok(messages);
        });
        group.MapPost("/{sessionId}/messages", (string sessionId, PostMessageRequest request, HttpContext http, SupportSessionStore store, SupportService support, CancellationToken ct) =>
            WithSessionAsync(sessionId, http.User, store, session =>
                (request.Internal == true ? null : OwnSession<SupportMessage>(session, http.User))
                ?? support.PostAsync(session, Actor(http.User), request.Text, request.ClientId, request.Internal ?? false, ct),
                created: m => Results.Created($"{http.Request.Path}?after={m.Sequence - 1}", m), ct));
        group.MapPost("/{sessionId}/images", (string sessionId, HttpContext http, SupportSessionStore store, SupportService support, IOptions<SupportOptions> options,
            CancellationToken ct, string? caption = null) =>
            WithSessionAsync(sessionId, http.User, store, async session =>
            {
                if (OwnSession<SupportMessage>(session, http.User) is { } notYours)
                    return await notYours;
                var content = await ReadLimitedAsync(http.Request.Body, options.Value.MaxImageBytes, ct);
                return content is null
                    ? SupportResult<SupportMessage>.Fail(SupportError.Invalid, $"a picture has at most {options.Value.MaxImageBytes / 1024} KiB")
                    : await support.PostImageAsync(session, Actor(http.User), http.Request.ContentType, content, caption, ct);
            }, created: m => Results.Created($"{http.Request.Path}?after={m.Sequence - 1}", m), ct)).DisableAntiforgery();
        group.MapGet("/{sessionId}/images/{imageId}", async (string sessionId, string imageId, HttpContext http, SupportSessionStore store, SupportMessageStore messages,
            CancellationToken ct) =>
        {
            if (await VisibleSessionAsync(sessionId, http.User, store, ct) is null || await messages.ImageAsync(sessionId, imageId, ct) is not { } image)
                return Results.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "No such picture", $"There is no picture '{imageId}' in this conversation."));
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
            return Results.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "No such device", $"You have no device '{deviceId}'."));
        if (request.FixId is not null && deviceId is null)
            return Results.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "Session not opened", "a session about a fix names its device"));
        return Answer(await support.OpenAsync(Actor(http.User), deviceId, request.Text, request.FixId, request.ClientId, cancellationToken),
            s => Results.Created($"/api/me/sessions/{s.Id}", s));
    }

    private static async Task<IResult> WithSessionAsync<T>(string sessionId, ClaimsPrincipal user, SupportSessionStore store,
        Func<SupportSession, Task<SupportResult<T>>> act, Func<T, IResult>? created, CancellationToken cancellationToken)
    {
        if (await VisibleSessionAsync(sessionId, user, store, cancellationToken) is not { } session)
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
        SupportError.NotFound => Results.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "Not found", result.Detail)),
        SupportError.Invalid => Results.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "Not accepted", result.Detail)),
        SupportError.AtLimit => Results.Problem(ApiProblems.Create(StatusCodes.Status409Conflict, "At the limit", result.Detail)),
        _ => Results.Problem(ApiProblems.Create(StatusCodes.Status409Conflict, "Not now", result.Detail)),
    };

    /// <summary>Staff see every session; a customer only their own, and anyone else's reads as missing.</summary>
    private static async Task<SupportSession?> VisibleSessionAsync(string sessionId, ClaimsPrincipal user, SupportSessionStore store, CancellationToken cancellationToken)
    {
        var session = await store.GetAsync(sessionId, cancellationToken);
        return session is not null && (user.IsStaff() || session.CustomerId == user.AccountId()) ? session : null;
    }

    public static SessionActor Actor(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new(user.IsStaff() ? AuthorKind.Agent : AuthorKind.Customer, user.AccountId() ?? "", user.Identity?.Name ?? "");
    }

    private static IResult NoSession(string sessionId) =>
        Results.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "No such session", $"There is no session '{sessionId}' for you."));
}
