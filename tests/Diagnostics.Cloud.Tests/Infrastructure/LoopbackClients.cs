using System.Net;
using System.Net.Sockets;

namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>
/// HTTP clients whose TCP connections leave from a chosen address of the loopback range (127.0.0.0/8), so a cloud
/// served over real sockets (<see cref="CloudHost.ServeOverTcp"/>) sees them as different people's machines.
/// </summary>
public static class LoopbackClients
{
    public static HttpClient From(string sourceAddress, Uri server)
    {
        var source = IPAddress.Parse(sourceAddress);
        Assert.True(IPAddress.IsLoopback(source), $"{sourceAddress} is not a loopback address: tests talk only to this machine");
        var handler = new SocketsHttpHandler
        {
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            AllowAutoRedirect = false,
            ConnectCallback = async (context, cancellationToken) =>
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
            },
        };
        return new HttpClient(handler) { BaseAddress = server };
    }
}
