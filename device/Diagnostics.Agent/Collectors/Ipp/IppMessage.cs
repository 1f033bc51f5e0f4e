namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>One value of an IPP attribute; the subtype says how it travels on the wire.</summary>
public abstract record IppValue(IppValueTag Tag);

/// <summary>integer or enum.</summary>
public sealed record IppIntegerValue(IppValueTag Tag, int Value) : IppValue(Tag);

public sealed record IppBooleanValue(bool Value) : IppValue(IppValueTag.Boolean);

/// <summary>Every character-string type without a language: text, name, keyword, uri, charset, mimeMediaType ...</summary>
public sealed record IppStringValue(IppValueTag Tag, string Value) : IppValue(Tag);

/// <summary>textWithLanguage or nameWithLanguage.</summary>
public sealed record IppStringWithLanguageValue(IppValueTag Tag, string Language, string Value) : IppValue(Tag);

/// <summary>octetString, and any tag this codec does not know, kept raw so nothing is lost.</summary>
public sealed record IppOctetsValue(IppValueTag Tag, ReadOnlyMemory<byte> Value) : IppValue(Tag)
{
    public bool Equals(IppOctetsValue? other) => other is not null && Tag == other.Tag && Value.Span.SequenceEqual(other.Value.Span);

    public override int GetHashCode() => HashCode.Combine(Tag, Value.Length);
}

/// <summary>RFC 2579 DateAndTime, to the decisecond, with its UTC offset.</summary>
public sealed record IppDateTimeValue(DateTimeOffset Value) : IppValue(IppValueTag.DateTime);

public sealed record IppResolutionValue(int CrossFeed, int Feed, IppResolutionUnits Units) : IppValue(IppValueTag.Resolution);

public sealed record IppRangeValue(int Lower, int Upper) : IppValue(IppValueTag.RangeOfInteger);

public sealed record IppCollectionValue(IReadOnlyList<IppAttribute> Members) : IppValue(IppValueTag.BegCollection)
{
    public bool Equals(IppCollectionValue? other) => other is not null && Members.SequenceEqual(other.Members);

    public override int GetHashCode() => Members.Count;
}

/// <summary>unsupported, unknown, no-value and the other out-of-band tags: a tag without a value.</summary>
public sealed record IppOutOfBandValue(IppValueTag Tag) : IppValue(Tag);

/// <summary>A named attribute with one value, or several (1setOf).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "RFC 8010's own term.")]
public sealed record IppAttribute(string Name, IReadOnlyList<IppValue> Values)
{
    public IppAttribute(string name, params IppValue[] values) : this(name, (IReadOnlyList<IppValue>)values) { }

    public bool Equals(IppAttribute? other) => other is not null && Name == other.Name && Values.SequenceEqual(other.Values);

    public override int GetHashCode() => HashCode.Combine(Name, Values.Count);

    /// <summary>The values that carry text (any string type, with or without language; octetString as UTF-8).</summary>
    public IEnumerable<string> Strings => Values.Select(v => v switch
    {
        IppStringValue s => s.Value,
        IppStringWithLanguageValue s => s.Value,
        IppOctetsValue { Tag: IppValueTag.OctetString } o => System.Text.Encoding.UTF8.GetString(o.Value.Span),
        _ => null,
    }).OfType<string>();

    /// <summary>The integer and enum values.</summary>
    public IEnumerable<int> Integers => Values.OfType<IppIntegerValue>().Select(v => v.Value);
}

public sealed record IppAttributeGroup(IppGroupTag Tag, IReadOnlyList<IppAttribute> Attributes)
{
    public bool Equals(IppAttributeGroup? other) => other is not null && Tag == other.Tag && Attributes.SequenceEqual(other.Attributes);

    public override int GetHashCode() => HashCode.Combine(Tag, Attributes.Count);
}

/// <summary>
/// An IPP request or response (RFC 8010 3.1.1). <see cref="Code"/> is the operation-id in a request and the
/// status-code in a response; <see cref="Data"/> is whatever follows the end-of-attributes tag (a document).
/// </summary>
public sealed record IppMessage(byte VersionMajor, byte VersionMinor, short Code, int RequestId, IReadOnlyList<IppAttributeGroup> Groups)
{
    public ReadOnlyMemory<byte> Data { get; init; }

    public bool Equals(IppMessage? other) =>
        other is not null && VersionMajor == other.VersionMajor && VersionMinor == other.VersionMinor && Code == other.Code
        && RequestId == other.RequestId && Groups.SequenceEqual(other.Groups) && Data.Span.SequenceEqual(other.Data.Span);

    public override int GetHashCode() => HashCode.Combine(Code, RequestId, Groups.Count);

    /// <summary>successful-ok and its -ignored-or-substituted / -conflicting siblings (0x0000-0x00FF).</summary>
    public bool IsSuccessStatus => Code is >= 0 and <= 0xFF;

    /// <summary>The first attribute of that name in a group of that tag, or in any group when the tag is null.</summary>
    public IppAttribute? Find(string name, IppGroupTag? group = null) =>
        Groups.Where(g => group is null || g.Tag == group).SelectMany(g => g.Attributes).FirstOrDefault(a => a.Name == name);
}
