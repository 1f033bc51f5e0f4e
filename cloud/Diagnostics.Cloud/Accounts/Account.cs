using System.Security.Claims;

namespace Diagnostics.Cloud.Accounts;

/// <summary>Who a person is to the system: a customer owns devices; agents, supervisors and admins serve the fleet.</summary>
public enum AccountRole
{
    Customer,
    Agent,
    Supervisor,
    Admin,
}

/// <summary>Role names as they appear in claims and authorization policies.</summary>
public static class Roles
{
    public const string Customer = nameof(AccountRole.Customer);
    public const string Agent = nameof(AccountRole.Agent);
    public const string Supervisor = nameof(AccountRole.Supervisor);
    public const string Admin = nameof(AccountRole.Admin);

    /// <summary>Policy: agents, supervisors and admins, who see the whole fleet.</summary>
    public const string StaffPolicy = "Staff";

    /// <summary>Policy: customers, who see only the devices they paired.</summary>
    public const string CustomerPolicy = "Customer";

    public const string AdminPolicy = "Admin";

    /// <summary>Policy: supervisors and admins, who publish knowledge-base articles and oversee the service.</summary>
    public const string SupervisorPolicy = "Supervisor";

    public static bool IsStaff(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(Agent) || user.IsInRole(Supervisor) || user.IsInRole(Admin);
    }

    /// <summary>What <see cref="SupervisorPolicy"/> admits: supervisors and admins.</summary>
    public static bool IsSupervisor(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(Supervisor) || user.IsInRole(Admin);
    }

    /// <summary>How records name the person who did something: display name and account id.</summary>
    public static string Signature(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return $"{user.Identity?.Name} ({user.AccountId() ?? "anonymous"})";
    }

    /// <summary>
    /// The person's name in a <see cref="Signature"/> (also one with a context after it, "… in support session ss-…"):
    /// what a page shows, while the record keeps the account id.
    /// </summary>
    public static string NameInSignature(string signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var idStart = signature.IndexOf(" (", StringComparison.Ordinal);
        return idStart > 0 ? signature[..idStart] : signature;
    }

    /// <summary>The signed-in account's id, or null for anonymous callers.</summary>
    public static string? AccountId(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;
    }
}

public sealed record Account(string Id, string Email, string DisplayName, AccountRole Role, DateTimeOffset CreatedAt);

/// <summary>An account with what is needed to check its password; only the account store and AccountService read it.</summary>
public sealed record StoredAccount(Account Account, string PasswordHash);

public sealed record SignInRequest(string? Email, string? Password);

public sealed record AccountView(string Id, string Email, string DisplayName, AccountRole Role);
