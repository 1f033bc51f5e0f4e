using System.Buffers.Text;
using System.Security.Cryptography;
using Diagnostics.Cloud.Mail;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Accounts;

public enum PasswordResetOutcome
{
    Reset,

    /// <summary>The link is unknown, used already, or too old.</summary>
    InvalidLink,

    /// <summary>The new password fails <see cref="PasswordPolicy"/>; the link stays usable.</summary>
    Weak,
}

public sealed record PasswordResetResult(PasswordResetOutcome Outcome, PasswordWeakness Weakness);

/// <summary>
/// "Forgot password": a link by e-mail that sets a new password once. Only the SHA-256 of the link's secret is stored,
/// so a copy of the database resets nothing; a link works once, for <see cref="LinkLifetime"/>, and using it ends
/// every other link of the account. Asking answers the same whether or not the address has an account.
/// </summary>
public sealed partial class PasswordReset(
    Database database, AccountService accounts, IAccountStore store, Mailer mailer, IOptions<MailOptions> mail,
    TimeProvider time, ILogger<PasswordReset> logger)
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(1);

    /// <summary>At most one mail per account in this time, however often someone asks (no mail bombing).</summary>
    public static readonly TimeSpan MailInterval = TimeSpan.FromMinutes(1);

    public bool Offered => mailer.Enabled;

    /// <summary>Mails a reset link when the address has an account; silent otherwise.</summary>
    public async Task RequestAsync(string? email, CancellationToken cancellationToken)
    {
        if (!Offered || string.IsNullOrWhiteSpace(email) || email.Length > 320)
            return;
        var stored = await store.FindByEmailAsync(email.Trim(), cancellationToken);
        if (stored is null)
            return;
        var account = stored.Account;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var recent = await database.QueryFirstOrDefaultAsync<long?>(
            "SELECT MAX(created_at_ms) FROM password_resets WHERE account_id = @Id;", new { account.Id }, cancellationToken);
        if (recent is { } last && now - last < (long)MailInterval.TotalMilliseconds)
            return;
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await database.ExecuteAsync("""
            INSERT INTO password_resets (token_hash, account_id, created_at_ms, expires_at_ms) VALUES (@hash, @Id, @now, @expires);
            """, new { hash = Hash(secret), account.Id, now, expires = now + (long)LinkLifetime.TotalMilliseconds }, cancellationToken);
        var link = $"{mail.Value.PublicUrl.TrimEnd('/')}/account/reset?token={secret}";
        mailer.TrySend(new OutgoingMail(account.Email, "Set a new password for Diagnostics", $"""
            Hello {account.DisplayName},

            someone (we hope you) asked to set a new password for your Diagnostics account.
            Open this link within the next hour to choose one:

            {link}

            If it was not you, ignore this mail: your password stays as it is.
            """));
        LogMailed(account.Id);
    }

    /// <summary>Whether the link can still set a password (the page shows the form, or says it is too old).</summary>
    public async Task<bool> IsUsableAsync(string? token, CancellationToken cancellationToken) =>
        await AccountOfAsync(token, cancellationToken) is not null;

    public async Task<PasswordResetResult> ResetAsync(string? token, string? newPassword, CancellationToken cancellationToken)
    {
        var account = await AccountOfAsync(token, cancellationToken);
        if (account is null)
        {
            LogRefused();
            return new(PasswordResetOutcome.InvalidLink, PasswordWeakness.None);
        }
        var weakness = PasswordPolicy.Check(newPassword ?? "", account.Email);
        if (weakness != PasswordWeakness.None)
            return new(PasswordResetOutcome.Weak, weakness);
        // Used once: of two requests with the same link, one wins the update and the other finds it used.
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var claimed = await database.ExecuteAsync(
            "UPDATE password_resets SET used_at_ms = @now WHERE token_hash = @hash AND used_at_ms IS NULL AND expires_at_ms > @now;",
            new { now, hash = Hash(token!) }, cancellationToken);
        if (claimed == 0)
            return new(PasswordResetOutcome.InvalidLink, PasswordWeakness.None);
        await accounts.SetPasswordAsync(account, newPassword!, cancellationToken);
        await database.ExecuteAsync("UPDATE password_resets SET used_at_ms = @now WHERE account_id = @Id AND used_at_ms IS NULL;",
            new { now, account.Id }, cancellationToken);
        LogReset(account.Id);
        return new(PasswordResetOutcome.Reset, PasswordWeakness.None);
    }

    private async Task<Account?> AccountOfAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
            return null;
        var accountId = await database.QueryFirstOrDefaultAsync<string>(
            "SELECT account_id FROM password_resets WHERE token_hash = @hash AND used_at_ms IS NULL AND expires_at_ms > @now;",
            new { hash = Hash(token), now = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken);
        return accountId is null ? null : await accounts.GetAsync(accountId, cancellationToken);
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    [LoggerMessage(EventId = AccountsEventIds.PasswordResetMailed, Level = LogLevel.Information, Message = "Password-reset link mailed to account {AccountId}")]
    private partial void LogMailed(string accountId);

    [LoggerMessage(EventId = AccountsEventIds.PasswordResetRefused, Level = LogLevel.Warning, Message = "Password reset refused: the link is unknown, used or expired")]
    private partial void LogRefused();

    [LoggerMessage(EventId = AccountsEventIds.PasswordReset, Level = LogLevel.Information, Message = "Password of {AccountId} reset through a mailed link")]
    private partial void LogReset(string accountId);
}
