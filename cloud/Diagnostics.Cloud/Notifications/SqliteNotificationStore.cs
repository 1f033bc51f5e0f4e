using System.Globalization;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Notifications;

internal sealed class SqliteNotificationStore(SqliteConnectionFactory connections) : INotificationStore
{
    public async Task<Paged<Notification>> ListAsync(string accountId, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        await using var connection = await connections.OpenAsync(cancellationToken);
        var total = await CountAsync(connection, accountId, unreadOnly: false, cancellationToken);
        await using var command = connection.CreateCommand();
        // Ids grow with insertion, so id order is arrival order (and uses the (account_id, id DESC) index).
        command.CommandText = """
            SELECT id, device_id, seq, code, condition, severity, message, created_at_ms, read_at_ms
            FROM notifications WHERE account_id = $account
            ORDER BY id DESC LIMIT $limit OFFSET $offset;
            """;
        command.Parameters.AddWithValue("$account", accountId);
        command.Parameters.AddWithValue("$limit", pageSize);
        command.Parameters.AddWithValue("$offset", (long)(page - 1) * pageSize);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<Notification>();
        while (await reader.ReadAsync(cancellationToken))
            items.Add(Read(reader));
        return new Paged<Notification>(items, page, pageSize, total);
    }

    public async Task<long> CountUnreadAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await CountAsync(connection, accountId, unreadOnly: true, cancellationToken);
    }

    public async Task<bool> MarkReadAsync(string accountId, long notificationId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Already read keeps its first read time; it still exists, so the answer is true.
        command.CommandText = """
            UPDATE notifications SET read_at_ms = COALESCE(read_at_ms, $at)
            WHERE id = $id AND account_id = $account;
            """;
        command.Parameters.AddWithValue("$id", notificationId);
        command.Parameters.AddWithValue("$account", accountId);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<long> MarkAllReadAsync(string accountId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE notifications SET read_at_ms = $at WHERE account_id = $account AND read_at_ms IS NULL;";
        command.Parameters.AddWithValue("$account", accountId);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> CountAsync(SqliteConnection connection, string accountId, bool unreadOnly, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = unreadOnly
            ? "SELECT COUNT(*) FROM notifications WHERE account_id = $account AND read_at_ms IS NULL;"
            : "SELECT COUNT(*) FROM notifications WHERE account_id = $account;";
        command.Parameters.AddWithValue("$account", accountId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static Notification Read(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        unchecked((ulong)reader.GetInt64(2)),
        reader.GetString(3),
        reader.GetString(4),
        Enum.TryParse<Severity>(reader.GetString(5), out var severity) ? severity : Severity.Warning,
        reader.GetString(6),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
        reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)));
}
