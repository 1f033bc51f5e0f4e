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

/// <summary>Creates accounts and checks passwords (ASP.NET Core Identity's PBKDF2 hasher, upgraded on sign-in when its settings move).</summary>
public sealed partial class AccountService(IAccountStore store, TimeProvider time, ILogger<AccountService> logger)
{
    public const int MinimumPasswordLength = 10;

    private static readonly PasswordHasher<Account> Hasher = new();

    // Checked against when the e-mail is unknown, so an unknown address costs as much time as a wrong password.
    private static readonly string DummyHash = Hasher.HashPassword(null!, "not-a-real-password");

    public async Task<(Account? Account, AccountCreationError Error)> CreateAsync(
        string email, string displayName, AccountRole role, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!IsValidEmail(email))
            return (null, AccountCreationError.InvalidEmail);
        if (password.Length < MinimumPasswordLength)
            return (null, AccountCreationError.WeakPassword);
        var account = new Account($"acc-{Guid.NewGuid():N}", email.Trim(), string.IsNullOrWhiteSpace(displayName) ? email.Trim() : displayName.Trim(), role, time.GetUtcNow());
        if (!await store.TryAddAsync(new StoredAccount(account, Hasher.HashPassword(account, password)), cancellationToken))
            return (null, AccountCreationError.EmailTaken);
        LogCreated(account.Id, account.Email, role);
        return (account, AccountCreationError.None);
    }

    /// <summary>The account when the password is right; null otherwise (no hint whether the address exists).</summary>
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

    [LoggerMessage(EventId = EventIds.AccountCreated, Level = LogLevel.Information, Message = "Account {AccountId} created for {Email} as {Role}")]
    private partial void LogCreated(string accountId, string email, AccountRole role);

    [LoggerMessage(EventId = EventIds.SignInRefused, Level = LogLevel.Warning, Message = "Sign-in refused for {Email}")]
    private partial void LogSignInRefused(string email);
}
