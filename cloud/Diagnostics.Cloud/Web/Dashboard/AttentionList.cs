using System.Security.Claims;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Support;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Web.Dashboard;

/// <summary>Why a device is on the "needs attention now" list, most urgent first.</summary>
public enum AttentionReason
{
    /// <summary>Its customer waits in the support queue for a person.</summary>
    CustomerWaiting,

    /// <summary>An error stops it (a jam, an empty tray, a fault).</summary>
    Stopped,

    /// <summary>A fix ran on it in the last day and did not clear the problem.</summary>
    FixFailed,

    /// <summary>It stopped reporting.</summary>
    Offline,

    /// <summary>A warning (low supplies, almost full) that has lasted.</summary>
    Warning,
}

/// <summary>One device an agent should look at, why, and since when.</summary>
public sealed record AttentionItem(string DeviceId, string Model, AttentionReason Reason, string Detail, DateTimeOffset? Since)
{
    /// <summary>The detail is an article's English title: the article has no translation for the reader (a failed fix's).</summary>
    public bool DetailNotTranslated { get; init; }
}

/// <summary>
/// The devices an agent should look at first, and why: a customer waiting for a person, then devices stopped by an
/// error (longest first), fixes that failed in the last day, devices that went silent, then lasting warnings. A device
/// appears once, for its most urgent reason. Reads current state only (indexed), never history, and only through staff's
/// ways into devices and fixes: anyone but staff gets an empty list.
/// </summary>
public sealed class AttentionList(StaffDevices devices, StaffFixes fixes, SupportSessionStore support)
{
    public const int DefaultLength = 8;

    public async Task<IReadOnlyList<AttentionItem>> BuildAsync(ClaimsPrincipal staff, DateTimeOffset now, int length, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(staff);
        if (!staff.IsStaff())
            return [];
        var items = new List<AttentionItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(AttentionItem item)
        {
            if (items.Count < length && seen.Add(item.DeviceId))
                items.Add(item);
        }

        foreach (var session in (await support.OpenSessionsAsync(cancellationToken))
                     .Where(s => s.State == SessionState.Queued && s.DeviceId is not null).OrderBy(s => s.QueuedAt))
            Add(new AttentionItem(session.DeviceId!, "", AttentionReason.CustomerWaiting, session.CustomerName, session.QueuedAt));

        foreach (var device in await WorstAsync(staff, DeviceHealth.Critical, length, cancellationToken))
        {
            var worst = device.ActiveConditions.Where(c => c.Severity == Severity.Error).OrderBy(c => c.Since ?? now).FirstOrDefault();
            Add(new AttentionItem(device.DeviceId, device.Model, AttentionReason.Stopped, worst?.Condition is { Length: > 0 } c ? c : worst?.Code ?? "", worst?.Since));
        }

        foreach (var fix in (await fixes.ListAsync(staff, null, [FixState.Failed], length * 2, cancellationToken)).Where(f => f.FinishedAt > now.AddDays(-1)))
            Add(new AttentionItem(fix.DeviceId, "", AttentionReason.FixFailed, fix.ArticleTitleForReader ?? fix.Code, fix.FinishedAt) { DetailNotTranslated = fix.ArticleTitleIsFallback });

        var offline = await devices.ListAsync(staff, new DeviceQuery(null, null, null, Online: false, 1, length) { Sort = DeviceSort.LastSeen }, cancellationToken);
        foreach (var device in offline.Items.Where(d => d.LastSeen is not null))
            Add(new AttentionItem(device.DeviceId, device.Model, AttentionReason.Offline, "", device.LastSeen));

        foreach (var device in await WorstAsync(staff, DeviceHealth.Warning, length, cancellationToken))
        {
            var oldest = device.ActiveConditions.OrderBy(c => c.Since ?? now).FirstOrDefault();
            Add(new AttentionItem(device.DeviceId, device.Model, AttentionReason.Warning, oldest?.Condition is { Length: > 0 } c ? c : oldest?.Code ?? "", oldest?.Since));
        }
        return items;
    }

    /// <summary>Devices of one health with the most problems, with their conditions, the longest-standing first.</summary>
    private async Task<List<DeviceDetails>> WorstAsync(ClaimsPrincipal staff, DeviceHealth health, int length, CancellationToken cancellationToken)
    {
        var page = await devices.ListAsync(staff, new DeviceQuery(health, null, null, null, 1, length) { Sort = DeviceSort.ActiveConditions, Descending = true }, cancellationToken);
        var details = new List<DeviceDetails>(page.Items.Count);
        foreach (var summary in page.Items)
        {
            if (await devices.GetAsync(staff, summary.DeviceId, cancellationToken) is { } device)
                details.Add(device);
        }
        return [.. details.OrderBy(d => d.ActiveConditions.Min(c => c.Since) ?? DateTimeOffset.MaxValue)];
    }
}
