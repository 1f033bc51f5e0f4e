using Diagnostics.Cloud.Messaging;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Diagnostics.Cloud.Notifications;

public static class NotificationsExtensions
{
    /// <summary>Customers' notifications: the store (rows written by ingestion), the inbox the app and API read.</summary>
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<INotificationStore, NotificationStore>();
        builder.Services.AddSingleton<NotificationInbox>();
        // Takes what it needs of each uplink in the transaction ingestion stores it in.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStoredUplinkHandOff, NotificationWriter>());
        return builder;
    }
}
