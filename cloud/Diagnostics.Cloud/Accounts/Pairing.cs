using Diagnostics.Cloud.Observability;
using Diagnostics.Protocol;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Accounts;

public enum PairingOutcome
{
    Paired,
    AlreadyYours,
    /// <summary>Not a code, no device shows it, or another customer owns that device: the caller is not told which.</summary>
    NoSuchCode,
    TooManyAttempts,
}

public sealed record PairingResult(PairingOutcome Outcome, string? DeviceId);

public sealed class PairingOptions
{
    public const string SectionName = "Pairing";

    /// <summary>Wrong codes a customer may enter within <see cref="AttemptWindow"/> before pairing is refused for a while.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1000)]
    public int MaxFailedAttempts { get; set; } = 10;

    public TimeSpan AttemptWindow { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// Pairs a customer with the device showing the code they typed. Codes are 40 bits and wrong guesses are limited per
/// account, so guessing another household's code is not a practical way in; a device already owned by someone else
/// answers exactly like an unknown code. The one way to pair and unpair: every <see cref="IPairingListener"/> hears of
/// each change, whether the API or the companion page asked.
/// </summary>
public sealed partial class Pairing(
    IAccountStore store, AttemptCounters counters, IOptions<PairingOptions> options, TimeProvider time, IEnumerable<IPairingListener> listeners,
    CloudMetrics metrics, ILogger<Pairing> logger)
{
    // Counted in the database, so an account guessing through several instances gets no more tries than through one.
    private AttemptPolicy Policy => new("pairing", options.Value.AttemptWindow, AttemptWindow.SinceFirstFailure);

    public async Task<PairingResult> PairAsync(string accountId, string? code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        var now = time.GetUtcNow();
        var settings = options.Value;
        if ((await counters.ReadAsync(Policy, [accountId], cancellationToken))[0].Failures >= settings.MaxFailedAttempts)
        {
            metrics.AccessRefused(AccessRefusal.PairingLockedOut);
            return new(PairingOutcome.TooManyAttempts, null);
        }
        var normalized = PairingCodes.Normalize(code);
        var devices = normalized is null ? [] : await store.FindDevicesByPairingCodeAsync(normalized, cancellationToken);
        // Two devices showing one code is astronomically unlikely; neither is paired rather than guessing which.
        if (devices.Count == 1)
        {
            var owner = await store.ClaimAsync(devices[0], accountId, now, cancellationToken);
            if (owner == accountId)
            {
                await counters.ForgetAsync(Policy, accountId, cancellationToken);
                LogPaired(devices[0], accountId);
                await TellListenersAsync(accountId, cancellationToken);
                return new(PairingOutcome.Paired, devices[0]);
            }
        }
        await counters.TryCountAsync(Policy, [accountId], _ => true, cancellationToken);
        metrics.AccessRefused(AccessRefusal.PairingCodeUnknown);
        LogRefused(accountId);
        return new(PairingOutcome.NoSuchCode, null);
    }

    /// <summary>Gives the device the customer's own name for it; false when the account does not own it.</summary>
    public Task<bool> RenameAsync(string accountId, string deviceId, string? nickname, CancellationToken cancellationToken) =>
        store.SetNicknameAsync(deviceId, accountId, DeviceNickname.Normalize(nickname), cancellationToken);

    public async Task<bool> UnpairAsync(string accountId, string deviceId, CancellationToken cancellationToken)
    {
        var released = await store.ReleaseAsync(deviceId, accountId, cancellationToken);
        if (released)
        {
            LogUnpaired(deviceId, accountId);
            await TellListenersAsync(accountId, cancellationToken);
        }
        return released;
    }

    // The pairing is stored: a listener that fails is logged and counted, and the customer still hears it worked.
    private async Task TellListenersAsync(string accountId, CancellationToken cancellationToken)
    {
        foreach (var listener in listeners)
        {
            try
            {
                await listener.DevicesChangedAsync(accountId, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                metrics.Error("accounts.pairing-listener");
                LogListenerFailed(ex, listener.GetType().Name, accountId);
            }
        }
    }

    [LoggerMessage(EventId = AccountsEventIds.DevicePaired, Level = LogLevel.Information, Message = "Device {DeviceId} paired with account {AccountId}")]
    private partial void LogPaired(string deviceId, string accountId);

    [LoggerMessage(EventId = AccountsEventIds.PairingRefused, Level = LogLevel.Warning, Message = "Pairing refused for account {AccountId}: no device available under that code")]
    private partial void LogRefused(string accountId);

    [LoggerMessage(EventId = AccountsEventIds.PairingListenerFailed, Level = LogLevel.Error, Message = "{Listener} failed to follow the devices account {AccountId} paired or unpaired")]
    private partial void LogListenerFailed(Exception exception, string listener, string accountId);

    [LoggerMessage(EventId = AccountsEventIds.DeviceUnpaired, Level = LogLevel.Information, Message = "Device {DeviceId} unpaired from account {AccountId}")]
    private partial void LogUnpaired(string deviceId, string accountId);
}

/// <summary>The name a customer gives a device ("Office printer"): one line of at most <see cref="MaxLength"/> characters.</summary>
public static class DeviceNickname
{
    public const int MaxLength = 40;

    /// <summary>True when <paramref name="nickname"/> is empty (no name) or a name that fits.</summary>
    public static bool IsValid(string? nickname) =>
        nickname is null || (nickname.Trim().Length <= MaxLength && !nickname.Any(char.IsControl));

    /// <summary>The name as stored: trimmed, inner runs of spaces made one; null for an empty one.</summary>
    public static string? Normalize(string? nickname)
    {
        if (!IsValid(nickname))
            throw new ArgumentException($"A device name is one line of at most {MaxLength} characters.", nameof(nickname));
        var words = nickname?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        return words.Length == 0 ? null : string.Join(' ', words);
    }
}
