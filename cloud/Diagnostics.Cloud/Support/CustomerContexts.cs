using System.Security.Claims;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Fixes;

namespace Diagnostics.Cloud.Support;

/// <summary>
/// The customer beside a conversation, for the agent: their other devices (with the names they gave them), their
/// earlier conversations (each with its hand-over reason in the reader's language) and the fixes their other devices
/// have had (as staff read fixes).
/// </summary>
public sealed record CustomerContextView(
    string CustomerId, IReadOnlyList<DeviceDetails> OtherDevices, IReadOnlyDictionary<string, string> Nicknames, IReadOnlyList<SupportSessionForReader> EarlierSessions,
    IReadOnlyList<FixView> Fixes);

/// <summary>
/// The one way into a customer's context, for the API (<c>/api/sessions/{id}/context</c>) and the conversation page:
/// staff only, and always the context of the session's own customer; anyone else reads nothing.
/// </summary>
public sealed class CustomerContexts(AgentConversations conversations, SupportSessionStore sessions, IAccountStore accounts, IDeviceStore devices, StaffFixes fixes,
    SupportReaderViews views)
{
    /// <summary>How many of each kind are shown: enough to see a pattern, few enough to read beside a chat.</summary>
    public const int Shown = 5;

    /// <summary>The context of the session's customer, leaving out the session itself and the device it is about; null when the reader may not see it.</summary>
    public async Task<CustomerContextView?> OfSessionAsync(ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken)
    {
        if (await conversations.SessionAsync(user, sessionId, cancellationToken) is not { } session)
            return null;
        var owned = await accounts.GetOwnedDevicesAsync(session.CustomerId, cancellationToken);
        var others = owned.Where(id => id != session.DeviceId).ToArray();
        var otherDevices = new List<DeviceDetails>();
        foreach (var id in others.Take(Shown))
        {
            if (await devices.GetAsync(id, cancellationToken) is { } device)
                otherDevices.Add(device);
        }
        var earlier = (await sessions.SessionsOfCustomerAsync(session.CustomerId, cancellationToken))
            .Where(s => s.Id != session.Id).OrderByDescending(s => s.OpenedAt).Take(Shown);
        // The device of the conversation shows its own fixes live in the device panel; a snapshot here would go stale beside it.
        var otherFixes = others.Length == 0 ? [] : await fixes.ListAsync(user, others, null, Shown, cancellationToken);
        return new CustomerContextView(session.CustomerId, otherDevices, await accounts.GetNicknamesAsync(session.CustomerId, cancellationToken),
            views.Sessions(earlier), otherFixes);
    }
}
