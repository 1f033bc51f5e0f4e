using Diagnostics.Cloud.Storage;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Accounts;

internal sealed class SqliteAccountStore(SqliteConnectionFactory connections) : IAccountStore
{
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    public async Task<bool> TryAddAsync(StoredAccount account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO accounts (id, email, display_name, role, password_hash, created_at_ms)
            VALUES ($id, $email, $name, $role, $hash, $at);
            """;
        var a = account.Account;
        command.Parameters.AddWithValue("$id", a.Id);
        command.Parameters.AddWithValue("$email", a.Email);
        command.Parameters.AddWithValue("$name", a.DisplayName);
        command.Parameters.AddWithValue("$role", a.Role.ToString());
        command.Parameters.AddWithValue("$hash", account.PasswordHash);
        command.Parameters.AddWithValue("$at", a.CreatedAt.ToUnixTimeMilliseconds());
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (SqliteException ex) when (ex.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey)
        {
            return false;
        }
    }

    public async Task<StoredAccount?> FindByEmailAsync(string email, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, email, display_name, role, created_at_ms, password_hash FROM accounts WHERE email = $email;";
        command.Parameters.AddWithValue("$email", email);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new StoredAccount(Read(reader), reader.GetString(5)) : null;
    }

    public async Task<Account?> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, email, display_name, role, created_at_ms FROM accounts WHERE id = $id;";
        command.Parameters.AddWithValue("$id", accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static Account Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        Enum.Parse<AccountRole>(reader.GetString(3)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));

    public async Task UpdatePasswordHashAsync(string accountId, string passwordHash, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE accounts SET password_hash = $hash WHERE id = $id;";
        command.Parameters.AddWithValue("$id", accountId);
        command.Parameters.AddWithValue("$hash", passwordHash);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<string?> GetOwnerAsync(string deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT account_id FROM device_owners WHERE device_id = $device;";
        command.Parameters.AddWithValue("$device", deviceId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<IReadOnlyList<string>> GetOwnedDevicesAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT device_id FROM device_owners WHERE account_id = $account ORDER BY device_id;";
        command.Parameters.AddWithValue("$account", accountId);
        return await ReadStringsAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> FindDevicesByPairingCodeAsync(string pairingCode, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM devices WHERE pairing_code = $code LIMIT 2;";
        command.Parameters.AddWithValue("$code", pairingCode);
        return await ReadStringsAsync(command, cancellationToken);
    }

    public async Task<string> ClaimAsync(string deviceId, string accountId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // One statement: two customers entering the same code at once cannot both become the owner.
        command.CommandText = """
            INSERT OR IGNORE INTO device_owners (device_id, account_id, paired_at_ms) VALUES ($device, $account, $at);
            SELECT account_id FROM device_owners WHERE device_id = $device;
            """;
        command.Parameters.AddWithValue("$device", deviceId);
        command.Parameters.AddWithValue("$account", accountId);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<bool> ReleaseAsync(string deviceId, string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM device_owners WHERE device_id = $device AND account_id = $account;";
        command.Parameters.AddWithValue("$device", deviceId);
        command.Parameters.AddWithValue("$account", accountId);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyDictionary<string, string>> GetNicknamesAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT device_id, nickname FROM device_owners WHERE account_id = $account AND nickname IS NOT NULL;";
        command.Parameters.AddWithValue("$account", accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            names[reader.GetString(0)] = reader.GetString(1);
        return names;
    }

    public async Task<bool> SetNicknameAsync(string deviceId, string accountId, string? nickname, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE device_owners SET nickname = $nickname WHERE device_id = $device AND account_id = $account;";
        command.Parameters.AddWithValue("$device", deviceId);
        command.Parameters.AddWithValue("$account", accountId);
        command.Parameters.AddWithValue("$nickname", (object?)nickname ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private static async Task<IReadOnlyList<string>> ReadStringsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
            values.Add(reader.GetString(0));
        return values;
    }
}
