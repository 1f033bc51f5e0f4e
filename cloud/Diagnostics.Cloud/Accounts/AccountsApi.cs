using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Diagnostics.Cloud.Accounts;

/// <summary>
/// Sign-in for programs and the companion app (<c>/api/auth</c>). A customer's own devices (<c>/api/me/devices</c>) are
/// <see cref="Diagnostics.Cloud.Devices.MyDevicesApi"/>: a device capability that uses accounts, not the other way round.
/// </summary>
public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var auth = app.MapGroup("/api/auth").WithTags("Accounts");
        auth.MapPost("/login", SignIn).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);
        auth.MapPost("/logout", (Delegate)SignOut).RequireAuthorization();
        auth.MapGet("/me", Me).RequireAuthorization();
        auth.MapPost("/password", ChangePassword).RequireAuthorization()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status429TooManyRequests);

        // Forgot password: ask for a link by mail (always 202, whether or not the address has an account), then use it.
        auth.MapPost("/password-reset", RequestPasswordReset).ProducesProblem(StatusCodes.Status404NotFound);
        auth.MapPost("/password-reset/confirm", ConfirmPasswordReset).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    public static async Task<Results<Ok<AccountView>, ProblemHttpResult>> SignIn(
        SignInRequest request, AccountService accounts, HttpContext http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(http);
        var result = await accounts.SignInAsync(request.Email, request.Password, http.Connection.RemoteIpAddress, cancellationToken);
        switch (result.Outcome)
        {
            case SignInOutcome.Throttled:
                return TooManyAttempts(http, result.RetryAfterSeconds);
            case SignInOutcome.Refused:
                return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status401Unauthorized, "SignInFailed"));
            default:
                await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, AccountService.PrincipalOf(result.Account!));
                return TypedResults.Ok(AccountService.ViewOf(result.Account!));
        }
    }

    /// <summary>A new password for the signed-in account: <c>400</c> with the policy's reason, <c>403</c> for a wrong current password.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> ChangePassword(
        ChangePasswordRequest request, AccountService accounts, HttpContext http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(http);
        var result = await accounts.ChangePasswordAsync(http.User.AccountId()!, request.CurrentPassword, request.NewPassword, http.Connection.RemoteIpAddress, cancellationToken);
        return result.Outcome switch
        {
            PasswordChangeOutcome.Changed => TypedResults.NoContent(),
            PasswordChangeOutcome.Weak => TypedResults.Problem(ApiProblems.Explained(StatusCodes.Status400BadRequest, "PasswordNotAccepted", PasswordPolicy.Explain(result.Weakness))),
            PasswordChangeOutcome.Throttled => TooManyAttempts(http, result.RetryAfterSeconds),
            _ => TypedResults.Problem(ApiProblems.Create(StatusCodes.Status403Forbidden, "WrongPassword")),
        };
    }

    public static async Task<Results<Accepted, ProblemHttpResult>> RequestPasswordReset(
        PasswordResetRequest request, PasswordReset reset, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(reset);
        if (!reset.Offered)
            return MailOff();
        await reset.RequestAsync(request.Email, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> ConfirmPasswordReset(
        PasswordResetConfirmation request, PasswordReset reset, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(reset);
        if (!reset.Offered)
            return MailOff();
        var result = await reset.ResetAsync(request.Token, request.NewPassword, cancellationToken);
        return result.Outcome switch
        {
            PasswordResetOutcome.Reset => TypedResults.NoContent(),
            PasswordResetOutcome.Weak => TypedResults.Problem(ApiProblems.Explained(StatusCodes.Status400BadRequest, "PasswordNotAccepted", PasswordPolicy.Explain(result.Weakness))),
            _ => TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "ResetLinkNotValid")),
        };
    }

    private static ProblemHttpResult MailOff() => TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "PasswordResetOff"));

    /// <summary><c>429</c> with <c>Retry-After</c> (RFC 9110 §10.2.3, in seconds) and the same words as the sign-in form.</summary>
    private static ProblemHttpResult TooManyAttempts(HttpContext http, int retryAfterSeconds)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(ApiProblems.Explained(StatusCodes.Status429TooManyRequests, "TooManySignInAttempts", SignInThrottle.Explain(retryAfterSeconds)));
    }

    public static async Task<NoContent> SignOut(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<AccountView>, UnauthorizedHttpResult>> Me(
        HttpContext http, AccountService accounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(accounts);
        var account = http.User.AccountId() is { } id ? await accounts.GetAsync(id, cancellationToken) : null;
        return account is null ? TypedResults.Unauthorized() : TypedResults.Ok(AccountService.ViewOf(account));
    }
}

public sealed record PasswordResetRequest(string? Email);

public sealed record PasswordResetConfirmation(string? Token, string? NewPassword);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);
