using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Diagnostics.Agent.Tests.Collectors.Ipp;

/// <summary>
/// A TCP server on a free loopback port that reads each HTTP request and answers with the bytes it was given (an HTTP
/// 500, an HTML page, a cut-off IPP message, a huge Content-Length ...) and then closes the connection: what a broken
/// or hostile device on the printer's address sends. Stopped on dispose.
/// </summary>
public sealed class HostilePrinter : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<byte[]> _answer;
    private readonly Task _serving;

    public HostilePrinter(Func<byte[]> answer)
    {
        _answer = answer;
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Uri => new($"ipp://127.0.0.1:{Port}/ipp/print");

    /// <summary>An HTTP/1.1 response with these headers and body (Content-Length is written unless given).</summary>
    public static byte[] Http(string statusLine, string contentType, byte[] body, long? contentLength = null)
    {
        var head = $"HTTP/1.1 {statusLine}\r\nContent-Type: {contentType}\r\nContent-Length: {contentLength ?? body.Length}\r\nConnection: close\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. body];
    }

    private async Task ServeAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                await using var stream = client.GetStream();
                await ReadRequestAsync(stream, _stop.Token);
                await stream.WriteAsync(_answer(), _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
        catch (IOException)
        {
            // The client gave up (its timeout); the next test starts a new server.
        }
    }

    // Headers up to the blank line, then Content-Length bytes of body: the whole request, so the answer is not a reset.
    private static async Task ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (!(buffer.Count >= 4 && buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
                return;
            buffer.Add(one[0]);
        }
        var headers = Encoding.ASCII.GetString([.. buffer]);
        var length = headers.Split("\r\n").Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(parts => int.Parse(parts[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _serving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
