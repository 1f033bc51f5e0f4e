using System.Globalization;
using System.Security.Claims;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Knowledge;
using Diagnostics.Protocol;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Fixes;

/// <summary>A fix card on the customer's device page: the proposal as a customer sees it, and its article's words (title, what the printer will do, steps by hand) in the reader's language.</summary>
public sealed record CustomerFixCard(FixView Proposal, FixWording Words);

/// <summary>Everything the customer's device page shows about fixes: recent proposals, reports to review, and the standing maintenance consent.</summary>
public sealed record DeviceFixesView(IReadOnlyList<CustomerFixCard> Fixes, IReadOnlyList<ReportContent> Reports, ConsentPolicy? Maintenance);

/// <summary>How granting a standing consent went.</summary>
public enum GrantError
{
    None,
    UnknownDevice,
    Invalid,
}

/// <summary>How deciding a diagnostics report went.</summary>
public enum ReportDecisionError
{
    None,
    UnknownReport,
    AlreadyDecided,
}

/// <summary>
/// The customer's one way into fixes, for the API (<c>/api/me/...</c>) and the companion pages alike: only proposals,
/// reports and consents of devices the customer paired, each checked here once; someone else's read as unknown (null);
/// proposals as <see cref="FixView"/> without the staff-only fields.
/// </summary>
public sealed class CustomerFixes(
    DeviceAccess access, SqliteFixStore store, FixWorkflow workflow, DiagnosticsReports reports, KnowledgeBase knowledge, IOptions<FixOptions> options, TimeProvider time)
{
    /// <summary>How many proposals the device page shows, and how long a finished one stays there.</summary>
    private const int CardsShown = 5;

    private static readonly TimeSpan FinishedShownFor = TimeSpan.FromDays(1);

    private const int ReportsShown = 5;

    public async Task<IReadOnlyList<FixView>> ListAsync(ClaimsPrincipal customer, IReadOnlyCollection<FixState>? states, int limit, CancellationToken cancellationToken)
    {
        var owned = await access.OwnedDevicesAsync(customer, cancellationToken);
        var proposals = await store.ListAsync([.. owned], states, limit, cancellationToken);
        return [.. proposals.Select(p => FixView.Of(p, forStaff: false, knowledge.Index))];
    }

    public async Task<FixView?> GetAsync(ClaimsPrincipal customer, string proposalId, CancellationToken cancellationToken) =>
        await MineAsync(customer, proposalId, cancellationToken) is { } proposal ? FixView.Of(proposal, forStaff: false, knowledge.Index) : null;

    /// <summary>Approves or declines; the view is the proposal as it now stands (also when it was already decided).</summary>
    public async Task<(FixView? Proposal, FixDecisionError Error)> DecideAsync(ClaimsPrincipal customer, string proposalId, bool approve, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customer);
        if (await MineAsync(customer, proposalId, cancellationToken) is null)
            return (null, FixDecisionError.NotFound);
        var (proposal, error) = approve
            ? await workflow.ApproveAsync(proposalId, customer.Signature(), cancellationToken)
            : await workflow.DeclineAsync(proposalId, customer.Signature(), cancellationToken);
        return (proposal is null ? null : FixView.Of(proposal, forStaff: false, knowledge.Index), error);
    }

    /// <summary>The device's standing consents; null when it is not the customer's device.</summary>
    public async Task<IReadOnlyList<ConsentPolicy>?> PoliciesAsync(ClaimsPrincipal customer, string deviceId, CancellationToken cancellationToken) =>
        await access.CanAccessAsync(customer, deviceId, cancellationToken) ? await store.PoliciesAsync(deviceId, cancellationToken) : null;

    /// <summary>Lets fixes of one kind run without asking for <paramref name="days"/> days (1 to the configured maximum).</summary>
    public async Task<(ConsentPolicy? Policy, GrantError Error)> GrantPolicyAsync(ClaimsPrincipal customer, string deviceId, ConsentAction action, int days, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customer);
        if (!await access.CanAccessAsync(customer, deviceId, cancellationToken))
            return (null, GrantError.UnknownDevice);
        if (action == ConsentAction.Unspecified || !Enum.IsDefined(action) || days < 1 || days > MaxPolicyDays)
            return (null, GrantError.Invalid);
        return (await workflow.GrantPolicyAsync(deviceId, action, TimeSpan.FromDays(days), customer.Signature(), cancellationToken), GrantError.None);
    }

    public int MaxPolicyDays => (int)options.Value.MaxPolicyDuration.TotalDays;

    /// <summary>False when the device is not the customer's or has no such consent in force.</summary>
    public async Task<bool> RevokePolicyAsync(ClaimsPrincipal customer, string deviceId, string policyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return await access.CanAccessAsync(customer, deviceId, cancellationToken)
            && await workflow.RevokePolicyAsync(deviceId, policyId, customer.Signature(), cancellationToken);
    }

    /// <summary>The device's diagnostics reports; null when it is not the customer's device.</summary>
    public async Task<IReadOnlyList<DiagnosticsReport>?> ReportsAsync(ClaimsPrincipal customer, string deviceId, CancellationToken cancellationToken) =>
        await access.CanAccessAsync(customer, deviceId, cancellationToken) ? await reports.ListAsync(deviceId, cancellationToken) : null;

    /// <summary>The customer's report with its sections (none once discarded); someone else's reads as unknown.</summary>
    public async Task<ReportContent?> ReportAsync(ClaimsPrincipal customer, string reportId, CancellationToken cancellationToken)
    {
        var report = await reports.GetAsync(reportId, cancellationToken);
        return report is null || !await access.CanAccessAsync(customer, report.DeviceId, cancellationToken) ? null : await ContentAsync(report, cancellationToken);
    }

    /// <summary>Releases the report to support or discards it; the report as it now stands.</summary>
    public async Task<(DiagnosticsReport? Report, ReportDecisionError Error)> DecideReportAsync(ClaimsPrincipal customer, string reportId, bool release, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var report = await reports.GetAsync(reportId, cancellationToken);
        if (report is null || !await access.CanAccessAsync(customer, report.DeviceId, cancellationToken))
            return (null, ReportDecisionError.UnknownReport);
        if (!await reports.DecideAsync(reportId, release, customer.Signature(), cancellationToken))
            return (null, ReportDecisionError.AlreadyDecided);
        return (await reports.GetAsync(reportId, cancellationToken), ReportDecisionError.None);
    }

    /// <summary>
    /// What the device page shows: what is open and what just ended (so the customer sees "fixed" or "did not help"),
    /// each with its article's words in the reader's language; the latest reports; the maintenance consent in force. Null when it is not the customer's device.
    /// </summary>
    public async Task<DeviceFixesView?> DeviceAsync(ClaimsPrincipal customer, string deviceId, CultureInfo reader, CancellationToken cancellationToken)
    {
        if (!await access.CanAccessAsync(customer, deviceId, cancellationToken))
            return null;
        var now = time.GetUtcNow();
        var recent = await store.ListAsync([deviceId], null, 2 * CardsShown, cancellationToken);
        var cards = new List<CustomerFixCard>();
        foreach (var proposal in recent.Where(p => p.State.IsOpen() || p.FinishedAt > now - FinishedShownFor).Take(CardsShown))
            cards.Add(new CustomerFixCard(FixView.Of(proposal, forStaff: false, knowledge.Index),
                ProposalTexts.Wording(knowledge.Index, proposal.ArticleId, proposal.ArticleTitle ?? proposal.Code, proposal.Describe, reader)));
        var shownReports = new List<ReportContent>();
        foreach (var report in (await reports.ListAsync(deviceId, cancellationToken)).Take(ReportsShown))
            shownReports.Add(report.State == ReportState.Review ? await ContentAsync(report, cancellationToken) : new ReportContent(report, []));
        var maintenance = (await store.PoliciesAsync(deviceId, cancellationToken)).FirstOrDefault(p => p.Action == ConsentAction.Maintenance && p.IsInForce(now));
        return new DeviceFixesView(cards, shownReports, maintenance);
    }

    private async Task<ReportContent> ContentAsync(DiagnosticsReport report, CancellationToken cancellationToken)
    {
        var bytes = await reports.ContentAsync(report.Id, cancellationToken);
        return new ReportContent(report, bytes is null ? [] : DiagnosticsBundles.Read(bytes, out _)?.Sections ?? []);
    }

    /// <summary>The proposal when it is about one of the customer's devices; someone else's reads as unknown.</summary>
    private async Task<FixProposal?> MineAsync(ClaimsPrincipal customer, string proposalId, CancellationToken cancellationToken)
    {
        var proposal = await store.GetAsync(proposalId, cancellationToken);
        return proposal is not null && await access.CanAccessAsync(customer, proposal.DeviceId, cancellationToken) ? proposal : null;
    }
}
