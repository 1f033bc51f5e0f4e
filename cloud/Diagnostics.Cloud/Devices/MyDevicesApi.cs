using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Diagnostics.Cloud.Devices;

/// <summary>
/// A customer's own devices (<c>/api/me/devices</c>): pair with the code the device shows, list, name, unpair.
/// </summary>
public static class MyDevicesApi
{
    public static IEndpointRouteBuilder MapMyDevicesApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var mine = app.MapGroup("/api/me/devices").WithTags("Accounts").RequireAuthorization(Roles.CustomerPolicy);
        mine.MapGet("/", MyDevices);
        mine.MapPost("/pair", Pair).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);
        mine.MapDelete("/{deviceId}", Unpair).ProducesProblem(StatusCodes.Status404NotFound);
        mine.MapPut("/{deviceId}/nickname", Rename).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<DeviceSummary>>> MyDevices(HttpContext http, CustomerDevices devices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(devices);
        return TypedResults.Ok(await devices.ListAsync(http.User, cancellationToken));
    }

    public static async Task<Results<Ok<DeviceSummary>, ProblemHttpResult>> Pair(
        PairRequest request, HttpContext http, CustomerDevices devices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(devices);
        if (!DeviceNickname.IsValid(request.Nickname))
            return NicknameProblem();
        var paired = await devices.PairAsync(http.User, request.Code, request.Nickname, cancellationToken);
        return paired.Outcome switch
        {
            PairingOutcome.Paired or PairingOutcome.AlreadyYours => TypedResults.Ok(paired.Device!),
            PairingOutcome.TooManyAttempts => TypedResults.Problem(ApiProblems.Create(
                StatusCodes.Status429TooManyRequests, "Too many attempts", "Too many wrong codes. Wait a few minutes, then try again.")),
            _ => TypedResults.Problem(ApiProblems.Create(
                StatusCodes.Status404NotFound, "Unknown pairing code", "No device available for pairing shows this code. Check the code on the device's screen or label.")),
        };
    }

    /// <summary>The customer's own name for a paired device; null or empty removes it.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> Rename(
        string deviceId, NicknameRequest request, HttpContext http, CustomerDevices devices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(devices);
        if (!DeviceNickname.IsValid(request.Nickname))
            return NicknameProblem();
        return await devices.RenameAsync(http.User, deviceId, request.Nickname, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(NotYours(deviceId));
    }

    private static ProblemHttpResult NicknameProblem() => TypedResults.Problem(ApiProblems.Create(
        StatusCodes.Status400BadRequest, "Invalid device name", $"A device name is one line of at most {DeviceNickname.MaxLength} characters."));

    public static async Task<Results<NoContent, ProblemHttpResult>> Unpair(
        string deviceId, HttpContext http, CustomerDevices devices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(devices);
        return await devices.UnpairAsync(http.User, deviceId, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(NotYours(deviceId));
    }

    private static Microsoft.AspNetCore.Mvc.ProblemDetails NotYours(string deviceId) =>
        ApiProblems.Create(StatusCodes.Status404NotFound, "Not your device", $"You have no paired device '{deviceId}'.");
}

public sealed record PairRequest(string? Code, string? Nickname = null);

public sealed record NicknameRequest(string? Nickname);
