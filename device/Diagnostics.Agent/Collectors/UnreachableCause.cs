using System.Globalization;
using System.Net.Sockets;

namespace Diagnostics.Agent.Collectors;

/// <summary>
/// Why a collector could not read its device, in two forms: a stable class the knowledge base matches on
/// (<see cref="Code"/>, <c>agent:unreachable-not-ipp</c>) and the cause in plain words for the person reading the device
/// page ("connection refused on port 631"). Collectors put one on the exception they throw (<see cref="IUnreachableCause"/>);
/// <see cref="Of"/> reads it back, or makes a generic one for anything else.
/// </summary>
public sealed record UnreachableCause(string Class, string Words)
{
    public const string CodePrefix = "agent:unreachable-";

    /// <summary>The code for a cause no collector named (a board's I/O error, a bug): the one every agent reported before causes had classes.</summary>
    public const string GenericCode = "agent:device-unreachable";

    /// <summary>The condition code the telemetry pump reports: <c>agent:unreachable-{Class}</c>, or <see cref="GenericCode"/> for <see cref="Other"/>.</summary>
    public string Code => Class == Other ? GenericCode : CodePrefix + Class;

    // One place for every class, so the knowledge base and the cloud can list them (cloud/knowledge-base has an article per class).
    public const string Refused = "refused";
    public const string Timeout = "timeout";
    public const string NameNotFound = "name-not-found";
    public const string NoRoute = "no-route";
    public const string ConnectionLost = "connection-lost";
    public const string Tls = "tls";
    public const string HttpError = "http-error";
    public const string NotIpp = "not-ipp";
    public const string Truncated = "truncated";
    public const string Oversized = "oversized";
    public const string IppError = "ipp-error";
    public const string SnmpSilent = "snmp-silent";
    public const string SnmpError = "snmp-error";
    public const string NotAPrinter = "not-a-printer";
    public const string Other = "other";

    public static IReadOnlyList<string> Classes { get; } =
        [Refused, Timeout, NameNotFound, NoRoute, ConnectionLost, Tls, HttpError, NotIpp, Truncated, Oversized, IppError, SnmpSilent, SnmpError, NotAPrinter, Other];

    /// <summary>The cause an exception carries, or a generic one built from its message (a board's I/O error, a bug).</summary>
    public static UnreachableCause Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            IUnreachableCause carrier => carrier.Cause,
            TimeoutException => new(Timeout, exception.Message),
            _ => new(Other, exception.Message),
        };
    }

    /// <summary>A failure to connect (refused, no route, unknown name, connect timeout) in plain words, from the socket error behind it.</summary>
    public static UnreachableCause OfConnection(Exception exception, string host, int port)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var socket = FindSocketError(exception);
        var at = string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");
        return socket switch
        {
            SocketError.ConnectionRefused => new(Refused, string.Create(CultureInfo.InvariantCulture, $"connection refused on port {port}: {host} is on the network, but nothing accepts connections on that port")),
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => new(NameNotFound, $"the printer's name {host} cannot be found (DNS)"),
            SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown => new(NoRoute, $"no network route to {host}: it is off, unplugged or on another network"),
            SocketError.TimedOut => new(Timeout, $"{at} did not accept a connection in time: it is off or a firewall drops the traffic"),
            SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => new(ConnectionLost, $"{at} closed the connection before it answered"),
            _ when exception is System.Security.Authentication.AuthenticationException || exception.InnerException is System.Security.Authentication.AuthenticationException
                => new(Tls, $"the secure connection to {at} failed: its certificate is not trusted (set Ipp:TrustedCertificateSha256) or it speaks no TLS"),
            _ => new(ConnectionLost, $"{at} could not be reached: {Innermost(exception).Message}"),
        };
    }

    private static SocketError? FindSocketError(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SocketException socket)
                return socket.SocketErrorCode;
        }
        return null;
    }

    private static Exception Innermost(Exception exception)
    {
        var current = exception;
        while (current.InnerException is not null)
            current = current.InnerException;
        return current;
    }
}

/// <summary>An exception that knows, in words and as a class, why the device could not be read.</summary>
public interface IUnreachableCause
{
    UnreachableCause Cause { get; }
}
