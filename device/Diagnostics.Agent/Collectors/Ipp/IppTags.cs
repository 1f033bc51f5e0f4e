namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>RFC 8010 delimiter tags: each starts an attribute group, except <see cref="EndOfAttributes"/>.</summary>
public enum IppGroupTag : byte
{
    Operation = 0x01,
    Job = 0x02,
    EndOfAttributes = 0x03,
    Printer = 0x04,
    Unsupported = 0x05,
    Subscription = 0x06,
    EventNotification = 0x07,
    Resource = 0x08,
    Document = 0x09,
    System = 0x0A,
}

/// <summary>RFC 8010 value tags (out-of-band 0x10-0x1F, integers 0x20-0x2F, octet strings 0x30-0x3F, character strings 0x40-0x5F).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "RFC 8010's tag names.")]
public enum IppValueTag : byte
{
    Unsupported = 0x10,
    Unknown = 0x12,
    NoValue = 0x13,
    Integer = 0x21,
    Boolean = 0x22,
    Enum = 0x23,
    OctetString = 0x30,
    DateTime = 0x31,
    Resolution = 0x32,
    RangeOfInteger = 0x33,
    BegCollection = 0x34,
    TextWithLanguage = 0x35,
    NameWithLanguage = 0x36,
    EndCollection = 0x37,
    TextWithoutLanguage = 0x41,
    NameWithoutLanguage = 0x42,
    Keyword = 0x44,
    Uri = 0x45,
    UriScheme = 0x46,
    Charset = 0x47,
    NaturalLanguage = 0x48,
    MimeMediaType = 0x49,
    MemberAttrName = 0x4A,
    /// <summary>The real tag is in the first four octets of the value (RFC 8010 3.5.2); kept raw.</summary>
    Extension = 0x7F,
}

public enum IppResolutionUnits : byte
{
    DotsPerInch = 3,
    DotsPerCentimeter = 4,
}

/// <summary>The IPP operations the agent uses or looks for in operations-supported.</summary>
public static class IppOperations
{
    public const short PrintJob = 0x0002;
    public const short GetPrinterAttributes = 0x000B;
    public const short CreatePrinterSubscriptions = 0x0016;
    public const short RenewSubscription = 0x001A;
    public const short CancelSubscription = 0x001B;
    public const short GetNotifications = 0x001C;
}
