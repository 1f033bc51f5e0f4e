using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Audit;

/// <summary>
/// The audit trail of remote actions: append-only, each record hashing its own fields and the previous record's hash,
/// so changing, removing or reordering any record breaks every hash after it. Appends run inside the caller's write
/// transaction, next to the change they record, so a change is never stored without its record (or the reverse).
/// </summary>
public static class AuditTrail
{
    /// <summary>The "previous hash" of the first record.</summary>
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    private const string Columns = "seq AS sequence, at_ms, actor, action, device_id, subject, details, prev_hash AS previous_hash, hash";

    public static async Task<AuditRecord> AppendAsync(
        DbSession session, DateTimeOffset at, string actor, string action, string deviceId, string subject,
        IReadOnlyDictionary<string, string?> details, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(details);
        // Each record numbers and chains itself from the last one: one appender at a time until commit, so two
        // transactions never take the same number and records commit in their order (the broker follows them by number).
        if (session.Dialect.SerializeAppendsTo("audit_log") is { Length: > 0 } serialize)
            await session.ExecuteAsync(serialize, null, cancellationToken);
        var last = await session.QueryFirstOrDefaultAsync<AuditRecord>($"SELECT {Columns} FROM audit_log ORDER BY seq DESC LIMIT 1;", null, cancellationToken);
        // Sorted keys: the same details always serialize (and hash) the same way.
        var detailsJson = JsonSerializer.Serialize(new SortedDictionary<string, string?>(details.ToDictionary(), StringComparer.Ordinal));
        var record = new AuditRecord((last?.Sequence ?? 0) + 1, DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds()), actor, action, deviceId, subject,
            detailsJson, last?.Hash ?? Genesis, "");
        record = record with { Hash = HashOf(record) };
        await session.ExecuteAsync("""
            INSERT INTO audit_log (seq, at_ms, actor, action, device_id, subject, details, prev_hash, hash)
            VALUES (@Sequence, @At, @Actor, @Action, @DeviceId, @Subject, @Details, @PreviousHash, @Hash);
            """, record, cancellationToken);
        return record;
    }

    /// <summary>Records about a device, or about one subject (a proposal, a policy), oldest first.</summary>
    public static async Task<IReadOnlyList<AuditRecord>> ReadAsync(DbSession session, string? deviceId, string? subject, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var newestFirst = await session.QueryAsync<AuditRecord>($"""
            SELECT {Columns} FROM audit_log
            WHERE (@deviceId IS NULL OR device_id = @deviceId) AND (@subject IS NULL OR subject = @subject)
            ORDER BY seq DESC LIMIT @limit;
            """, new { deviceId, subject, limit }, cancellationToken);
        return [.. newestFirst.Reverse()];
    }

    /// <summary>Recomputes every hash from the first record: the chain is intact only if each record fits the one before.</summary>
    public static async Task<AuditVerification> VerifyAsync(DbSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var previous = Genesis;
        long expected = 1;
        long count = 0;
        await foreach (var record in session.StreamAsync<AuditRecord>($"SELECT {Columns} FROM audit_log ORDER BY seq;", null, cancellationToken))
        {
            count++;
            if (record.Sequence != expected)
                return new AuditVerification(false, count, record.Sequence, $"record {expected} is missing (found {record.Sequence} next)");
            if (record.PreviousHash != previous)
                return new AuditVerification(false, count, record.Sequence, $"record {record.Sequence} does not point at the record before it");
            if (HashOf(record) != record.Hash)
                return new AuditVerification(false, count, record.Sequence, $"record {record.Sequence} was changed after it was written");
            previous = record.Hash;
            expected++;
        }
        return new AuditVerification(true, count, null, null);
    }

    /// <summary>SHA-256 over every field, each length-prefixed so no two different records can serialize alike.</summary>
    private static string HashOf(AuditRecord record)
    {
        var text = new StringBuilder();
        foreach (var field in (string[])[
            record.PreviousHash, record.Sequence.ToString(CultureInfo.InvariantCulture), record.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            record.Actor, record.Action, record.DeviceId, record.Subject, record.Details])
        {
            text.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
