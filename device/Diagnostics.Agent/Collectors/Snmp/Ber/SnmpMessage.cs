namespace Diagnostics.Agent.Collectors.Snmp.Ber;

/// <summary>The PDU tags of SNMPv2c (RFC 3416).</summary>
public enum SnmpPduType : byte
{
    GetRequest = 0xA0,
    GetNextRequest = 0xA1,
    GetResponse = 0xA2,
    SetRequest = 0xA3,
    GetBulkRequest = 0xA5,
}

/// <summary>RFC 3416 error-status values an agent may answer with.</summary>
public enum SnmpErrorStatus
{
    NoError = 0,
    TooBig = 1,
    NoSuchName = 2,
    BadValue = 3,
    ReadOnly = 4,
    GenErr = 5,
    NoAccess = 6,
    WrongType = 7,
    WrongLength = 8,
    WrongEncoding = 9,
    WrongValue = 10,
    NoCreation = 11,
    InconsistentValue = 12,
    ResourceUnavailable = 13,
    CommitFailed = 14,
    UndoFailed = 15,
    AuthorizationError = 16,
    NotWritable = 17,
    InconsistentName = 18,
}

public sealed record VarBind(Oid Oid, SnmpValue Value);

/// <summary>
/// One SNMP message: version (1 for v2c), community, and a PDU. For GetBulk, <see cref="ErrorStatus"/> and
/// <see cref="ErrorIndex"/> carry non-repeaters and max-repetitions, as on the wire.
/// </summary>
public sealed record SnmpMessage(
    int Version,
    byte[] Community,
    SnmpPduType PduType,
    int RequestId,
    int ErrorStatus,
    int ErrorIndex,
    IReadOnlyList<VarBind> VarBinds)
{
    public const int VersionV2c = 1;

    public static SnmpMessage Request(SnmpPduType type, string community, int requestId, IEnumerable<Oid> oids) =>
        new(VersionV2c, System.Text.Encoding.UTF8.GetBytes(community), type, requestId, 0, 0,
            [.. oids.Select(o => new VarBind(o, SnmpValue.Null))]);

    public bool Equals(SnmpMessage? other) =>
        other is not null && Version == other.Version && Community.AsSpan().SequenceEqual(other.Community)
        && PduType == other.PduType && RequestId == other.RequestId && ErrorStatus == other.ErrorStatus
        && ErrorIndex == other.ErrorIndex && VarBinds.SequenceEqual(other.VarBinds);

    public override int GetHashCode() => HashCode.Combine(Version, PduType, RequestId, VarBinds.Count);
}
