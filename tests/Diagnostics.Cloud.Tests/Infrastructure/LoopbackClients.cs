using System.Net;

namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>
/// Browsers on different machines: HTTP clients with their own cookies whose connections leave from a chosen loopback
/// address, for a cloud served over real sockets (<see cref="CloudHost.ServeOverTcp"/>).
/// </summary>
public static class LoopbackClients
{
    public static HttpClient From(string sourceAddress, Uri server) => new(new SocketsHttpHandler
    {
        UseCookies = true,
        CookieContainer = new CookieContainer(),
        AllowAutoRedirect = false,
        ConnectCallback = LoopbackSource.ConnectFrom(IPAddress.Parse(sourceAddress)),
    })
    {
        BaseAddress = server,
    };
}
