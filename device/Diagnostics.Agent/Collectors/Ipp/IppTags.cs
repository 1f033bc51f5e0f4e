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
    public const short GetJobs = 0x000A;
    public const short PausePrinter = 0x0010;
    public const short ResumePrinter = 0x0011;
    public const short PurgeJobs = 0x0012;
    public const short CancelJobs = 0x0038;
    public const short IdentifyPrinter = 0x003C;
}

/// <summary>The IPP status codes the agent tells apart (RFC 8011 appendix B), with their names for messages.</summary>
public static class IppStatusCodes
{
    public const short ClientErrorNotPossible = 0x0404;
    public const short ServerErrorOperationNotSupported = 0x0501;

    /// <summary>RFC 8011's keyword for a status code, or its hex form when it is not one of the common ones.</summary>
    public static string Name(short code) => code switch
    {
        0x0400 => "client-error-bad-request",
        0x0401 => "client-error-forbidden",
        0x0402 => "client-error-not-authenticated",
        0x0403 => "client-error-not-authorized",
        ClientErrorNotPossible => "client-error-not-possible",
        0x0406 => "client-error-not-found",
        0x040B => "client-error-attributes-or-values-not-supported",
        0x0500 => "server-error-internal-error",
        ServerErrorOperationNotSupported => "server-error-operation-not-supported",
        0x0502 => "server-error-service-unavailable",
        0x0504 => "server-error-device-error",
        0x0505 => "server-error-temporary-error",
        0x0507 => "server-error-busy",
        _ => $"0x{code:X4}",
    };
}
