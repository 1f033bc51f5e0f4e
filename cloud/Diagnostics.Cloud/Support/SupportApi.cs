using System.Security.Claims;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Diagnostics.Cloud.Support;

public sealed record OpenSessionRequest(string? DeviceId, string? Text);

public sealed record PostMessageRequest(string? Text, string? ClientId, bool? Internal);

/// <summary>
/// Support sessions for customers (<c>/api/me/sessions</c>: their own only) and staff (<c>/api/sessions</c>). Reading
/// is by position: <c>GET .../messages?after=N[&amp;waitSeconds=S]</c> answers every message after N in order, and
/// with a wait holds the request open until one comes.
/// </summary>
public static class SupportApi
{
    public static IEndpointRouteBuilder MapSupportApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var mine = app.MapGroup("/api/me/sessions").WithTags("Support").RequireAuthorization(Roles.CustomerPolicy);
        mine.MapPost("/", Open).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        mine.MapGet("/", MySessions);
        mine.MapGet("/{sessionId}/messages", (string sessionId, HttpContext http, SqliteSupportStore store, SupportService support, CancellationToken ct, long after = 0, int waitSeconds = 0) =>
            ReadAsync(sessionId, http.User, store, support, after, waitSeconds, ct)).ProducesProblem(StatusCodes.Status404NotFound);
        mine.MapPost("/{sessionId}/messages", (string sessionId, PostMessageRequest request, HttpContext http, SqliteSupportStore store, SupportService support, CancellationToken ct) =>
            PostAsync(sessionId, request, http.User, store, support, ct)).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);

        var staff = app.MapGroup("/api/sessions").WithTags("Support").RequireAuthorization(Roles.StaffPolicy);
        staff.MapGet("/", OpenSessions);
        staff.MapGet("/{sessionId}/messages", (string sessionId, HttpContext http, SqliteSupportStore store, SupportService support, CancellationToken ct, long after = 0, int waitSeconds = 0) =>
            ReadAsync(sessionId, http.User, store, support, after, waitSeconds, ct)).ProducesProblem(StatusCodes.Status404NotFound);
        staff.MapPost("/{sessionId}/messages", (string sessionId, PostMessageRequest request, HttpContext http, SqliteSupportStore store, SupportService support, CancellationToken ct) =>
            PostAsync(sessionId, request, http.User, store, support, ct)).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    public static async Task<Results<Created<SupportSession>, ProblemHttpResult>> Open(
        OpenSessionRequest request, HttpContext http, DeviceAccess access, SupportService support, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(support);
        var deviceId = string.IsNullOrWhiteSpace(request.DeviceId) ? null : request.DeviceId.Trim();
        // Someone else's device reads like one that does not exist.
        if (deviceId is not null && !await access.CanAccessAsync(http.User, deviceId, cancellationToken))
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "No such device", $"You have no device '{deviceId}'."));
        var (session, error, detail) = await support.OpenAsync(http.User.AccountId()!, deviceId, request.Text, Actor(http.User), cancellationToken);
        return session is not null
            ? TypedResults.Created($"/api/me/sessions/{session.Id}", session)
            : TypedResults.Problem(ApiProblems.Create(error == SupportError.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, "Session not opened", detail));
    }

    public static async Task<Ok<IReadOnlyList<SupportSession>>> MySessions(HttpContext http, SqliteSupportStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(store);
        return TypedResults.Ok(await store.SessionsOfCustomerAsync(http.User.AccountId()!, cancellationToken));
    }

    public static async Task<Ok<IReadOnlyList<SupportSession>>> OpenSessions(SqliteSupportStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return TypedResults.Ok(await store.OpenSessionsAsync(cancellationToken));
    }

    private static async Task<Results<Ok<IReadOnlyList<SupportMessage>>, ProblemHttpResult>> ReadAsync(
        string sessionId, ClaimsPrincipal user, SqliteSupportStore store, SupportService support, long after, int waitSeconds, CancellationToken cancellationToken)
    {
        if (await VisibleSessionAsync(sessionId, user, store, cancellationToken) is null)
            return NoSession(sessionId);
        return TypedResults.Ok(await support.ReadAsync(sessionId, Math.Max(0, after), includeInternal: user.IsStaff(), TimeSpan.FromSeconds(Math.Max(0, waitSeconds)), cancellationToken));
    }

    private static async Task<Results<Created<SupportMessage>, Ok<SupportMessage>, ProblemHttpResult>> PostAsync(
        string sessionId, PostMessageRequest request, ClaimsPrincipal user, SqliteSupportStore store, SupportService support, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await VisibleSessionAsync(sessionId, user, store, cancellationToken) is not { } session)
            return NoSession(sessionId);
        var (message, error, detail) = await support.PostAsync(session, Actor(user), request.Text, request.ClientId, request.Internal ?? false, cancellationToken);
        return message is not null
            ? TypedResults.Created($"/api/sessions/{sessionId}/messages?after={message.Sequence - 1}", message)
            : TypedResults.Problem(ApiProblems.Create(error == SupportError.Closed ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest, "Message not sent", detail));
    }

    /// <summary>Staff see every session; a customer only their own, and anyone else's reads as missing.</summary>
    private static async Task<SupportSession?> VisibleSessionAsync(string sessionId, ClaimsPrincipal user, SqliteSupportStore store, CancellationToken cancellationToken)
    {
        var session = await store.GetAsync(sessionId, cancellationToken);
        return session is not null && (user.IsStaff() || session.CustomerId == user.AccountId()) ? session : null;
    }

    private static SessionActor Actor(ClaimsPrincipal user) =>
        new(user.IsStaff() ? AuthorKind.Agent : AuthorKind.Customer, user.AccountId() ?? "", user.Identity?.Name ?? "");

    private static ProblemHttpResult NoSession(string sessionId) =>
        TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "No such session", $"There is no session '{sessionId}' for you."));
}
