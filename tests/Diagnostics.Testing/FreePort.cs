using System.Net;
using System.Net.Sockets;

namespace Diagnostics.Testing;

/// <summary>
/// Ports for servers a test starts itself. Asking the kernel for port 0 and closing the socket again races: the
/// kernel hands out ports from the ephemeral range (32768–60999 on Linux), where every outgoing connection of every
/// process on the machine takes its local port too, and the next caller may be given the same number before the
/// server binds it. So ports come from below the ephemeral range, walked once per process from a random start (test
/// projects run in parallel processes), and each is checked for a listener on loopback and on all addresses.
/// </summary>
public static class FreePort
{
    private const int First = 20_000;
    private const int Last = 32_767;
    private static int s_next = First + Random.Shared.Next(Last - First);
    private static readonly Lock s_gate = new();

    /// <summary>A TCP port below the ephemeral range that no socket listens on right now and no earlier call here gave.</summary>
    public static int Next()
    {
        lock (s_gate)
        {
            for (var tried = 0; tried <= Last - First; tried++)
            {
                var port = s_next;
                s_next = s_next == Last ? First : s_next + 1;
                if (CanListen(IPAddress.Loopback, port) && CanListen(IPAddress.Any, port))
                    return port;
            }
        }
        throw new InvalidOperationException($"No free TCP port between {First} and {Last}.");
    }

    private static bool CanListen(IPAddress address, int port)
    {
        try
        {
            using var listener = new TcpListener(address, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
