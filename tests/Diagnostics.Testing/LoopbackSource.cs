using System.Net;
using System.Net.Sockets;

namespace Diagnostics.Testing;

/// <summary>
/// Connections that leave from a chosen address of the loopback range (127.0.0.0/8), so a server on this machine sees
/// each test client as a different person's machine.
/// </summary>
public static class LoopbackSource
{
    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> that binds each connection to <paramref name="source"/>.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectFrom(IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!IPAddress.IsLoopback(source))
            throw new ArgumentException($"{source} is not a loopback address: tests talk only to this machine.", nameof(source));
        return async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
    }
}
