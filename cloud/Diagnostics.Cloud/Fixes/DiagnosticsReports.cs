using System.Security.Cryptography;
using Dapper;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Fixes;

/// <summary>Where an uploaded report stands: with its owner for review, released to support, or discarded (content gone).</summary>
public enum ReportState
{
    Review,
    Released,
    Discarded,
}

/// <summary>A diagnostics report's record; its sections are read separately, only by who may see them.</summary>
public sealed record DiagnosticsReport(
    string Id, string DeviceId, string ProposalId, string CommandId, DateTimeOffset UploadedAt, long Bytes, string Sha256,
    ReportState State, string? DecidedBy, DateTimeOffset? DecidedAt);

/// <summary>Why an upload was refused.</summary>
public enum UploadError
{
    None,
    /// <summary>The bundle is not one (size, JSON, sections).</summary>
    Invalid,
    /// <summary>No approved diagnostics request of this device is waiting for this command's report.</summary>
    NotRequested,
    /// <summary>This command's report is already here.</summary>
    Duplicate,
}

/// <summary>
/// Diagnostics reports: stored when a device uploads one for an approved <see cref="DeviceCommands.CollectDiagnostics"/>
/// command of its own, kept from support until the owner releases it, and gone (content wiped) when the owner discards
/// it. Each step is an audit record.
/// </summary>
public sealed class DiagnosticsReports(Database database, SqliteFixStore fixes, TimeProvider time)
{
    private const string Columns = "id, device_id, proposal_id, command_id, uploaded_at_ms, bytes, sha256, state, decided_by, decided_at_ms";

    public async Task<(DiagnosticsReport? Report, UploadError Error, string? Detail)> UploadAsync(string deviceId, byte[] body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var bundle = DiagnosticsBundles.Read(body, out var invalid);
        if (bundle is null)
            return (null, UploadError.Invalid, invalid);
        if (bundle.DeviceId != deviceId)
            return (null, UploadError.Invalid, $"the bundle says it is from {bundle.DeviceId}");
        var proposal = await fixes.FindByCommandAsync(bundle.CommandId, cancellationToken);
        if (proposal is null || proposal.DeviceId != deviceId || proposal.Command != DeviceCommands.CollectDiagnostics || proposal.State != FixState.Sent)
            return (null, UploadError.NotRequested, $"no approved diagnostics request of {deviceId} waits for command {bundle.CommandId}");
        var now = time.GetUtcNow();
        var report = new DiagnosticsReport("report-" + Guid.NewGuid().ToString("N"), deviceId, proposal.Id, bundle.CommandId, now, body.Length,
            Convert.ToHexStringLower(SHA256.HashData(body)), ReportState.Review, null, null);
        var stored = await fixes.WriteAsync(async work =>
        {
            if (await work.Db.QueryFirstOrDefaultAsync<long>("SELECT COUNT(*) FROM diagnostic_bundles WHERE command_id = @CommandId;", report, cancellationToken) > 0)
                return false;
            var row = new DynamicParameters(report);
            row.Add("content", body);
            await work.Db.ExecuteAsync($"""
                INSERT INTO diagnostic_bundles ({Columns}, content)
                VALUES (@Id, @DeviceId, @ProposalId, @CommandId, @UploadedAt, @Bytes, @Sha256, @State, @DecidedBy, @DecidedAt, @content);
                """, row, cancellationToken);
            await work.AuditAsync(now, $"device {deviceId}", "report.uploaded", deviceId, proposal.Id, new Dictionary<string, string?>
            {
                ["report"] = report.Id,
                ["bytes"] = body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["sha256"] = report.Sha256,
                ["sections"] = string.Join(",", bundle.Sections.Select(s => s.Name)),
            }, cancellationToken);
            return true;
        }, cancellationToken);
        return stored ? (report, UploadError.None, null) : (null, UploadError.Duplicate, $"the report for command {bundle.CommandId} is already stored");
    }

    public Task<IReadOnlyList<DiagnosticsReport>> ListAsync(string deviceId, CancellationToken cancellationToken) =>
        database.QueryAsync<DiagnosticsReport>($"SELECT {Columns} FROM diagnostic_bundles WHERE device_id = @deviceId ORDER BY uploaded_at_ms DESC, id;",
            new { deviceId }, cancellationToken);

    public Task<DiagnosticsReport?> GetAsync(string reportId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<DiagnosticsReport>($"SELECT {Columns} FROM diagnostic_bundles WHERE id = @reportId;", new { reportId }, cancellationToken);

    /// <summary>The report's bytes as uploaded; null once discarded.</summary>
    public Task<byte[]?> ContentAsync(string reportId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<byte[]>("SELECT content FROM diagnostic_bundles WHERE id = @reportId;", new { reportId }, cancellationToken);

    /// <summary>The owner's decision: release to support, or discard (the content is deleted). Only from review.</summary>
    public async Task<bool> DecideAsync(string reportId, bool release, string actor, CancellationToken cancellationToken)
    {
        var report = await GetAsync(reportId, cancellationToken);
        if (report is null || report.State != ReportState.Review)
            return false;
        var now = time.GetUtcNow();
        return await fixes.WriteAsync(async work =>
        {
            if (await work.Db.ExecuteAsync(release
                    ? "UPDATE diagnostic_bundles SET state = 'released', decided_by = @actor, decided_at_ms = @now WHERE id = @reportId AND state = 'review';"
                    : "UPDATE diagnostic_bundles SET state = 'discarded', decided_by = @actor, decided_at_ms = @now, content = NULL WHERE id = @reportId AND state = 'review';",
                    new { reportId, actor, now }, cancellationToken) != 1)
            {
                return false;
            }
            await work.AuditAsync(now, actor, release ? "report.released" : "report.discarded", report.DeviceId, report.ProposalId,
                new Dictionary<string, string?> { ["report"] = reportId }, cancellationToken);
            return true;
        }, cancellationToken);
    }
}
