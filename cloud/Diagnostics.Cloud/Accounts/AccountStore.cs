using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Accounts;

internal sealed class AccountStore(Database database) : IAccountStore
{
    private const string AccountColumns = "id, email, display_name, role, created_at_ms";

    private string SameEmail => $"{database.Dialect.IgnoringCase("email")} = {database.Dialect.IgnoringCase("@email")}";

    public async Task<bool> TryAddAsync(StoredAccount account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var a = account.Account;
        // A taken id or address (in any case) inserts nothing.
        return await database.ExecuteAsync($"""
            INSERT INTO accounts ({AccountColumns}, password_hash) VALUES (@Id, @Email, @DisplayName, @role, @CreatedAt, @hash)
            ON CONFLICT DO NOTHING;
            """, new { a.Id, a.Email, a.DisplayName, role = a.Role.ToString(), a.CreatedAt, hash = account.PasswordHash }, cancellationToken) == 1;
    }

    public async Task<StoredAccount?> FindByEmailAsync(string email, CancellationToken cancellationToken) =>
        await database.QueryFirstOrDefaultAsync<AccountRow>($"SELECT {AccountColumns}, password_hash FROM accounts WHERE {SameEmail};",
            new { email }, cancellationToken) is { } row
            ? new StoredAccount(new Account(row.Id, row.Email, row.DisplayName, row.Role, row.CreatedAt), row.PasswordHash)
            : null;

    public Task<Account?> GetAsync(string accountId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<Account>($"SELECT {AccountColumns} FROM accounts WHERE id = @accountId;", new { accountId }, cancellationToken);

    public Task UpdatePasswordHashAsync(string accountId, string passwordHash, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE accounts SET password_hash = @passwordHash WHERE id = @accountId;", new { accountId, passwordHash }, cancellationToken);

    public Task<string?> GetOwnerAsync(string deviceId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<string>("SELECT account_id FROM device_owners WHERE device_id = @deviceId;", new { deviceId }, cancellationToken);

    public async Task<IReadOnlyList<string>> GetOwnedDevicesAsync(string accountId, CancellationToken cancellationToken) =>
        await database.QueryAsync<string>("SELECT device_id FROM device_owners WHERE account_id = @accountId ORDER BY device_id;", new { accountId }, cancellationToken);

    public async Task<IReadOnlyList<string>> FindDevicesByPairingCodeAsync(string pairingCode, CancellationToken cancellationToken) =>
        await database.QueryAsync<string>("SELECT id FROM devices WHERE pairing_code = @pairingCode LIMIT 2;", new { pairingCode }, cancellationToken);

    public async Task<string> ClaimAsync(string deviceId, string accountId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        // The insert decides: two customers entering the same code at once cannot both become the owner.
        await db.ExecuteAsync("INSERT INTO device_owners (device_id, account_id, paired_at_ms) VALUES (@deviceId, @accountId, @at) ON CONFLICT DO NOTHING;",
            new { deviceId, accountId, at }, cancellationToken);
        return (await db.QueryFirstOrDefaultAsync<string>("SELECT account_id FROM device_owners WHERE device_id = @deviceId;", new { deviceId }, cancellationToken))!;
    }

    public async Task<bool> ReleaseAsync(string deviceId, string accountId, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("DELETE FROM device_owners WHERE device_id = @deviceId AND account_id = @accountId;", new { deviceId, accountId }, cancellationToken) > 0;

    private sealed record AccountRow(string Id, string Email, string DisplayName, AccountRole Role, DateTimeOffset CreatedAt, string PasswordHash);

    public async Task<IReadOnlyDictionary<string, string>> GetNicknamesAsync(string accountId, CancellationToken cancellationToken) =>
        (await database.QueryAsync<(string DeviceId, string Nickname)>(
            "SELECT device_id, nickname FROM device_owners WHERE account_id = @accountId AND nickname IS NOT NULL;", new { accountId }, cancellationToken))
        .ToDictionary(n => n.DeviceId, n => n.Nickname, StringComparer.Ordinal);

    public async Task<bool> SetNicknameAsync(string deviceId, string accountId, string? nickname, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("UPDATE device_owners SET nickname = @nickname WHERE device_id = @deviceId AND account_id = @accountId;",
            new { deviceId, accountId, nickname }, cancellationToken) > 0;

    public Task<string?> GetLanguageAsync(string accountId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<string>("SELECT language FROM accounts WHERE id = @accountId;", new { accountId }, cancellationToken);

    public async Task<bool> SetLanguageAsync(string accountId, string? language, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("UPDATE accounts SET language = @language WHERE id = @accountId;", new { accountId, language }, cancellationToken) > 0;
}
