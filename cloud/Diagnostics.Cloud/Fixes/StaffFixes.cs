using System.Security.Claims;
using Diagnostics.Cloud.Accounts;

namespace Diagnostics.Cloud.Fixes;

/// <summary>
/// Staff's one way into fixes, for the API (<c>/api/fixes</c>) and the dashboard pages alike (fix list, device page,
/// support device panel): the staff check is made here once, and a proposal leaves as <see cref="FixView"/> with the
/// staff-only fields (who decided, why it was chosen). Anyone else reads nothing: an empty list, an unknown proposal.
/// </summary>
public sealed class StaffFixes(SqliteFixStore store)
{
    /// <summary>The newest proposals, of <paramref name="deviceIds"/> only when given, in <paramref name="states"/> only when given.</summary>
    public async Task<IReadOnlyList<FixView>> ListAsync(
        ClaimsPrincipal staff, IReadOnlyCollection<string>? deviceIds, IReadOnlyCollection<FixState>? states, int limit, CancellationToken cancellationToken)
    {
        if (!IsStaff(staff))
            return [];
        var proposals = await store.ListAsync(deviceIds, states, limit, cancellationToken);
        return [.. proposals.Select(p => FixView.Of(p, forStaff: true))];
    }

    public async Task<FixView?> GetAsync(ClaimsPrincipal staff, string proposalId, CancellationToken cancellationToken) =>
        IsStaff(staff) && await store.GetAsync(proposalId, cancellationToken) is { } proposal ? FixView.Of(proposal, forStaff: true) : null;

    private static bool IsStaff(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsStaff();
    }
}
