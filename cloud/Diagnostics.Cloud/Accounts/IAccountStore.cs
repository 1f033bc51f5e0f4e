namespace Diagnostics.Cloud.Accounts;

/// <summary>People's accounts and which customer owns which device.</summary>
public interface IAccountStore
{
    /// <summary>False when the e-mail address is taken (compared case-insensitively).</summary>
    Task<bool> TryAddAsync(StoredAccount account, CancellationToken cancellationToken);

    Task<StoredAccount?> FindByEmailAsync(string email, CancellationToken cancellationToken);

    Task<Account?> GetAsync(string accountId, CancellationToken cancellationToken);

    Task UpdatePasswordHashAsync(string accountId, string passwordHash, CancellationToken cancellationToken);

    /// <summary>The account that paired the device, or null when nobody has.</summary>
    Task<string?> GetOwnerAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>Ids of the devices the account paired, in id order.</summary>
    Task<IReadOnlyList<string>> GetOwnedDevicesAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>Devices whose latest heartbeat carried <paramref name="pairingCode"/> (normally one).</summary>
    Task<IReadOnlyList<string>> FindDevicesByPairingCodeAsync(string pairingCode, CancellationToken cancellationToken);

    /// <summary>Makes the account the device's owner unless another account already is; returns the owner after the call.</summary>
    Task<string> ClaimAsync(string deviceId, string accountId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>False when the account did not own the device.</summary>
    Task<bool> ReleaseAsync(string deviceId, string accountId, CancellationToken cancellationToken);

    /// <summary>The names the account gave its devices ("Office printer"), by device id; devices without one are absent.</summary>
    Task<IReadOnlyDictionary<string, string>> GetNicknamesAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>Names (or, with null, un-names) a device the account owns; false when it does not own it.</summary>
    Task<bool> SetNicknameAsync(string deviceId, string accountId, string? nickname, CancellationToken cancellationToken);

    /// <summary>The culture name the account reads the apps in, or null when it has not picked one.</summary>
    Task<string?> GetLanguageAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>Sets (or, with null, forgets) the account's language; false when there is no such account.</summary>
    Task<bool> SetLanguageAsync(string accountId, string? language, CancellationToken cancellationToken);
}
