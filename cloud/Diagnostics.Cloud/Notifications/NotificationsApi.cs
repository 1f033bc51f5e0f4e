using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Diagnostics.Cloud.Notifications;

/// <summary>
/// A customer's own notifications (<c>/api/me/notifications</c>): list newest first, unread count, mark one or all
/// read. Only the caller's rows: someone else's notification answers like one that does not exist.
/// </summary>
public static class NotificationsApi
{
    private const int DefaultPageSize = 20;
    private const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var mine = app.MapGroup("/api/me/notifications").WithTags("Notifications").RequireAuthorization(Roles.CustomerPolicy);
        mine.MapGet("/", List).ProducesProblem(StatusCodes.Status400BadRequest);
        mine.MapGet("/unread-count", Unread);
        mine.MapPost("/{notificationId:long}/read", MarkRead).ProducesProblem(StatusCodes.Status404NotFound);
        mine.MapPost("/read", MarkAllRead);
        return app;
    }

    public static async Task<Results<Ok<Paged<NotificationView>>, ProblemHttpResult>> List(
        HttpContext http, NotificationInbox inbox, CancellationToken cancellationToken, int page = 1, int pageSize = DefaultPageSize)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(inbox);
        if (page < 1 || pageSize < 1 || pageSize > MaxPageSize)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "InvalidPaging", MaxPageSize));
        return TypedResults.Ok(await inbox.ListAsync(http.User.AccountId()!, page, pageSize, cancellationToken));
    }

    public static async Task<Ok<UnreadCount>> Unread(HttpContext http, NotificationInbox inbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(inbox);
        return TypedResults.Ok(new UnreadCount(await inbox.CountUnreadAsync(http.User.AccountId()!, cancellationToken)));
    }

    public static async Task<Results<Ok<MarkedRead>, ProblemHttpResult>> MarkRead(
        long notificationId, HttpContext http, NotificationInbox inbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(inbox);
        return await inbox.MarkReadAsync(http.User.AccountId()!, notificationId, cancellationToken)
            ? TypedResults.Ok(new MarkedRead(1))
            : TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "UnknownNotification", notificationId));
    }

    public static async Task<Ok<MarkedRead>> MarkAllRead(HttpContext http, NotificationInbox inbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(inbox);
        return TypedResults.Ok(new MarkedRead(await inbox.MarkAllReadAsync(http.User.AccountId()!, cancellationToken)));
    }
}
