using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using ProtoBuf;

namespace Diagnostics.Protocol;

/// <summary>Encodes and decodes wire messages. Pure: bytes in, values or a typed error out, no I/O.</summary>
public static class WireCodec
{
    /// <summary>The largest uplink payload the cloud accepts; the agent never produces one this big.</summary>
    public const int MaxUplinkBytes = 64 * 1024;

    /// <summary>
    /// What protobuf-net's <see cref="ProtoBuf.Meta.TypeModel"/> asks the trimmer to keep of a contract type; our contracts
    /// are small and few, and the generated <see cref="ProtocolModel"/> never reflects over them.
    /// </summary>
    internal const DynamicallyAccessedMemberTypes ContractMembers =
        DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.NonPublicConstructors
        | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor
        | DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.NonPublicProperties
        | DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields
        | DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods
        | DynamicallyAccessedMemberTypes.PublicNestedTypes | DynamicallyAccessedMemberTypes.NonPublicNestedTypes;

    public static byte[] Encode<[DynamicallyAccessedMembers(ContractMembers)] T>(T message) where T : class
    {
        ArgumentNullException.ThrowIfNull(message);
        using var buffer = new MemoryStream();
        ProtocolModel.Instance.Serialize(buffer, message);
        return buffer.ToArray();
    }

    public static DecodeResult<T> Decode<[DynamicallyAccessedMembers(ContractMembers)] T>(ReadOnlyMemory<byte> payload, int maxBytes = MaxUplinkBytes) where T : class
    {
        if (payload.Length > maxBytes)
            return DecodeResult<T>.Fail(DecodeError.TooLarge, $"Payload of {payload.Length} bytes exceeds the limit of {maxBytes}.");
        try
        {
            // protobuf-net's span and memory readers rent a buffer of whatever length a field claims when that length's
            // varint runs past the end of its enclosing message (a 68-byte command claiming 109 MB rented 128 MB, kept
            // by the shared pool afterwards); its stream reader checks the claim against what the stream holds.
            using var stream = MemoryMarshal.TryGetArray(payload, out var array)
                ? new MemoryStream(array.Array!, array.Offset, array.Count, writable: false)
                : new MemoryStream(payload.ToArray(), writable: false);
            return DecodeResult<T>.Ok(ProtocolModel.Instance.Deserialize<T>(stream));
        }
        catch (Exception ex) when (ex is ProtoException or EndOfStreamException or InvalidOperationException or OverflowException or ArgumentException)
        {
            return DecodeResult<T>.Fail(DecodeError.Malformed, ex.Message);
        }
    }

    /// <summary>Decodes an uplink envelope and checks what the schema cannot: identity, sequence and exactly one payload.</summary>
    public static DecodeResult<Envelope> DecodeUplink(ReadOnlyMemory<byte> payload, int maxBytes = MaxUplinkBytes)
    {
        var decoded = Decode<Envelope>(payload, maxBytes);
        if (!decoded.IsSuccess)
            return decoded;
        var envelope = decoded.Value!;
        if (!Topics.IsValidDeviceId(envelope.DeviceId))
            return DecodeResult<Envelope>.Fail(DecodeError.Invalid, "Envelope has no valid device id.");
        if (envelope.Sequence == 0)
            return DecodeResult<Envelope>.Fail(DecodeError.Invalid, "Envelope sequence must be 1 or more.");
        if (envelope.LowestRetainedSequence > envelope.Sequence)
            return DecodeResult<Envelope>.Fail(DecodeError.Invalid, "Envelope claims a lowest retained sequence above its own.");
        if (envelope.SchemaVersion < 1 || envelope.SchemaVersion > Envelope.CurrentSchemaVersion)
            return DecodeResult<Envelope>.Fail(DecodeError.UnsupportedSchema, $"Schema version {envelope.SchemaVersion} is not supported.");
        if (envelope.Kind is null)
            return DecodeResult<Envelope>.Fail(DecodeError.Invalid, "Envelope must carry exactly one payload.");
        return decoded;
    }
}

public enum DecodeError
{
    None = 0,
    TooLarge,
    Malformed,
    Invalid,
    UnsupportedSchema,
}

public readonly record struct DecodeResult<T>(T? Value, DecodeError Error, string? Detail) where T : class
{
    public bool IsSuccess => Error == DecodeError.None;

    public static DecodeResult<T> Ok(T value) => new(value, DecodeError.None, null);

    public static DecodeResult<T> Fail(DecodeError error, string detail) => new(null, error, detail);
}
