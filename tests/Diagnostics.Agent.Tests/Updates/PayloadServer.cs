using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

namespace Diagnostics.Agent.Tests.Updates;

/// <summary>
/// A real HTTP server (HttpListener on a loopback port) serving payloads with range support, as the cloud does. It
/// records every request, and can hold requests from an offset on until released, so a test can stop an agent in
/// the middle of a download.
/// </summary>
internal sealed class PayloadServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, byte[]> _payloads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<PayloadRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bytesSent;

    public PayloadServer()
    {
        var port = FreePort.Next();
        BaseUrl = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(BaseUrl);
        _listener.Start();
        _ = AcceptAsync();
    }

    public string BaseUrl { get; }

    /// <summary>Requests whose range starts at or after this wait for <see cref="Release"/>; null holds none.</summary>
    public long? HoldFrom { get; set; }

    public IReadOnlyList<PayloadRequest> Requests => [.. _requests];

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public void Serve(string path, byte[] content) => _payloads[path] = content;

    /// <summary>Answers every request for <paramref name="path"/> with <paramref name="status"/> and no body (a server in trouble).</summary>
    public void AnswerWith(string path, int status) => _statuses[path] = status;

    public void Release()
    {
        HoldFrom = null;
        _release.TrySetResult();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _release.TrySetResult();
        _listener.Close();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            var (from, to) = ParseRange(request.Headers["Range"]);
            _requests.Enqueue(new PayloadRequest(request.Url!.AbsolutePath, request.Headers["Range"], request.Headers["Authorization"], from));
            if (HoldFrom is { } hold && (from ?? 0) >= hold)
                await _release.Task.WaitAsync(_stop.Token);
            if (_statuses.TryGetValue(request.Url.AbsolutePath, out var status))
            {
                response.StatusCode = status;
                return;
            }
            if (!_payloads.TryGetValue(request.Url.AbsolutePath, out var payload))
            {
                response.StatusCode = 404;
                return;
            }
            var start = from ?? 0;
            var end = Math.Min(to ?? payload.Length - 1, payload.Length - 1);
            if (from is not null)
            {
                if (start >= payload.Length)
                {
                    response.StatusCode = 416;
                    response.Headers["Content-Range"] = $"bytes */{payload.Length}";
                    return;
                }
                response.StatusCode = 206;
                response.Headers["Content-Range"] = $"bytes {start}-{end}/{payload.Length}";
            }
            response.ContentLength64 = end - start + 1;
            await response.OutputStream.WriteAsync(payload.AsMemory((int)start, (int)(end - start + 1)), _stop.Token);
            Interlocked.Add(ref _bytesSent, end - start + 1);
        }
        catch (Exception ex) when (ex is HttpListenerException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The agent went away mid-answer (it was stopped): nothing to answer.
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    private static (long? From, long? To) ParseRange(string? header)
    {
        if (header is null || !header.StartsWith("bytes=", StringComparison.Ordinal))
            return (null, null);
        var parts = header["bytes=".Length..].Split('-');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), parts[1].Length > 0 ? long.Parse(parts[1], CultureInfo.InvariantCulture) : null);
    }
}

/// <summary>One request the payload server saw: its path, Range and Authorization headers, and where its range starts.</summary>
internal sealed record PayloadRequest(string Path, string? Range, string? Authorization, long? From);
