using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Diagnostics.Cloud.Accounts;

/// <summary>
/// Sign-in for programs and the companion app (<c>/api/auth</c>), and a customer's own devices (<c>/api/me/devices</c>):
/// pair with the code the device shows, list, unpair.
/// </summary>
public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var auth = app.MapGroup("/api/auth").WithTags("Accounts");
        auth.MapPost("/login", SignIn).RequireRateLimiting(AccountsExtensions.SignInRateLimit).ProducesProblem(StatusCodes.Status401Unauthorized);
        auth.MapPost("/logout", (Delegate)SignOut).RequireAuthorization();
        auth.MapGet("/me", Me).RequireAuthorization();

        var mine = app.MapGroup("/api/me/devices").WithTags("Accounts").RequireAuthorization(Roles.CustomerPolicy);
        mine.MapGet("/", MyDevices);
        mine.MapPost("/pair", Pair).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);
        mine.MapDelete("/{deviceId}", Unpair).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Ok<AccountView>, ProblemHttpResult>> SignIn(
        SignInRequest request, AccountService accounts, HttpContext http, CloudMetrics metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(metrics);
        var account = await accounts.CheckPasswordAsync(request.Email, request.Password, cancellationToken);
        if (account is null)
        {
            metrics.AccessRefused(AccessRefusal.SignIn);
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status401Unauthorized, "Sign-in failed", "The e-mail address or the password is wrong."));
        }
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, AccountService.PrincipalOf(account));
        return TypedResults.Ok(AccountService.ViewOf(account));
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

    public static async Task<Ok<IReadOnlyList<DeviceSummary>>> MyDevices(
        HttpContext http, DeviceAccess access, IDeviceStore devices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(devices);
        var owned = await access.OwnedDevicesAsync(http.User, cancellationToken);
        return TypedResults.Ok(await devices.GetSummariesAsync(owned, cancellationToken));
    }

    public static async Task<Results<Ok<DeviceSummary>, ProblemHttpResult>> Pair(
        PairRequest request, HttpContext http, Pairing pairing, IDeviceStore devices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(pairing);
        ArgumentNullException.ThrowIfNull(devices);
        var result = await pairing.PairAsync(http.User.AccountId()!, request.Code, cancellationToken);
        return result.Outcome switch
        {
            PairingOutcome.Paired or PairingOutcome.AlreadyYours =>
                TypedResults.Ok((await devices.GetSummariesAsync([result.DeviceId!], cancellationToken))[0]),
            PairingOutcome.TooManyAttempts => TypedResults.Problem(ApiProblems.Create(
                StatusCodes.Status429TooManyRequests, "Too many attempts", "Too many wrong codes. Wait a few minutes, then try again.")),
            _ => TypedResults.Problem(ApiProblems.Create(
                StatusCodes.Status404NotFound, "Unknown pairing code", "No device available for pairing shows this code. Check the code on the device's screen or label.")),
        };
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Unpair(
        string deviceId, HttpContext http, Pairing pairing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(pairing);
        return await pairing.UnpairAsync(http.User.AccountId()!, deviceId, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "Not your device", $"You have no paired device '{deviceId}'."));
    }
}

public sealed record PairRequest(string? Code);
