using System.Buffers.Binary;
using System.Text;

namespace Diagnostics.Agent.Collectors.Ipp;

public enum IppDecodeError
{
    None = 0,
    /// <summary>Larger than the caller's limit; nothing was parsed.</summary>
    TooLarge,
    /// <summary>The input ends inside the header, an attribute, or before end-of-attributes.</summary>
    Truncated,
    /// <summary>A value's length does not fit its tag (an integer of 3 octets, a dateTime of 10 ...).</summary>
    BadValueLength,
    /// <summary>Well-formed octets in an impossible order: a value outside any group, an unbalanced collection ...</summary>
    Malformed,
    /// <summary>Collections nested deeper than the limit.</summary>
    TooDeep,
}

/// <summary>A decoded message, or why there is none.</summary>
public readonly record struct IppDecodeResult(IppMessage? Message, IppDecodeError Error, string Detail)
{
    public bool IsSuccess => Message is not null;

    internal static IppDecodeResult Fail(IppDecodeError error, string detail) => new(null, error, detail);
}

/// <summary>
/// RFC 8010 encoding of IPP messages. Pure: bytes in, a message or a typed error out; no I/O, and decoding never
/// throws nor allocates more than the input it was given (every length is checked against what is left).
/// </summary>
public static class IppCodec
{
    public const int DefaultMaxMessageBytes = 1024 * 1024;
    public const int MaxCollectionDepth = 16;
    private const int HeaderLength = 8;

    public static byte[] Encode(IppMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var buffer = new MemoryStream();
        buffer.WriteByte(message.VersionMajor);
        buffer.WriteByte(message.VersionMinor);
        WriteInt16(buffer, message.Code);
        WriteInt32(buffer, message.RequestId);
        foreach (var group in message.Groups)
        {
            if (group.Tag == IppGroupTag.EndOfAttributes)
                throw new ArgumentException("end-of-attributes is written by the codec, not a group.", nameof(message));
            buffer.WriteByte((byte)group.Tag);
            foreach (var attribute in group.Attributes)
                WriteAttribute(buffer, attribute);
        }
        buffer.WriteByte((byte)IppGroupTag.EndOfAttributes);
        buffer.Write(message.Data.Span);
        return buffer.ToArray();
    }

    public static IppDecodeResult Decode(ReadOnlySpan<byte> input, int maxBytes = DefaultMaxMessageBytes)
    {
        if (input.Length > maxBytes)
            return IppDecodeResult.Fail(IppDecodeError.TooLarge, $"Message of {input.Length} bytes exceeds the limit of {maxBytes}.");
        if (input.Length < HeaderLength)
            return IppDecodeResult.Fail(IppDecodeError.Truncated, $"Message of {input.Length} bytes is shorter than the {HeaderLength}-byte header.");
        var reader = new Reader(input) { Position = HeaderLength };
        var groups = new List<IppAttributeGroup>();
        List<IppAttribute>? attributes = null;
        IppGroupTag groupTag = default;
        while (true)
        {
            if (!reader.TryPeek(out var tag))
                return IppDecodeResult.Fail(IppDecodeError.Truncated, "The message ends before end-of-attributes.");
            if (tag < 0x10)
            {
                reader.Position++;
                if (attributes is not null)
                    groups.Add(new IppAttributeGroup(groupTag, attributes));
                if (tag == (byte)IppGroupTag.EndOfAttributes)
                    break;
                groupTag = (IppGroupTag)tag;
                attributes = [];
                continue;
            }
            if (attributes is null)
                return IppDecodeResult.Fail(IppDecodeError.Malformed, $"Value tag 0x{tag:X2} at offset {reader.Position} is outside any attribute group.");
            var error = ReadAttributeOrAdditionalValue(ref reader, attributes, depth: 0);
            if (error is not null)
                return error.Value;
        }
        var message = new IppMessage(
            input[0], input[1], BinaryPrimitives.ReadInt16BigEndian(input[2..]), BinaryPrimitives.ReadInt32BigEndian(input[4..]), groups)
        {
            Data = input[reader.Position..].ToArray(),
        };
        return new IppDecodeResult(message, IppDecodeError.None, "");
    }

    // Reads one (tag, name, value) at the reader; an empty name adds a value to the previous attribute (1setOf).
    private static IppDecodeResult? ReadAttributeOrAdditionalValue(ref Reader reader, List<IppAttribute> attributes, int depth)
    {
        var at = reader.Position;
        if (!reader.TryReadField(out var tag, out var name, out var value))
            return IppDecodeResult.Fail(IppDecodeError.Truncated, $"Attribute at offset {at} runs past the end of the message.");
        var parsed = tag == (byte)IppValueTag.BegCollection
            ? ReadCollection(ref reader, depth + 1)
            : ReadValue(tag, value, at);
        if (parsed.Error is not null)
            return parsed.Error;
        if (name.Length == 0)
        {
            if (attributes.Count == 0)
                return IppDecodeResult.Fail(IppDecodeError.Malformed, $"Additional value at offset {at} has no attribute before it.");
            // Appended in place: copying the values for each additional one made a 100 KB 1setOf cost 1.6 GB.
            ((List<IppValue>)attributes[^1].Values).Add(parsed.Value!);
        }
        else
        {
            attributes.Add(new IppAttribute(Encoding.UTF8.GetString(name), new List<IppValue> { parsed.Value! }));
        }
        return null;
    }

    private static (IppValue? Value, IppDecodeResult? Error) ReadCollection(ref Reader reader, int depth)
    {
        if (depth > MaxCollectionDepth)
            return (null, IppDecodeResult.Fail(IppDecodeError.TooDeep, $"Collections nested deeper than {MaxCollectionDepth}."));
        var members = new List<IppAttribute>();
        string? pendingMemberName = null;
        while (true)
        {
            var at = reader.Position;
            if (!reader.TryPeek(out var tag))
                return (null, IppDecodeResult.Fail(IppDecodeError.Truncated, "The message ends inside a collection."));
            if (tag < 0x10)
                return (null, IppDecodeResult.Fail(IppDecodeError.Malformed, $"Delimiter 0x{tag:X2} at offset {at} inside a collection."));
            if (tag == (byte)IppValueTag.EndCollection)
            {
                if (!reader.TryReadField(out _, out _, out _))
                    return (null, IppDecodeResult.Fail(IppDecodeError.Truncated, $"endCollection at offset {at} runs past the end."));
                if (pendingMemberName is not null)
                    return (null, IppDecodeResult.Fail(IppDecodeError.Malformed, $"Member '{pendingMemberName}' has no value."));
                return (new IppCollectionValue(members), null);
            }
            if (tag == (byte)IppValueTag.MemberAttrName)
            {
                if (!reader.TryReadField(out _, out _, out var memberName))
                    return (null, IppDecodeResult.Fail(IppDecodeError.Truncated, $"memberAttrName at offset {at} runs past the end."));
                if (pendingMemberName is not null)
                    return (null, IppDecodeResult.Fail(IppDecodeError.Malformed, $"Member '{pendingMemberName}' has no value."));
                pendingMemberName = Encoding.UTF8.GetString(memberName);
                continue;
            }
            if (pendingMemberName is not null)
            {
                // The member's first value: give it the pending name so the shared reader treats it as a new attribute.
                var before = members.Count;
                var error = ReadMemberValue(ref reader, members, pendingMemberName, depth);
                if (error is not null)
                    return (null, error);
                pendingMemberName = null;
                if (members.Count == before)
                    return (null, IppDecodeResult.Fail(IppDecodeError.Malformed, $"Member at offset {at} has no value."));
                continue;
            }
            if (members.Count == 0)
                return (null, IppDecodeResult.Fail(IppDecodeError.Malformed, $"Value at offset {at} in a collection has no memberAttrName before it."));
            var additional = ReadAttributeOrAdditionalValue(ref reader, members, depth);
            if (additional is not null)
                return (null, additional);
        }
    }

    private static IppDecodeResult? ReadMemberValue(ref Reader reader, List<IppAttribute> members, string memberName, int depth)
    {
        var at = reader.Position;
        if (!reader.TryReadField(out var tag, out _, out var value))
            return IppDecodeResult.Fail(IppDecodeError.Truncated, $"Member value at offset {at} runs past the end of the message.");
        var parsed = tag == (byte)IppValueTag.BegCollection ? ReadCollection(ref reader, depth + 1) : ReadValue(tag, value, at);
        if (parsed.Error is not null)
            return parsed.Error;
        members.Add(new IppAttribute(memberName, new List<IppValue> { parsed.Value! }));
        return null;
    }

    private static (IppValue? Value, IppDecodeResult? Error) ReadValue(byte tag, ReadOnlySpan<byte> value, int at)
    {
        var length = value.Length;
        (IppValue?, IppDecodeResult?) BadLength(string type) =>
            (null, IppDecodeResult.Fail(IppDecodeError.BadValueLength, $"{type} at offset {at} has {length} octets."));

        switch ((IppValueTag)tag)
        {
            case IppValueTag.Integer or IppValueTag.Enum:
                return value.Length == 4 ? (new IppIntegerValue((IppValueTag)tag, BinaryPrimitives.ReadInt32BigEndian(value)), null) : BadLength("integer");
            case IppValueTag.Boolean:
                return value.Length == 1 ? (new IppBooleanValue(value[0] != 0), null) : BadLength("boolean");
            case IppValueTag.DateTime:
                if (value.Length != 11)
                    return BadLength("dateTime");
                return TryReadDateTime(value, out var dateTime)
                    ? (new IppDateTimeValue(dateTime), null)
                    : (null, IppDecodeResult.Fail(IppDecodeError.Malformed, $"dateTime at offset {at} is not a valid date."));
            case IppValueTag.Resolution:
                return value.Length == 9
                    ? (new IppResolutionValue(BinaryPrimitives.ReadInt32BigEndian(value), BinaryPrimitives.ReadInt32BigEndian(value[4..]), (IppResolutionUnits)value[8]), null)
                    : BadLength("resolution");
            case IppValueTag.RangeOfInteger:
                return value.Length == 8
                    ? (new IppRangeValue(BinaryPrimitives.ReadInt32BigEndian(value), BinaryPrimitives.ReadInt32BigEndian(value[4..])), null)
                    : BadLength("rangeOfInteger");
            case IppValueTag.TextWithLanguage or IppValueTag.NameWithLanguage:
                return TryReadWithLanguage(value, out var language, out var text)
                    ? (new IppStringWithLanguageValue((IppValueTag)tag, language, text), null)
                    : BadLength("textWithLanguage");
            case IppValueTag.EndCollection or IppValueTag.MemberAttrName:
                return (null, IppDecodeResult.Fail(IppDecodeError.Malformed, $"Tag 0x{tag:X2} at offset {at} outside a collection."));
        }
        if (tag is >= 0x10 and <= 0x1F && value.Length == 0)
            return (new IppOutOfBandValue((IppValueTag)tag), null);
        if (tag is >= 0x40 and <= 0x5F && Enum.IsDefined((IppValueTag)tag))
            return (new IppStringValue((IppValueTag)tag, Encoding.UTF8.GetString(value)), null);
        // octetString, and every tag we do not know: kept raw, so forwarding or re-encoding loses nothing.
        return (new IppOctetsValue((IppValueTag)tag, value.ToArray()), null);
    }

    private static bool TryReadWithLanguage(ReadOnlySpan<byte> value, out string language, out string text)
    {
        language = text = "";
        if (value.Length < 4)
            return false;
        var languageLength = BinaryPrimitives.ReadUInt16BigEndian(value);
        if (2 + languageLength + 2 > value.Length)
            return false;
        var textLength = BinaryPrimitives.ReadUInt16BigEndian(value[(2 + languageLength)..]);
        if (2 + languageLength + 2 + textLength != value.Length)
            return false;
        language = Encoding.UTF8.GetString(value.Slice(2, languageLength));
        text = Encoding.UTF8.GetString(value.Slice(4 + languageLength, textLength));
        return true;
    }

    private static bool TryReadDateTime(ReadOnlySpan<byte> value, out DateTimeOffset dateTime)
    {
        dateTime = default;
        int year = BinaryPrimitives.ReadUInt16BigEndian(value), month = value[2], day = value[3], hour = value[4], minute = value[5], second = value[6], deciseconds = value[7];
        int offsetHours = value[9], offsetMinutes = value[10];
        var sign = value[8];
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59
            || second > 60 || deciseconds > 9 || (sign != '+' && sign != '-') || offsetHours > 14 || offsetMinutes > 59)
            return false;
        // Leap second 60 is legal in RFC 2579; DateTime has none, so it reads as :59.
        var offset = new TimeSpan(offsetHours, offsetMinutes, 0) * (sign == '-' ? -1 : 1);
        var local = new DateTime(year, month, day, hour, minute, Math.Min(second, 59), deciseconds * 100, DateTimeKind.Unspecified);
        // DateTimeOffset holds offsets up to 14:00 and UTC times within the years 1 to 9999; outside, it throws.
        var utcTicks = local.Ticks - offset.Ticks;
        if (offset.Duration() > TimeSpan.FromHours(14) || utcTicks < 0 || utcTicks > DateTime.MaxValue.Ticks)
            return false;
        dateTime = new DateTimeOffset(local, offset);
        return true;
    }

    private static void WriteAttribute(MemoryStream buffer, IppAttribute attribute)
    {
        if (attribute.Values.Count == 0)
            throw new ArgumentException($"Attribute '{attribute.Name}' has no value.", nameof(attribute));
        for (var i = 0; i < attribute.Values.Count; i++)
            WriteValue(buffer, i == 0 ? attribute.Name : "", attribute.Values[i]);
    }

    private static void WriteValue(MemoryStream buffer, string name, IppValue value)
    {
        if (value is IppCollectionValue collection)
        {
            WriteField(buffer, (byte)IppValueTag.BegCollection, name, []);
            foreach (var member in collection.Members)
            {
                WriteField(buffer, (byte)IppValueTag.MemberAttrName, "", Encoding.UTF8.GetBytes(member.Name));
                foreach (var memberValue in member.Values)
                    WriteValue(buffer, "", memberValue);
            }
            WriteField(buffer, (byte)IppValueTag.EndCollection, "", []);
            return;
        }
        WriteField(buffer, (byte)value.Tag, name, ValueBytes(value));
    }

    private static byte[] ValueBytes(IppValue value)
    {
        switch (value)
        {
            case IppIntegerValue integer:
                var four = new byte[4];
                BinaryPrimitives.WriteInt32BigEndian(four, integer.Value);
                return four;
            case IppBooleanValue boolean:
                return [boolean.Value ? (byte)1 : (byte)0];
            case IppStringValue text:
                return Encoding.UTF8.GetBytes(text.Value);
            case IppStringWithLanguageValue text:
                var language = Encoding.UTF8.GetBytes(text.Language);
                var body = Encoding.UTF8.GetBytes(text.Value);
                var combined = new byte[4 + language.Length + body.Length];
                BinaryPrimitives.WriteUInt16BigEndian(combined, checked((ushort)language.Length));
                language.CopyTo(combined, 2);
                BinaryPrimitives.WriteUInt16BigEndian(combined.AsSpan(2 + language.Length), checked((ushort)body.Length));
                body.CopyTo(combined, 4 + language.Length);
                return combined;
            case IppOctetsValue octets:
                return octets.Value.ToArray();
            case IppDateTimeValue { Value: var d }:
                var eleven = new byte[11];
                BinaryPrimitives.WriteUInt16BigEndian(eleven, (ushort)d.Year);
                (eleven[2], eleven[3], eleven[4], eleven[5], eleven[6], eleven[7]) =
                    ((byte)d.Month, (byte)d.Day, (byte)d.Hour, (byte)d.Minute, (byte)d.Second, (byte)(d.Millisecond / 100));
                eleven[8] = d.Offset < TimeSpan.Zero ? (byte)'-' : (byte)'+';
                (eleven[9], eleven[10]) = ((byte)Math.Abs(d.Offset.Hours), (byte)Math.Abs(d.Offset.Minutes));
                return eleven;
            case IppResolutionValue resolution:
                var nine = new byte[9];
                BinaryPrimitives.WriteInt32BigEndian(nine, resolution.CrossFeed);
                BinaryPrimitives.WriteInt32BigEndian(nine.AsSpan(4), resolution.Feed);
                nine[8] = (byte)resolution.Units;
                return nine;
            case IppRangeValue range:
                var eight = new byte[8];
                BinaryPrimitives.WriteInt32BigEndian(eight, range.Lower);
                BinaryPrimitives.WriteInt32BigEndian(eight.AsSpan(4), range.Upper);
                return eight;
            case IppOutOfBandValue:
                return [];
            default:
                throw new ArgumentException($"Cannot encode {value.GetType().Name}.", nameof(value));
        }
    }

    private static void WriteField(MemoryStream buffer, byte tag, string name, ReadOnlySpan<byte> value)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        if (nameBytes.Length > short.MaxValue || value.Length > short.MaxValue)
            throw new ArgumentException($"Attribute '{name}' is longer than IPP allows (32767 octets).", nameof(value));
        buffer.WriteByte(tag);
        WriteInt16(buffer, (short)nameBytes.Length);
        buffer.Write(nameBytes);
        WriteInt16(buffer, (short)value.Length);
        buffer.Write(value);
    }

    private static void WriteInt16(MemoryStream buffer, short value)
    {
        Span<byte> two = stackalloc byte[2];
        BinaryPrimitives.WriteInt16BigEndian(two, value);
        buffer.Write(two);
    }

    private static void WriteInt32(MemoryStream buffer, int value)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, value);
        buffer.Write(four);
    }

    /// <summary>A cursor over the input; every read checks the remaining length first.</summary>
    private ref struct Reader(ReadOnlySpan<byte> input)
    {
        private readonly ReadOnlySpan<byte> _input = input;

        public int Position { get; set; }

        public readonly bool TryPeek(out byte tag)
        {
            tag = Position < _input.Length ? _input[Position] : (byte)0;
            return Position < _input.Length;
        }

        /// <summary>tag, name-length, name, value-length, value; false (and the position unchanged) when it does not fit.</summary>
        public bool TryReadField(out byte tag, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
        {
            tag = 0;
            name = value = default;
            var rest = _input[Position..];
            if (rest.Length < 3)
                return false;
            var nameLength = BinaryPrimitives.ReadUInt16BigEndian(rest[1..]);
            if (rest.Length < 3 + nameLength + 2)
                return false;
            var valueLength = BinaryPrimitives.ReadUInt16BigEndian(rest[(3 + nameLength)..]);
            var total = 3 + nameLength + 2 + valueLength;
            if (rest.Length < total)
                return false;
            tag = rest[0];
            name = rest.Slice(3, nameLength);
            value = rest.Slice(5 + nameLength, valueLength);
            Position += total;
            return true;
        }
    }
}
