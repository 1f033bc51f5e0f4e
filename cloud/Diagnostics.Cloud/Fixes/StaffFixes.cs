using System.Security.Claims;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Knowledge;

namespace Diagnostics.Cloud.Fixes;

/// <summary>A released diagnostics report's bytes, or why support may not read it.</summary>
public sealed record ReleasedReport(DiagnosticsReport? Report, byte[]? Content);

/// <summary>
/// Staff's one way into fixes, for the API (<c>/api/fixes</c>) and the dashboard pages alike (fix list, device page,
/// support device panel): the staff check is made here once, and a proposal leaves as <see cref="FixView"/> with the
/// staff-only fields (who decided, why it was chosen). Diagnostics reports too: support asks for one, lists a device's,
/// and downloads one only once its owner released it. Anyone else reads nothing: an empty list, an unknown proposal.
/// </summary>
public sealed class StaffFixes(SqliteFixStore store, SupportProposals supportProposals, DiagnosticsReports reports, IDeviceStore devices, KnowledgeBase knowledge)
{
    /// <summary>The newest proposals, of <paramref name="deviceIds"/> only when given, in <paramref name="states"/> only when given.</summary>
    public async Task<IReadOnlyList<FixView>> ListAsync(
        ClaimsPrincipal staff, IReadOnlyCollection<string>? deviceIds, IReadOnlyCollection<FixState>? states, int limit, CancellationToken cancellationToken)
    {
        if (!staff.IsStaff())
            return [];
        var proposals = await store.ListAsync(deviceIds, states, limit, cancellationToken);
        return [.. proposals.Select(p => FixView.Of(p, forStaff: true, knowledge.Index))];
    }

    public async Task<FixView?> GetAsync(ClaimsPrincipal staff, string proposalId, CancellationToken cancellationToken) =>
        staff.IsStaff() && await store.GetAsync(proposalId, cancellationToken) is { } proposal ? FixView.Of(proposal, forStaff: true, knowledge.Index) : null;

    /// <summary>
    /// Asks the device's owner for a diagnostics report (one open request per device: asking again answers the open
    /// one); null when there is no such device (or the reader is not staff).
    /// </summary>
    public async Task<FixView?> RequestDiagnosticsAsync(ClaimsPrincipal staff, string deviceId, CancellationToken cancellationToken)
    {
        if (!staff.IsStaff() || await devices.GetAsync(deviceId, cancellationToken) is null)
            return null;
        return FixView.Of(await supportProposals.RequestDiagnosticsAsync(deviceId, staff.Signature(), cancellationToken), forStaff: true, knowledge.Index);
    }

    /// <summary>The device's diagnostics reports, newest first, whatever their owner decided (their content is read only once released).</summary>
    public async Task<IReadOnlyList<DiagnosticsReport>> ReportsAsync(ClaimsPrincipal staff, string deviceId, CancellationToken cancellationToken) =>
        staff.IsStaff() ? await reports.ListAsync(deviceId, cancellationToken) : [];

    /// <summary>
    /// The report with its content only when its owner released it; with no content while in review or once discarded
    /// (not support's to read); an empty result when there is no such report (or the reader is not staff).
    /// </summary>
    public async Task<ReleasedReport> ReleasedReportAsync(ClaimsPrincipal staff, string reportId, CancellationToken cancellationToken)
    {
        if (!staff.IsStaff() || await reports.GetAsync(reportId, cancellationToken) is not { } report)
            return new ReleasedReport(null, null);
        return new ReleasedReport(report, report.State == ReportState.Released ? await reports.ContentAsync(reportId, cancellationToken) : null);
    }
}
