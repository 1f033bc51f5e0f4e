using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Notifications;

internal sealed class NotificationStore(Database database) : INotificationStore
{
    public async Task<Paged<Notification>> ListAsync(string accountId, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        await using var db = await database.OpenAsync(cancellationToken);
        var total = await db.QueryFirstOrDefaultAsync<long>("SELECT COUNT(*) FROM notifications WHERE account_id = @accountId;", new { accountId }, cancellationToken);
        // Ids grow with insertion, so id order is arrival order (and uses the (account_id, id DESC) index).
        var items = await db.QueryAsync<Notification>("""
            SELECT id, device_id, seq AS sequence, code, condition, severity, message, created_at_ms, read_at_ms
            FROM notifications WHERE account_id = @accountId
            ORDER BY id DESC LIMIT @pageSize OFFSET @offset;
            """, new { accountId, pageSize, offset = (long)(page - 1) * pageSize }, cancellationToken);
        return new Paged<Notification>(items, page, pageSize, total);
    }

    public async Task<long> CountUnreadAsync(string accountId, CancellationToken cancellationToken) =>
        await database.QueryFirstOrDefaultAsync<long>("SELECT COUNT(*) FROM notifications WHERE account_id = @accountId AND read_at_ms IS NULL;",
            new { accountId }, cancellationToken);

    public async Task<bool> MarkReadAsync(string accountId, long notificationId, DateTimeOffset at, CancellationToken cancellationToken) =>
        // Already read keeps its first read time; it still exists, so the answer is true.
        await database.ExecuteAsync("UPDATE notifications SET read_at_ms = COALESCE(read_at_ms, @at) WHERE id = @notificationId AND account_id = @accountId;",
            new { accountId, notificationId, at }, cancellationToken) == 1;

    public async Task<long> MarkAllReadAsync(string accountId, DateTimeOffset at, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("UPDATE notifications SET read_at_ms = @at WHERE account_id = @accountId AND read_at_ms IS NULL;",
            new { accountId, at }, cancellationToken);
}
