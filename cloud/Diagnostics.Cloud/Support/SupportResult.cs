using System.Security.Claims;
using Diagnostics.Cloud.Accounts;

namespace Diagnostics.Cloud.Support;

/// <summary>Who is acting in a session: the customer, an agent, the bot or the system, by id and name.</summary>
public sealed record SessionActor(AuthorKind Kind, string Id, string Name)
{
    /// <summary>The signed-in person as a session knows them: staff write as agents, everyone else as the customer.</summary>
    public static SessionActor Of(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new(user.IsStaff() ? AuthorKind.Agent : AuthorKind.Customer, user.AccountId() ?? "", user.Identity?.Name ?? "");
    }
}

public enum SupportError
{
    None,
    NotFound,
    Invalid,
    Closed,
    /// <summary>The session is not in a state that allows it (not yours, not queued, already rated).</summary>
    Conflict,
    /// <summary>The agent already holds as many sessions as their limit.</summary>
    AtLimit,
    /// <summary>The person may not do this at all (a supervisor's task asked by an agent, a desk task by a customer).</summary>
    NotAllowed,
}

/// <summary>The answer of a session operation: what it produced, or why not.</summary>
public sealed record SupportResult<T>(T? Value, SupportError Error, string Detail)
{
    public static SupportResult<T> Done(T value) => new(value, SupportError.None, "");

    public static SupportResult<T> Fail(SupportError error, string detail) => new(default, error, detail);
}
