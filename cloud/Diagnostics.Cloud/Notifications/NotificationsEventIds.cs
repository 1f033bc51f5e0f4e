namespace Diagnostics.Cloud.Notifications;

/// <summary>Log event ids of Notifications; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class NotificationsEventIds
{
    public const int NotificationsMarkedRead = 530;
    public const int NotificationWatchFailed = 531;
}
