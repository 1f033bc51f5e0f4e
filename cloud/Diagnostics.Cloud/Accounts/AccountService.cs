using System.Net;
using System.Net.Mail;
using System.Security.Claims;
using Diagnostics.Cloud.Observability;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace Diagnostics.Cloud.Accounts;

public enum AccountCreationError
{
    None,
    InvalidEmail,
    WeakPassword,
    EmailTaken,
}

public enum SignInOutcome
{
    SignedIn,
    /// <summary>Wrong password or unknown address: the caller is not told which.</summary>
    Refused,
    /// <summary>Too many failures for this account or from this address; <see cref="SignInResult.RetryAfter"/> says for how long.</summary>
    Throttled,
}

public sealed record SignInResult(SignInOutcome Outcome, Account? Account, TimeSpan RetryAfter)
{
    /// <summary>The wait in whole seconds, rounded up, as <c>Retry-After</c> carries it.</summary>
    public int RetryAfterSeconds => (int)Math.Ceiling(RetryAfter.TotalSeconds);
}

public enum PasswordChangeOutcome
{
    Changed,
    WrongPassword,
    Throttled,
    /// <summary>The new password fails <see cref="PasswordPolicy"/>; <see cref="PasswordChangeResult.Weakness"/> says why.</summary>
    Weak,
}

public sealed record PasswordChangeResult(PasswordChangeOutcome Outcome, PasswordWeakness Weakness, TimeSpan RetryAfter)
{
    public int RetryAfterSeconds => (int)Math.Ceiling(RetryAfter.TotalSeconds);
}

/// <summary>
/// Creates accounts, signs people in and changes passwords (ASP.NET Core Identity's PBKDF2 hasher, upgraded on sign-in
/// when its settings move). Every path that checks a password a person typed goes through <see cref="SignInThrottle"/>.
/// </summary>
public sealed partial class AccountService(IAccountStore store, SignInThrottle throttle, CloudMetrics metrics, TimeProvider time, ILogger<AccountService> logger)
{
    private static readonly PasswordHasher<Account> Hasher = new();

    // Checked against when the e-mail is unknown, so an unknown address costs as much time as a wrong password.
    private static readonly string DummyHash = Hasher.HashPassword(null!, "not-a-real-password");

    public async Task<(Account? Account, AccountCreationError Error)> CreateAsync(
        string email, string displayName, AccountRole role, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!IsValidEmail(email))
            return (null, AccountCreationError.InvalidEmail);
        if (PasswordPolicy.Check(password, email) != PasswordWeakness.None)
            return (null, AccountCreationError.WeakPassword);
        var account = new Account($"acc-{Guid.NewGuid():N}", email.Trim(), string.IsNullOrWhiteSpace(displayName) ? email.Trim() : displayName.Trim(), role, time.GetUtcNow());
        if (!await store.TryAddAsync(new StoredAccount(account, Hasher.HashPassword(account, password)), cancellationToken))
            return (null, AccountCreationError.EmailTaken);
        LogCreated(account.Id, account.Email, role);
        return (account, AccountCreationError.None);
    }

    /// <summary>
    /// A person signing in from <paramref name="client"/> (the sign-in form and the API alike): throttled per account and
    /// per address, then the password is checked.
    /// </summary>
    public async Task<SignInResult> SignInAsync(string? email, string? password, IPAddress? client, CancellationToken cancellationToken)
    {
        if (await throttle.TryBeginAsync(email, client, cancellationToken) is { } wait)
        {
            metrics.AccessRefused(AccessRefusal.SignInThrottled);
            LogSignInThrottled(email?.Trim() ?? "", SignInThrottle.AddressKey(client), wait);
            return new(SignInOutcome.Throttled, null, wait);
        }
        var account = await CheckPasswordAsync(email, password, cancellationToken);
        if (account is null)
        {
            metrics.AccessRefused(AccessRefusal.SignIn);
            return new(SignInOutcome.Refused, null, TimeSpan.Zero);
        }
        await throttle.SucceededAsync(email, client, cancellationToken);
        return new(SignInOutcome.SignedIn, account, TimeSpan.Zero);
    }

    /// <summary>
    /// A signed-in person sets a new password, proving the current one: a stolen session alone cannot lock its owner
    /// out, and the current password is checked through the same throttle as a sign-in.
    /// </summary>
    public async Task<PasswordChangeResult> ChangePasswordAsync(
        string accountId, string? currentPassword, string? newPassword, IPAddress? client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        var account = await store.GetAsync(accountId, cancellationToken)
            ?? throw new InvalidOperationException($"Account {accountId} is signed in but does not exist.");
        var weakness = PasswordPolicy.Check(newPassword ?? "", account.Email);
        if (weakness != PasswordWeakness.None)
            return new(PasswordChangeOutcome.Weak, weakness, TimeSpan.Zero);
        var signIn = await SignInAsync(account.Email, currentPassword, client, cancellationToken);
        if (signIn.Outcome == SignInOutcome.Throttled)
            return new(PasswordChangeOutcome.Throttled, PasswordWeakness.None, signIn.RetryAfter);
        if (signIn.Account?.Id != accountId)
            return new(PasswordChangeOutcome.WrongPassword, PasswordWeakness.None, TimeSpan.Zero);
        await store.UpdatePasswordHashAsync(accountId, Hasher.HashPassword(account, newPassword!), cancellationToken);
        LogPasswordChanged(accountId);
        return new(PasswordChangeOutcome.Changed, PasswordWeakness.None, TimeSpan.Zero);
    }

    /// <summary>Sets a new password without the current one: for a reset whose link proved the owner reads the account's mail.</summary>
    internal async Task SetPasswordAsync(Account account, string newPassword, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        await store.UpdatePasswordHashAsync(account.Id, Hasher.HashPassword(account, newPassword), cancellationToken);
        LogPasswordChanged(account.Id);
    }

    /// <summary>
    /// The account when the password is right; null otherwise (no hint whether the address exists). Not throttled:
    /// for the cloud's own checks (the demo seed); what people type goes through <see cref="SignInAsync"/>.
    /// </summary>
    public async Task<Account?> CheckPasswordAsync(string? email, string? password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
            return null;
        var stored = await store.FindByEmailAsync(email.Trim(), cancellationToken);
        if (stored is null)
        {
            Hasher.VerifyHashedPassword(null!, DummyHash, password);
            LogSignInRefused(email.Trim());
            return null;
        }
        var result = Hasher.VerifyHashedPassword(stored.Account, stored.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            LogSignInRefused(email.Trim());
            return null;
        }
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
            await store.UpdatePasswordHashAsync(stored.Account.Id, Hasher.HashPassword(stored.Account, password), cancellationToken);
        return stored.Account;
    }

    public Task<Account?> GetAsync(string accountId, CancellationToken cancellationToken) => store.GetAsync(accountId, cancellationToken);

    /// <summary>The cookie principal of an account: its id, name, e-mail and role.</summary>
    public static ClaimsPrincipal PrincipalOf(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, account.Id),
                new Claim(ClaimTypes.Name, account.DisplayName),
                new Claim(ClaimTypes.Email, account.Email),
                new Claim(ClaimTypes.Role, account.Role.ToString()),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme);
        return new ClaimsPrincipal(identity);
    }

    public static AccountView ViewOf(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return new AccountView(account.Id, account.Email, account.DisplayName, account.Role);
    }

    private static bool IsValidEmail(string? email) =>
        !string.IsNullOrWhiteSpace(email) && email.Trim().Length <= 254 && MailAddress.TryCreate(email.Trim(), out var parsed) && parsed.Address == email.Trim();

    [LoggerMessage(EventId = AccountsEventIds.AccountCreated, Level = LogLevel.Information, Message = "Account {AccountId} created for {Email} as {Role}")]
    private partial void LogCreated(string accountId, string email, AccountRole role);

    [LoggerMessage(EventId = AccountsEventIds.SignInRefused, Level = LogLevel.Warning, Message = "Sign-in refused for {Email}")]
    private partial void LogSignInRefused(string email);

    [LoggerMessage(EventId = AccountsEventIds.SignInThrottled, Level = LogLevel.Warning, Message = "Sign-in for {Email} from {Client} throttled for {RetryAfter}")]
    private partial void LogSignInThrottled(string email, string client, TimeSpan retryAfter);

    [LoggerMessage(EventId = AccountsEventIds.PasswordChanged, Level = LogLevel.Information, Message = "Password of {AccountId} changed")]
    private partial void LogPasswordChanged(string accountId);
}
