using System.Security.Claims;
using Diagnostics.Cloud.Accounts;

namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>Signed-in people as the cloud's services receive them (the claims the sign-in writes), for calling a service directly.</summary>
internal static class Principals
{
    public static ClaimsPrincipal Of(string accountId, AccountRole role) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, accountId), new Claim(ClaimTypes.Name, accountId), new Claim(ClaimTypes.Role, role.ToString())],
        authenticationType: "test"));
}
