using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Notifications;

/// <summary>A problem raised on one of the customer's devices, as stored (one per raised warning or error event).</summary>
public sealed record Notification(
    long Id,
    string DeviceId,
    ulong Sequence,
    string Code,
    string Condition,
    Severity Severity,
    string Message,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ReadAt)
{
    public bool IsRead => ReadAt is not null;
}

/// <summary>A notification as the API and the app show it: the stored facts plus the words a customer reads.</summary>
public sealed record NotificationView(
    long Id,
    string DeviceId,
    string Title,
    string Advice,
    string Code,
    string Condition,
    Severity Severity,
    string Message,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ReadAt)
{
    public static NotificationView Of(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var words = Devices.PlainLanguage.Describe(notification.Condition, notification.Code, notification.Message);
        return new(notification.Id, notification.DeviceId, words.Title, words.Advice, notification.Code, notification.Condition,
            notification.Severity, notification.Message, notification.CreatedAt, notification.ReadAt);
    }
}

public sealed record UnreadCount(long Unread);

/// <summary>How many notifications a mark-read request changed.</summary>
public sealed record MarkedRead(long Marked);
