using Diagnostics.Cloud.Devices;

namespace Diagnostics.Cloud.Notifications;

/// <summary>
/// Reads and marks one account's notifications. Rows are written by ingestion, in the transaction of the event that
/// raised them; every method here is scoped to one account, so nobody can read or mark another's.
/// </summary>
public interface INotificationStore
{
    /// <summary>Newest first.</summary>
    Task<Paged<Notification>> ListAsync(string accountId, int page, int pageSize, CancellationToken cancellationToken);

    Task<long> CountUnreadAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>False when the account has no notification with that id (someone else's counts as none).</summary>
    Task<bool> MarkReadAsync(string accountId, long notificationId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Marks every unread notification of the account; returns how many.</summary>
    Task<long> MarkAllReadAsync(string accountId, DateTimeOffset at, CancellationToken cancellationToken);
}
