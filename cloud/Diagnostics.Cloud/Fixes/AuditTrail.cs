using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Diagnostics.Cloud.Fixes;

/// <summary>
/// The audit trail of remote actions: append-only, each record hashing its own fields and the previous record's hash,
/// so changing, removing or reordering any record breaks every hash after it. Appends run inside the caller's write
/// transaction, next to the change they record, so a change is never stored without its record (or the reverse).
/// </summary>
public static class AuditTrail
{
    /// <summary>The "previous hash" of the first record.</summary>
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public static async Task<AuditRecord> AppendAsync(
        SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset at, string actor, string action, string deviceId, string subject,
        IReadOnlyDictionary<string, string?> details, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(details);
        long sequence;
        string previous;
        await using (var last = connection.CreateCommand())
        {
            last.Transaction = transaction;
            last.CommandText = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1;";
            await using var reader = await last.ExecuteReaderAsync(cancellationToken);
            (sequence, previous) = await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0) + 1, reader.GetString(1)) : (1, Genesis);
        }
        // Sorted keys: the same details always serialize (and hash) the same way.
        var detailsJson = JsonSerializer.Serialize(new SortedDictionary<string, string?>(details.ToDictionary(), StringComparer.Ordinal));
        var record = new AuditRecord(sequence, DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds()), actor, action, deviceId, subject, detailsJson, previous, "");
        record = record with { Hash = HashOf(record) };
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO audit_log (seq, at_ms, actor, action, device_id, subject, details, prev_hash, hash)
            VALUES ($seq, $at, $actor, $action, $device, $subject, $details, $prev, $hash);
            """;
        insert.Parameters.AddWithValue("$seq", record.Sequence);
        insert.Parameters.AddWithValue("$at", record.At.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$actor", record.Actor);
        insert.Parameters.AddWithValue("$action", record.Action);
        insert.Parameters.AddWithValue("$device", record.DeviceId);
        insert.Parameters.AddWithValue("$subject", record.Subject);
        insert.Parameters.AddWithValue("$details", record.Details);
        insert.Parameters.AddWithValue("$prev", record.PreviousHash);
        insert.Parameters.AddWithValue("$hash", record.Hash);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return record;
    }

    /// <summary>Records about a device, or about one subject (a proposal, a policy), oldest first.</summary>
    public static async Task<IReadOnlyList<AuditRecord>> ReadAsync(SqliteConnection connection, string? deviceId, string? subject, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT seq, at_ms, actor, action, device_id, subject, details, prev_hash, hash FROM audit_log
            WHERE ($device IS NULL OR device_id = $device) AND ($subject IS NULL OR subject = $subject)
            ORDER BY seq DESC LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$device", (object?)deviceId ?? DBNull.Value);
        command.Parameters.AddWithValue("$subject", (object?)subject ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        var records = new List<AuditRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            records.Add(Read(reader));
        records.Reverse();
        return records;
    }

    /// <summary>Recomputes every hash from the first record: the chain is intact only if each record fits the one before.</summary>
    public static async Task<AuditVerification> VerifyAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, at_ms, actor, action, device_id, subject, details, prev_hash, hash FROM audit_log ORDER BY seq;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var previous = Genesis;
        long expected = 1;
        long count = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var record = Read(reader);
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

    private static AuditRecord Read(SqliteDataReader reader) => new(
        reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3),
        reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8));

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
