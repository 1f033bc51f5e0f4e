using System.Globalization;
using System.Net.Sockets;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors;

/// <summary>
/// Why a collector could not read its device, in two forms: a stable class the knowledge base matches on
/// (<see cref="Code"/>, <c>agent:unreachable-not-ipp</c>) and the cause in plain words for the person reading the device
/// page ("connection refused on port 631"); the classes are the protocol's <see cref="UnreachableCauses"/>. Collectors put one on the exception they throw (<see cref="IUnreachableCause"/>);
/// <see cref="Of"/> reads it back, or makes a generic one for anything else.
/// </summary>
public sealed record UnreachableCause(string Class, string Words)
{
    /// <summary>The condition code the telemetry pump reports: <c>agent:unreachable-{Class}</c> (<see cref="UnreachableCauses"/>).</summary>
    public string Code => UnreachableCauses.CodeOf(Class);

    /// <summary>The cause an exception carries, or a generic one built from its message (a board's I/O error, a bug).</summary>
    public static UnreachableCause Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            IUnreachableCause carrier => carrier.Cause,
            TimeoutException => new(UnreachableCauses.Timeout, exception.Message),
            _ => new(UnreachableCauses.Other, exception.Message),
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
            SocketError.ConnectionRefused => new(UnreachableCauses.Refused, string.Create(CultureInfo.InvariantCulture, $"connection refused on port {port}: {host} is on the network, but nothing accepts connections on that port")),
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => new(UnreachableCauses.NameNotFound, $"the printer's name {host} cannot be found (DNS)"),
            SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown => new(UnreachableCauses.NoRoute, $"no network route to {host}: it is off, unplugged or on another network"),
            SocketError.TimedOut => new(UnreachableCauses.Timeout, $"{at} did not accept a connection in time: it is off or a firewall drops the traffic"),
            SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => new(UnreachableCauses.ConnectionLost, $"{at} closed the connection before it answered"),
            _ when exception is System.Security.Authentication.AuthenticationException || exception.InnerException is System.Security.Authentication.AuthenticationException
                => new(UnreachableCauses.Tls, $"the secure connection to {at} failed: its certificate is not trusted (set Ipp:TrustedCertificateSha256) or it speaks no TLS"),
            _ => new(UnreachableCauses.ConnectionLost, $"{at} could not be reached: {Innermost(exception).Message}"),
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
