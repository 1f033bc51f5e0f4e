using System.Net;
using System.Net.Http.Headers;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Updates;

/// <summary>The end of a download: complete, or why not (coded, <see cref="UpdateDetail.DownloadRefusedCode"/> or <see cref="UpdateDetail.DownloadGaveUpCode"/>).</summary>
public sealed record DownloadResult(UpdateFailure Failure, UpdateDetail Detail)
{
    public bool IsComplete => Failure == UpdateFailure.None;
}

/// <summary>
/// Fetches a payload into a <c>.part</c> file in chunks of <see cref="UpdateOptions.DownloadChunkBytes"/>, each an HTTP
/// range request from the file's current length, so a download cut by a lost connection or an agent restart carries on
/// where it stopped. Retries network errors and 5xx answers with exponential backoff and full jitter; gives up after
/// <see cref="UpdateOptions.DownloadAttempts"/> failures in a row, or at once on an answer that will not change (404, 403).
/// The bytes are checked afterwards (<see cref="ManifestChecks.CheckPayload"/>), not trusted from the server.
/// </summary>
public sealed class PayloadDownloader(HttpClient http, UpdateOptions options, TimeProvider time, Random random, ILogger logger)
{
    /// <summary>Downloads <paramref name="url"/> until <paramref name="partPath"/> holds <paramref name="total"/> bytes.</summary>
    /// <param name="bearerToken">Sent as <c>Authorization: Bearer</c>; null for a URL outside the cloud.</param>
    /// <param name="progress">Called with the bytes held after each chunk.</param>
    public async Task<DownloadResult> DownloadAsync(
        Uri url, string? bearerToken, string partPath, long total, Func<long, CancellationToken, Task> progress, string deviceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(progress);
        var failures = 0;
        while (true)
        {
            var have = File.Exists(partPath) ? new FileInfo(partPath).Length : 0;
            if (have > total)
            {
                // Longer than the manifest's payload: not a prefix of it. Start again.
                File.Delete(partPath);
                have = 0;
            }
            if (have == total)
                return new DownloadResult(UpdateFailure.None, UpdateDetail.Words($"downloaded {total} bytes"));
            UpdateDetail problem;
            try
            {
                var (gained, final, retry) = await FetchChunkAsync(url, bearerToken, partPath, have, total, cancellationToken);
                if (final is not null)
                {
                    UpdateLog.DownloadFailed(logger, deviceId, url, final.Text);
                    return new DownloadResult(UpdateFailure.DownloadFailed, final);
                }
                if (retry is null && gained > 0)
                {
                    failures = 0;
                    await progress(have + gained, cancellationToken);
                    continue;
                }
                problem = retry ?? UpdateDetail.DownloadNoBytes();
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                problem = UpdateDetail.DownloadTimeout(options.RequestTimeout);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                problem = UpdateDetail.DownloadNetworkError(ex.Message);
            }
            // What came before the error is kept: the next attempt asks for the rest.
            var held = File.Exists(partPath) ? new FileInfo(partPath).Length : 0;
            if (held > have)
            {
                failures = 0;
                await progress(held, cancellationToken);
            }
            if (++failures >= options.DownloadAttempts)
            {
                var detail = UpdateDetail.DownloadGaveUp(failures, held, total, problem);
                UpdateLog.DownloadFailed(logger, deviceId, url, detail.Text);
                return new DownloadResult(UpdateFailure.DownloadFailed, detail);
            }
            var delay = Backoff.Next(options.RetryMinDelay, options.RetryMaxDelay, failures, random);
            UpdateLog.DownloadRetrying(logger, deviceId, url, held, total, problem.Text, delay.TotalSeconds);
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    /// <summary>One range request appended to the part file: the bytes gained, a final failure, or a problem worth asking again after.</summary>
    private async Task<(long Gained, UpdateDetail? Final, UpdateDetail? Retry)> FetchChunkAsync(Uri url, string? bearerToken, string partPath, long have, long total, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var last = Math.Min(total, have + options.DownloadChunkBytes) - 1;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(have, last);
        if (bearerToken is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
        switch (response.StatusCode)
        {
            case HttpStatusCode.PartialContent:
                if (response.Content.Headers.ContentRange is not { From: { } from } || from != have)
                    return (0, null, UpdateDetail.DownloadWrongRange(response.Content.Headers.ContentRange?.From, have));
                return (await AppendAsync(response, partPath, total - have, FileMode.Append, linked.Token), null, null);
            case HttpStatusCode.OK:
                // A server that ignores ranges sends the whole payload: take it from the start.
                return (await AppendAsync(response, partPath, total, FileMode.Create, linked.Token) - have, null, null);
            case HttpStatusCode.RequestedRangeNotSatisfiable:
                File.Delete(partPath);
                return (0, null, UpdateDetail.DownloadRangeGone(have));
            case HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Gone:
                return (0, UpdateDetail.DownloadRefused((int)response.StatusCode, response.ReasonPhrase, url), null);
            default:
                return (0, null, UpdateDetail.DownloadServerError((int)response.StatusCode, response.ReasonPhrase));
        }
    }

    /// <summary>Copies the body into the part file (at most <paramref name="limit"/> bytes), flushed to disk; returns the bytes written.</summary>
    private static async Task<long> AppendAsync(HttpResponseMessage response, string partPath, long limit, FileMode mode, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var file = new FileStream(partPath, mode, FileAccess.Write, FileShare.Read, 81920, FileOptions.Asynchronous);
        var buffer = new byte[81920];
        long written = 0;
        try
        {
            int read;
            while (written < limit && (read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - written)), cancellationToken)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                written += read;
            }
        }
        finally
        {
            // What arrived is kept even when the connection broke: a restart resumes after it.
            await file.FlushAsync(CancellationToken.None);
            file.Flush(flushToDisk: true);
        }
        return written;
    }
}
