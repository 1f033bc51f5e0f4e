using System.Globalization;
using System.Net;
using System.Text;

namespace Diagnostics.Agent.Collectors.Snmp.Ber;

/// <summary>The BER tag of each SNMPv2 value type (RFC 2578 application types, RFC 3416 exceptions).</summary>
public enum SnmpValueType : byte
{
    Integer32 = 0x02,
    OctetString = 0x04,
    Null = 0x05,
    ObjectIdentifier = 0x06,
    IpAddress = 0x40,
    Counter32 = 0x41,
    Gauge32 = 0x42,
    TimeTicks = 0x43,
    Opaque = 0x44,
    Counter64 = 0x46,
    NoSuchObject = 0x80,
    NoSuchInstance = 0x81,
    EndOfMibView = 0x82,
}

/// <summary>One varbind value. Numbers live in <see cref="SignedValue"/> or <see cref="UnsignedValue"/>, bytes in <see cref="Bytes"/>.</summary>
public sealed record SnmpValue
{
    private SnmpValue(SnmpValueType type, long integer = 0, ulong unsigned = 0, byte[]? bytes = null, Oid? oid = null)
    {
        Type = type;
        SignedValue = integer;
        UnsignedValue = unsigned;
        Bytes = bytes ?? [];
        ObjectId = oid;
    }

    public static SnmpValue Null { get; } = new(SnmpValueType.Null);
    public static SnmpValue NoSuchObject { get; } = new(SnmpValueType.NoSuchObject);
    public static SnmpValue NoSuchInstance { get; } = new(SnmpValueType.NoSuchInstance);
    public static SnmpValue EndOfMibView { get; } = new(SnmpValueType.EndOfMibView);

    public SnmpValueType Type { get; }

    /// <summary>The value of an INTEGER (Integer32).</summary>
    public long SignedValue { get; }

    /// <summary>The value of a Counter32, Gauge32, TimeTicks or Counter64.</summary>
    public ulong UnsignedValue { get; }

    /// <summary>The content of an OCTET STRING, IpAddress or Opaque.</summary>
    public IReadOnlyList<byte> Bytes { get; }

    public Oid? ObjectId { get; }

    /// <summary>noSuchObject, noSuchInstance or endOfMibView: the agent has no value here.</summary>
    public bool IsException => Type is SnmpValueType.NoSuchObject or SnmpValueType.NoSuchInstance or SnmpValueType.EndOfMibView;

    public static SnmpValue FromInteger(int value) => new(SnmpValueType.Integer32, integer: value);

    public static SnmpValue FromOctets(ReadOnlySpan<byte> value) => new(SnmpValueType.OctetString, bytes: value.ToArray());

    public static SnmpValue FromString(string value) => FromOctets(Encoding.UTF8.GetBytes(value));

    public static SnmpValue FromOid(Oid value) => new(SnmpValueType.ObjectIdentifier, oid: value ?? throw new ArgumentNullException(nameof(value)));

    public static SnmpValue FromIpAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        return bytes.Length == 4 ? new(SnmpValueType.IpAddress, bytes: bytes) : throw new ArgumentException("SNMP IpAddress is IPv4 only.", nameof(address));
    }

    public static SnmpValue FromCounter32(uint value) => new(SnmpValueType.Counter32, unsigned: value);

    public static SnmpValue FromGauge32(uint value) => new(SnmpValueType.Gauge32, unsigned: value);

    public static SnmpValue FromTimeTicks(uint value) => new(SnmpValueType.TimeTicks, unsigned: value);

    public static SnmpValue FromCounter64(ulong value) => new(SnmpValueType.Counter64, unsigned: value);

    public static SnmpValue FromOpaque(ReadOnlySpan<byte> value) => new(SnmpValueType.Opaque, bytes: value.ToArray());

    internal static SnmpValue Exception(SnmpValueType type) => type switch
    {
        SnmpValueType.NoSuchObject => NoSuchObject,
        SnmpValueType.NoSuchInstance => NoSuchInstance,
        SnmpValueType.EndOfMibView => EndOfMibView,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    internal static SnmpValue FromDecodedBytes(SnmpValueType type, byte[] bytes) => new(type, bytes: bytes);

    internal static SnmpValue FromDecodedUnsigned(SnmpValueType type, ulong value) => new(type, unsigned: value);

    internal static SnmpValue FromDecodedInteger(long value) => new(SnmpValueType.Integer32, integer: value);

    /// <summary>A number of any numeric type, or null for the other types.</summary>
    public long? AsInt64() => Type switch
    {
        SnmpValueType.Integer32 => SignedValue,
        SnmpValueType.Counter32 or SnmpValueType.Gauge32 or SnmpValueType.TimeTicks => (long)UnsignedValue,
        SnmpValueType.Counter64 => UnsignedValue > long.MaxValue ? long.MaxValue : (long)UnsignedValue,
        _ => null,
    };

    /// <summary>An OCTET STRING as text (UTF-8, printers send ASCII), or null for the other types.</summary>
    public string? AsText() => Type == SnmpValueType.OctetString ? Encoding.UTF8.GetString([.. Bytes]).TrimEnd('\0') : null;

    public bool Equals(SnmpValue? other) =>
        other is not null && Type == other.Type && SignedValue == other.SignedValue && UnsignedValue == other.UnsignedValue
        && Bytes.SequenceEqual(other.Bytes) && ObjectId == other.ObjectId;

    public override int GetHashCode() => HashCode.Combine(Type, SignedValue, UnsignedValue, Bytes.Count, ObjectId);

    public override string ToString() => Type switch
    {
        SnmpValueType.Integer32 => SignedValue.ToString(CultureInfo.InvariantCulture),
        SnmpValueType.OctetString => AsText() ?? "",
        SnmpValueType.ObjectIdentifier => ObjectId!.ToString(),
        SnmpValueType.IpAddress => new IPAddress([.. Bytes]).ToString(),
        SnmpValueType.Opaque => Convert.ToHexString([.. Bytes]),
        SnmpValueType.Counter32 or SnmpValueType.Gauge32 or SnmpValueType.TimeTicks or SnmpValueType.Counter64 =>
            UnsignedValue.ToString(CultureInfo.InvariantCulture),
        _ => Type.ToString(),
    };
}
