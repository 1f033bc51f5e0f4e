namespace Diagnostics.Cloud.Audit;

/// <summary>One record of the audit trail; <see cref="Hash"/> covers it and the hash of the record before.</summary>
public sealed record AuditRecord(long Sequence, DateTimeOffset At, string Actor, string Action, string DeviceId, string Subject, string Details, string PreviousHash, string Hash);

/// <summary>What checking the whole chain found: intact, or the first record that does not fit.</summary>
public sealed record AuditVerification(bool Intact, long Records, long? FirstBrokenSequence, string? Problem);
