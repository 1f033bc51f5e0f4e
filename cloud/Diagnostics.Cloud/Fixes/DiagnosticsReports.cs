using System.Security.Cryptography;
using Diagnostics.Cloud.Storage;
using Diagnostics.Protocol;
using Microsoft.Data.Sqlite;

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
public sealed class DiagnosticsReports(SqliteConnectionFactory connections, SqliteFixStore fixes, TimeProvider time)
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
            await using (var exists = work.Command("SELECT COUNT(*) FROM diagnostic_bundles WHERE command_id = $command;"))
            {
                exists.Parameters.AddWithValue("$command", bundle.CommandId);
                if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0)
                    return false;
            }
            await using (var insert = work.Command($"INSERT INTO diagnostic_bundles ({Columns}, content) VALUES ($id, $device, $proposal, $command, $at, $bytes, $sha, 'review', NULL, NULL, $content);"))
            {
                insert.Parameters.AddWithValue("$id", report.Id);
                insert.Parameters.AddWithValue("$device", deviceId);
                insert.Parameters.AddWithValue("$proposal", proposal.Id);
                insert.Parameters.AddWithValue("$command", bundle.CommandId);
                insert.Parameters.AddWithValue("$at", now.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$bytes", body.Length);
                insert.Parameters.AddWithValue("$sha", report.Sha256);
                insert.Parameters.AddWithValue("$content", body);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
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

    public async Task<IReadOnlyList<DiagnosticsReport>> ListAsync(string deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM diagnostic_bundles WHERE device_id = $device ORDER BY uploaded_at_ms DESC, id;";
        command.Parameters.AddWithValue("$device", deviceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var reports = new List<DiagnosticsReport>();
        while (await reader.ReadAsync(cancellationToken))
            reports.Add(Read(reader));
        return reports;
    }

    public async Task<DiagnosticsReport?> GetAsync(string reportId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM diagnostic_bundles WHERE id = $id;";
        command.Parameters.AddWithValue("$id", reportId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>The report's bytes as uploaded; null once discarded.</summary>
    public async Task<byte[]?> ContentAsync(string reportId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT content FROM diagnostic_bundles WHERE id = $id;";
        command.Parameters.AddWithValue("$id", reportId);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    /// <summary>The owner's decision: release to support, or discard (the content is deleted). Only from review.</summary>
    public async Task<bool> DecideAsync(string reportId, bool release, string actor, CancellationToken cancellationToken)
    {
        var report = await GetAsync(reportId, cancellationToken);
        if (report is null || report.State != ReportState.Review)
            return false;
        var now = time.GetUtcNow();
        return await fixes.WriteAsync(async work =>
        {
            await using (var update = work.Command(release
                ? "UPDATE diagnostic_bundles SET state = 'released', decided_by = $by, decided_at_ms = $at WHERE id = $id AND state = 'review';"
                : "UPDATE diagnostic_bundles SET state = 'discarded', decided_by = $by, decided_at_ms = $at, content = NULL WHERE id = $id AND state = 'review';"))
            {
                update.Parameters.AddWithValue("$id", reportId);
                update.Parameters.AddWithValue("$by", actor);
                update.Parameters.AddWithValue("$at", now.ToUnixTimeMilliseconds());
                if (await update.ExecuteNonQueryAsync(cancellationToken) != 1)
                    return false;
            }
            await work.AuditAsync(now, actor, release ? "report.released" : "report.discarded", report.DeviceId, report.ProposalId,
                new Dictionary<string, string?> { ["report"] = reportId }, cancellationToken);
            return true;
        }, cancellationToken);
    }

    private static DiagnosticsReport Read(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), r.GetInt64(5), r.GetString(6),
        Enum.Parse<ReportState>(r.GetString(7), ignoreCase: true), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)));
}
