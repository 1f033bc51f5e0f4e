using Diagnostics.Cloud.Accounts;
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
        // Its watches follow the account's devices through every pairing path.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPairingListener, NotificationInbox>(services => services.GetRequiredService<NotificationInbox>()));
        // Takes what it needs of each uplink in the transaction ingestion stores it in.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStoredUplinkHandOff, NotificationWriter>());
        return builder;
    }
}
