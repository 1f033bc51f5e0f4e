namespace Diagnostics.Agent.Collectors.Snmp.Ber;

/// <summary>Why bytes are not a valid SNMP message.</summary>
public enum SnmpDecodeError
{
    None = 0,
    /// <summary>The input ends inside an element.</summary>
    Truncated,
    /// <summary>A length is indefinite, longer than 4 octets, or larger than what remains.</summary>
    BadLength,
    /// <summary>A tag other than the one the SNMP grammar expects here.</summary>
    UnexpectedTag,
    /// <summary>An integer too long for its type, an empty integer, or a bad IpAddress.</summary>
    BadValue,
    /// <summary>An OBJECT IDENTIFIER that is empty, unterminated, too long or has a sub-identifier over 32 bits.</summary>
    BadObjectIdentifier,
    /// <summary>Bytes left over after the message or inside a constructed element.</summary>
    TrailingBytes,
    /// <summary>The input is larger than the caller allows.</summary>
    TooLarge,
}

/// <summary>A decoded message, or the error and the offset where decoding stopped.</summary>
public readonly record struct SnmpDecodeResult(SnmpMessage? Message, SnmpDecodeError Error, int Offset)
{
    public bool Succeeded => Message is not null;

    public static SnmpDecodeResult Ok(SnmpMessage message) => new(message, SnmpDecodeError.None, 0);

    public static SnmpDecodeResult Fail(SnmpDecodeError error, int offset) => new(null, error, offset);

    public override string ToString() => Succeeded ? "ok" : $"{Error} at offset {Offset}";
}
