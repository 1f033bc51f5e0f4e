using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Audit;

/// <summary>Reading the audit trail (<see cref="AuditTrail"/>), for the audit endpoints and the engine migration's check; appends go through each capability's own write transaction.</summary>
public interface IAuditLog
{
    /// <summary>Records about a device, or about one subject (a proposal, a policy), oldest first: the newest <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditRecord>> ReadAsync(string? deviceId, string? subject, int limit, CancellationToken cancellationToken);

    /// <summary>Recomputes every record's hash and chain link: whether the trail is intact, and where it first breaks.</summary>
    Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken);
}

/// <summary><see cref="IAuditLog"/> over the configured database (SQLite or PostgreSQL).</summary>
public sealed class AuditLog(Database database) : IAuditLog
{
    public async Task<IReadOnlyList<AuditRecord>> ReadAsync(string? deviceId, string? subject, int limit, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        return await AuditTrail.ReadAsync(db, deviceId, subject, limit, cancellationToken);
    }

    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        return await AuditTrail.VerifyAsync(db, cancellationToken);
    }
}
