using System.Buffers;

namespace Diagnostics.Agent.Collectors.Snmp.Ber;

/// <summary>
/// BER encoding and decoding of SNMPv1/v2c messages (RFC 1157, RFC 3416 framing). Pure: bytes in, a message or a
/// typed error out. The decoder walks the fixed SNMP grammar (no generic recursion, so nesting cannot run deep) and
/// checks every length against the bytes that remain before allocating, so hostile input costs at most its own size.
/// </summary>
public static class SnmpCodec
{
    /// <summary>The largest message the decoder accepts unless told otherwise (RFC 3417 asks for at least 484).</summary>
    public const int DefaultMaxMessageBytes = 65_507;

    private const byte SequenceTag = 0x30;
    private const byte IntegerTag = 0x02;
    private const byte OctetStringTag = 0x04;

    public static byte[] Encode(SnmpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var pdu = new ArrayBufferWriter<byte>();
        WriteInteger(pdu, IntegerTag, message.RequestId);
        WriteInteger(pdu, IntegerTag, message.ErrorStatus);
        WriteInteger(pdu, IntegerTag, message.ErrorIndex);
        var list = new ArrayBufferWriter<byte>();
        foreach (var varBind in message.VarBinds)
        {
            var item = new ArrayBufferWriter<byte>();
            WriteOid(item, varBind.Oid);
            WriteValue(item, varBind.Value);
            WriteTlv(list, SequenceTag, item.WrittenSpan);
        }
        WriteTlv(pdu, SequenceTag, list.WrittenSpan);

        var body = new ArrayBufferWriter<byte>();
        WriteInteger(body, IntegerTag, message.Version);
        WriteTlv(body, OctetStringTag, message.Community);
        WriteTlv(body, (byte)message.PduType, pdu.WrittenSpan);
        var whole = new ArrayBufferWriter<byte>();
        WriteTlv(whole, SequenceTag, body.WrittenSpan);
        return whole.WrittenSpan.ToArray();
    }

    public static SnmpDecodeResult Decode(ReadOnlySpan<byte> input, int maxMessageBytes = DefaultMaxMessageBytes)
    {
        if (input.Length > maxMessageBytes)
            return SnmpDecodeResult.Fail(SnmpDecodeError.TooLarge, 0);
        var reader = new BerReader(input);
        var message = DecodeMessage(ref reader);
        return message ?? SnmpDecodeResult.Fail(reader.Error, reader.ErrorOffset);
    }

    private static SnmpDecodeResult? DecodeMessage(ref BerReader reader)
    {
        if (!reader.Enter(SequenceTag, out var messageEnd)
            || !reader.ReadInteger(IntegerTag, out var version)
            || !reader.ReadBytes(OctetStringTag, out var community))
            return null;
        var pduOffset = reader.Offset;
        if (!reader.PeekTag(out var pduTag))
            return null;
        if (pduTag is not ((byte)SnmpPduType.GetRequest or (byte)SnmpPduType.GetNextRequest or (byte)SnmpPduType.GetResponse
            or (byte)SnmpPduType.SetRequest or (byte)SnmpPduType.GetBulkRequest))
            return SnmpDecodeResult.Fail(SnmpDecodeError.UnexpectedTag, pduOffset);
        if (!reader.Enter(pduTag, out var pduEnd)
            || !reader.ReadInteger(IntegerTag, out var requestId)
            || !reader.ReadInteger(IntegerTag, out var errorStatus)
            || !reader.ReadInteger(IntegerTag, out var errorIndex)
            || !reader.Enter(SequenceTag, out var listEnd))
            return null;
        if (version is < int.MinValue or > int.MaxValue || requestId is < int.MinValue or > int.MaxValue
            || errorStatus is < int.MinValue or > int.MaxValue || errorIndex is < int.MinValue or > int.MaxValue)
            return SnmpDecodeResult.Fail(SnmpDecodeError.BadValue, pduOffset);

        var varBinds = new List<VarBind>();
        while (reader.Offset < listEnd)
        {
            if (!reader.Enter(SequenceTag, out var itemEnd)
                || !reader.ReadOid(out var oid)
                || !reader.ReadValue(out var value)
                || !reader.Leave(itemEnd))
                return null;
            varBinds.Add(new VarBind(oid!, value!));
        }
        if (!reader.Leave(listEnd) || !reader.Leave(pduEnd) || !reader.Leave(messageEnd))
            return null;
        if (!reader.AtEnd)
            return SnmpDecodeResult.Fail(SnmpDecodeError.TrailingBytes, reader.Offset);
        return SnmpDecodeResult.Ok(new SnmpMessage(
            (int)version, community, (SnmpPduType)pduTag, (int)requestId, (int)errorStatus, (int)errorIndex, varBinds));
    }

    private static void WriteValue(IBufferWriter<byte> writer, SnmpValue value)
    {
        switch (value.Type)
        {
            case SnmpValueType.Integer32:
                WriteInteger(writer, IntegerTag, value.SignedValue);
                break;
            case SnmpValueType.OctetString or SnmpValueType.IpAddress or SnmpValueType.Opaque:
                WriteTlv(writer, (byte)value.Type, [.. value.Bytes]);
                break;
            case SnmpValueType.ObjectIdentifier:
                WriteOid(writer, value.ObjectId!);
                break;
            case SnmpValueType.Counter32 or SnmpValueType.Gauge32 or SnmpValueType.TimeTicks or SnmpValueType.Counter64:
                WriteUnsigned(writer, (byte)value.Type, value.UnsignedValue);
                break;
            default:
                // NULL and the three exceptions carry no content.
                WriteTlv(writer, (byte)value.Type, []);
                break;
        }
    }

    private static void WriteTlv(IBufferWriter<byte> writer, byte tag, ReadOnlySpan<byte> content)
    {
        Span<byte> header = stackalloc byte[6];
        header[0] = tag;
        var headerLength = 1;
        if (content.Length < 0x80)
        {
            header[headerLength++] = (byte)content.Length;
        }
        else
        {
            var octets = content.Length > 0xFFFFFF ? 4 : content.Length > 0xFFFF ? 3 : content.Length > 0xFF ? 2 : 1;
            header[headerLength++] = (byte)(0x80 | octets);
            for (var i = octets - 1; i >= 0; i--)
                header[headerLength++] = (byte)(content.Length >> (8 * i));
        }
        writer.Write(header[..headerLength]);
        writer.Write(content);
    }

    private static void WriteInteger(IBufferWriter<byte> writer, byte tag, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        for (var i = 0; i < 8; i++)
            bytes[i] = (byte)(value >> (8 * (7 - i)));
        // Minimal two's complement: drop a leading octet while the next one keeps the sign.
        var start = 0;
        while (start < 7 && ((bytes[start] == 0x00 && (bytes[start + 1] & 0x80) == 0) || (bytes[start] == 0xFF && (bytes[start + 1] & 0x80) != 0)))
            start++;
        WriteTlv(writer, tag, bytes[start..]);
    }

    private static void WriteUnsigned(IBufferWriter<byte> writer, byte tag, ulong value)
    {
        Span<byte> bytes = stackalloc byte[9];
        for (var i = 0; i < 8; i++)
            bytes[i + 1] = (byte)(value >> (8 * (7 - i)));
        var start = 0;
        while (start < 8 && bytes[start] == 0 && (bytes[start + 1] & 0x80) == 0)
            start++;
        WriteTlv(writer, tag, bytes[start..]);
    }

    private static void WriteOid(IBufferWriter<byte> writer, Oid oid)
    {
        var parts = oid.Parts;
        var content = new ArrayBufferWriter<byte>();
        WriteSubIdentifier(content, (parts[0] * 40UL) + parts[1]);
        for (var i = 2; i < parts.Length; i++)
            WriteSubIdentifier(content, parts[i]);
        WriteTlv(writer, (byte)SnmpValueType.ObjectIdentifier, content.WrittenSpan);
    }

    private static void WriteSubIdentifier(IBufferWriter<byte> writer, ulong value)
    {
        Span<byte> bytes = stackalloc byte[10];
        var count = 0;
        do
        {
            bytes[count++] = (byte)(value & 0x7F);
            value >>= 7;
        }
        while (value != 0);
        Span<byte> ordered = stackalloc byte[count];
        for (var i = 0; i < count; i++)
            ordered[i] = (byte)(bytes[count - 1 - i] | (i < count - 1 ? 0x80 : 0));
        writer.Write(ordered);
    }

    /// <summary>Reads TLVs from a span; the first failure is kept with its offset and every later call fails.</summary>
    private ref struct BerReader(ReadOnlySpan<byte> input)
    {
        private readonly ReadOnlySpan<byte> _input = input;

        public int Offset { get; private set; }

        public SnmpDecodeError Error { get; private set; }

        public int ErrorOffset { get; private set; }

        public readonly bool AtEnd => Offset == _input.Length;

        public bool PeekTag(out byte tag)
        {
            tag = 0;
            if (Offset >= _input.Length)
                return Fail(SnmpDecodeError.Truncated);
            tag = _input[Offset];
            return true;
        }

        /// <summary>Reads the header of a constructed element and returns where its content ends.</summary>
        public bool Enter(byte expectedTag, out int end)
        {
            end = 0;
            if (!ReadHeader(expectedTag, out var length))
                return false;
            end = Offset + length;
            return true;
        }

        public bool Leave(int end)
        {
            if (Offset != end)
                return Fail(SnmpDecodeError.TrailingBytes);
            return true;
        }

        public bool ReadInteger(byte expectedTag, out long value)
        {
            value = 0;
            if (!ReadContent(expectedTag, out var content))
                return false;
            if (content.Length is 0 or > 8)
                return Fail(SnmpDecodeError.BadValue);
            value = (sbyte)content[0];
            for (var i = 1; i < content.Length; i++)
                value = (value << 8) | content[i];
            return true;
        }

        public bool ReadBytes(byte expectedTag, out byte[] value)
        {
            value = [];
            if (!ReadContent(expectedTag, out var content))
                return false;
            value = content.ToArray();
            return true;
        }

        public bool ReadOid(out Oid? oid)
        {
            oid = null;
            return ReadContent((byte)SnmpValueType.ObjectIdentifier, out var content) && DecodeOid(content, out oid);
        }

        public bool ReadValue(out SnmpValue? value)
        {
            value = null;
            if (!PeekTag(out var tag))
                return false;
            var type = (SnmpValueType)tag;
            if (!ReadContent(tag, out var content))
                return false;
            switch (type)
            {
                case SnmpValueType.Integer32:
                    if (content.Length is 0 or > 4)
                        return Fail(SnmpDecodeError.BadValue);
                    long number = (sbyte)content[0];
                    for (var i = 1; i < content.Length; i++)
                        number = (number << 8) | content[i];
                    value = SnmpValue.FromDecodedInteger(number);
                    return true;
                case SnmpValueType.OctetString or SnmpValueType.Opaque:
                    value = SnmpValue.FromDecodedBytes(type, content.ToArray());
                    return true;
                case SnmpValueType.IpAddress:
                    if (content.Length != 4)
                        return Fail(SnmpDecodeError.BadValue);
                    value = SnmpValue.FromDecodedBytes(type, content.ToArray());
                    return true;
                case SnmpValueType.Counter32 or SnmpValueType.Gauge32 or SnmpValueType.TimeTicks or SnmpValueType.Counter64:
                    if (!DecodeUnsigned(content, type == SnmpValueType.Counter64 ? 8 : 4, out var unsigned))
                        return Fail(SnmpDecodeError.BadValue);
                    value = SnmpValue.FromDecodedUnsigned(type, unsigned);
                    return true;
                case SnmpValueType.ObjectIdentifier:
                    if (!DecodeOid(content, out var oid))
                        return false;
                    value = SnmpValue.FromOid(oid!);
                    return true;
                case SnmpValueType.Null:
                    value = SnmpValue.Null;
                    return content.IsEmpty || Fail(SnmpDecodeError.BadValue);
                case SnmpValueType.NoSuchObject or SnmpValueType.NoSuchInstance or SnmpValueType.EndOfMibView:
                    value = SnmpValue.Exception(type);
                    return content.IsEmpty || Fail(SnmpDecodeError.BadValue);
                default:
                    return Fail(SnmpDecodeError.UnexpectedTag);
            }
        }

        private static bool DecodeUnsigned(ReadOnlySpan<byte> content, int maxOctets, out ulong value)
        {
            value = 0;
            // A leading zero octet is legal (it keeps the sign bit clear); anything longer does not fit.
            if (content.Length > 1 && content[0] == 0)
                content = content[1..];
            if (content.Length is 0 or > 8 || content.Length > maxOctets)
                return false;
            foreach (var octet in content)
                value = (value << 8) | octet;
            return true;
        }

        private bool DecodeOid(ReadOnlySpan<byte> content, out Oid? oid)
        {
            oid = null;
            if (content.IsEmpty)
                return Fail(SnmpDecodeError.BadObjectIdentifier);
            Span<uint> parts = stackalloc uint[Oid.MaxLength];
            var count = 0;
            ulong current = 0;
            var octetsInCurrent = 0;
            foreach (var octet in content)
            {
                current = (current << 7) | (uint)(octet & 0x7F);
                octetsInCurrent++;
                // Every encoded sub-identifier fits 32 bits, the first too (40 * X + Y): an Oid holds no 2.Y whose
                // encoding would not, so a first one over 2^32 - 1 is refused here rather than thrown by Oid.
                if (current > uint.MaxValue || octetsInCurrent > 5)
                    return Fail(SnmpDecodeError.BadObjectIdentifier);
                if ((octet & 0x80) != 0)
                    continue;
                if (count == 0)
                {
                    var first = current < 40 ? 0u : current < 80 ? 1u : 2u;
                    parts[count++] = first;
                    parts[count++] = (uint)(current - (first * 40UL));
                }
                else
                {
                    if (count == Oid.MaxLength)
                        return Fail(SnmpDecodeError.BadObjectIdentifier);
                    parts[count++] = (uint)current;
                }
                current = 0;
                octetsInCurrent = 0;
            }
            if (octetsInCurrent != 0)
                return Fail(SnmpDecodeError.BadObjectIdentifier);
            oid = new Oid(parts[..count]);
            return true;
        }

        private bool ReadContent(byte expectedTag, out ReadOnlySpan<byte> content)
        {
            content = default;
            if (!ReadHeader(expectedTag, out var length))
                return false;
            content = _input.Slice(Offset, length);
            Offset += length;
            return true;
        }

        private bool ReadHeader(byte expectedTag, out int length)
        {
            length = 0;
            if (Error != SnmpDecodeError.None)
                return false;
            if (Offset >= _input.Length)
                return Fail(SnmpDecodeError.Truncated);
            if (_input[Offset] != expectedTag)
                return Fail(SnmpDecodeError.UnexpectedTag);
            if (Offset + 1 >= _input.Length)
                return Fail(SnmpDecodeError.Truncated);
            var first = _input[Offset + 1];
            var position = Offset + 2;
            if (first < 0x80)
            {
                length = first;
            }
            else
            {
                // 0x80 is the indefinite form, which SNMP forbids; more than 4 length octets cannot fit a datagram.
                var octets = first & 0x7F;
                if (octets is 0 or > 4)
                    return Fail(SnmpDecodeError.BadLength);
                if (position + octets > _input.Length)
                    return Fail(SnmpDecodeError.Truncated);
                long value = 0;
                for (var i = 0; i < octets; i++)
                    value = (value << 8) | _input[position + i];
                position += octets;
                if (value > int.MaxValue)
                    return Fail(SnmpDecodeError.BadLength);
                length = (int)value;
            }
            if (length > _input.Length - position)
                return Fail(SnmpDecodeError.BadLength);
            Offset = position;
            return true;
        }

        private bool Fail(SnmpDecodeError error)
        {
            if (Error == SnmpDecodeError.None)
            {
                Error = error;
                ErrorOffset = Offset;
            }
            return false;
        }
    }
}
