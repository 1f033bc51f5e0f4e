using System.Security.Claims;
using Diagnostics.Cloud.Accounts;

namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>Signed-in people as the cloud's services receive them (the claims the sign-in writes), for calling a service directly.</summary>
internal static class Principals
{
    /// <param name="name">The display name (the account id when not given).</param>
    public static ClaimsPrincipal Of(string accountId, AccountRole role, string? name = null) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, accountId), new Claim(ClaimTypes.Name, name ?? accountId), new Claim(ClaimTypes.Role, role.ToString())],
        authenticationType: "test"));
}
