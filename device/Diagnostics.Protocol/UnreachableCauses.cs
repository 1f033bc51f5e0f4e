namespace Diagnostics.Protocol;

/// <summary>
/// Why an agent cannot read its device, as a class: the code of the DEVICE_UNREACHABLE condition it reports is
/// <c>agent:unreachable-{class}</c>, so the knowledge base can hold an article per class and the cloud can say what to do.
/// The words that go with it ("connection refused on port 631") travel in the condition's message and the status's
/// state message.
/// </summary>
public static class UnreachableCauses
{
    public const string CodePrefix = "agent:unreachable-";

    /// <summary>The code for a cause no collector named (a board's I/O error, a bug): the one agents reported before causes had classes.</summary>
    public const string GenericCode = "agent:device-unreachable";

    /// <summary>Connection refused: the host is up, nothing accepts connections on the port.</summary>
    public const string Refused = "refused";
    /// <summary>No answer in time: no connection (off, firewall) or a connection that never answered.</summary>
    public const string Timeout = "timeout";
    public const string NameNotFound = "name-not-found";
    public const string NoRoute = "no-route";
    public const string ConnectionLost = "connection-lost";
    public const string Tls = "tls";
    /// <summary>An HTTP status other than 2xx instead of an IPP answer.</summary>
    public const string HttpError = "http-error";
    /// <summary>An answer that does not decode as IPP (HTML, garbage, an empty body).</summary>
    public const string NotIpp = "not-ipp";
    public const string Truncated = "truncated";
    public const string Oversized = "oversized";
    /// <summary>An IPP answer whose status-code is an error (RFC 8011 appendix B).</summary>
    public const string IppError = "ipp-error";
    public const string SnmpSilent = "snmp-silent";
    public const string SnmpError = "snmp-error";
    /// <summary>The SNMP agent answers but lists no printer (RFC 2790 hrPrinterTable empty).</summary>
    public const string NotAPrinter = "not-a-printer";
    public const string Other = "other";

    public static IReadOnlyList<string> All { get; } =
        [Refused, Timeout, NameNotFound, NoRoute, ConnectionLost, Tls, HttpError, NotIpp, Truncated, Oversized, IppError, SnmpSilent, SnmpError, NotAPrinter, Other];

    /// <summary>The condition code for a cause class; <see cref="GenericCode"/> for <see cref="Other"/>.</summary>
    public static string CodeOf(string cause) => cause == Other ? GenericCode : CodePrefix + cause;

    /// <summary>The cause class a condition code names, or null when it is not an <c>agent:unreachable-</c> code.</summary>
    public static string? CauseOf(string? code) =>
        code is not null && code.StartsWith(CodePrefix, StringComparison.Ordinal) ? code[CodePrefix.Length..] : null;
}
