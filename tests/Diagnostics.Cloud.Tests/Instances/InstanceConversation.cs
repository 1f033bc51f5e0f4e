using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Testing;

namespace Diagnostics.Cloud.Tests.Instances;

/// <summary>
/// A customer and the support agent holding their session take turns writing, each through the instance (or proxy)
/// the test names, and each side reads the conversation through its own: what was said, in the order it was said,
/// is what both read. A post that fails because its instance just died is sent again with the same client id (what the
/// apps do), so a post the service took before the failure is not stored twice.
/// </summary>
internal sealed class InstanceConversation(string sessionId, string customerCookie, string agentCookie)
{
    /// <summary>How every turn's text begins, to tell the turns from the assistant's and the system's messages.</summary>
    public const string TurnPrefix = "turn ";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly List<string> _said = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every turn's text in the order it was accepted.</summary>
    public IReadOnlyList<string> Said => _said;

    public string CustomerPath => $"api/me/sessions/{sessionId}/messages";

    public string StaffPath => $"api/sessions/{sessionId}/messages";

    public string CustomerCookie => customerCookie;

    public string AgentCookie => agentCookie;

    /// <summary>Alternates customer and agent for <paramref name="turns"/> messages, each accepted before the next is written.</summary>
    public async Task TakeTurnsAsync(Uri customerThrough, Uri agentThrough, int turns, string phase)
    {
        for (var i = 0; i < turns; i++)
        {
            var customersTurn = _said.Count % 2 == 0;
            var text = $"{TurnPrefix}{_said.Count + 1:00} from the {(customersTurn ? "customer" : "agent")} ({phase})";
            if (customersTurn)
                await PostAsync(customerThrough, CustomerPath, customerCookie, text);
            else
                await PostAsync(agentThrough, StaffPath, agentCookie, text);
            _said.Add(text);
        }
    }

    /// <summary>The whole conversation as <paramref name="cookie"/>'s holder reads it through <paramref name="through"/>, turns only.</summary>
    public static async Task<List<(long Sequence, string Body)>> TurnsAsync(Uri through, string path, string cookie)
    {
        using var http = new HttpClient { BaseAddress = through, Timeout = TimeSpan.FromSeconds(60) };
        var messages = await ReadAsync(http, path, cookie, after: 0, waitSeconds: 0, Ct);
        return [.. messages.Where(m => m.Body.StartsWith(TurnPrefix, StringComparison.Ordinal))];
    }

    internal static async Task<List<(long Sequence, string Body)>> ReadAsync(HttpClient http, string path, string cookie, long after, int waitSeconds, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{path}?after={after}&waitSeconds={waitSeconds}");
        request.Headers.Add("Cookie", cookie);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"reading {path}: {(int)response.StatusCode} {body}", null, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.EnumerateArray().Select(m => (m.GetProperty("sequence").GetInt64(), m.GetProperty("body").GetString() ?? ""))];
    }

    private static async Task PostAsync(Uri through, string path, string cookie, string text)
    {
        var clientId = Guid.NewGuid().ToString("N");
        var failures = new List<string>();
        using var http = new HttpClient { BaseAddress = through, Timeout = TimeSpan.FromSeconds(30) };
        await Eventually.TrueAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new { text, clientId }) };
            request.Headers.Add("Cookie", cookie);
            try
            {
                using var response = await http.SendAsync(request, Ct);
                if (response.IsSuccessStatusCode)
                    return true;
                // Only the proxy's "no instance answered" is worth a retry; anything else is the test's failure.
                var status = (int)response.StatusCode;
                Assert.True(status is 502 or 503 or 504, $"posting '{text}' through {through}: {status} {await response.Content.ReadAsStringAsync(Ct)}");
                failures.Add(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (HttpRequestException ex)
            {
                // The instance died with the request on its socket: the post may or may not have been taken.
                failures.Add(ex.Message);
            }
            return false;
        }, $"'{text}' accepted through {through} (failed so far: {string.Join("; ", failures)})", Patience);
    }
}

/// <summary>
/// One side's app, long-polling a conversation from its last message on, through an instance or the proxy; a poll that
/// fails (its instance died) is asked again from the same place. Keeps every message in the order it came.
/// </summary>
internal sealed class ConversationReader : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private readonly HttpClient _http;
    private readonly Task _polling;

    public ConversationReader(Uri through, string path, string cookie)
    {
        _http = new HttpClient { BaseAddress = through, Timeout = TimeSpan.FromSeconds(60) };
        _polling = PollAsync(path, cookie, _stop.Token);
    }

    public ConcurrentQueue<(long Sequence, string Body)> Received { get; } = new();

    private int _failedPolls;

    /// <summary>Polls that failed and were asked again (an instance died under them).</summary>
    public int FailedPolls => Volatile.Read(ref _failedPolls);

    public List<(long Sequence, string Body)> Turns => [.. Received.Where(m => m.Body.StartsWith(InstanceConversation.TurnPrefix, StringComparison.Ordinal))];

    private async Task PollAsync(string path, string cookie, CancellationToken stop)
    {
        long after = 0;
        while (true)
        {
            try
            {
                var batch = await InstanceConversation.ReadAsync(_http, path, cookie, after, waitSeconds: 20, stop);
                foreach (var message in batch)
                    Received.Enqueue(message);
                if (batch.Count > 0)
                    after = batch.Max(m => m.Sequence);
                continue;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException)
            {
                // Refused, reset or 502 while its instance died.
                Interlocked.Increment(ref _failedPolls);
            }
            catch (TaskCanceledException)
            {
                // The client's timeout on a poll whose instance died without closing the socket.
                Interlocked.Increment(ref _failedPolls);
            }
            try
            {
                // The app's pause before asking again; the next poll starts where the failed one would have.
                await Task.Delay(TimeSpan.FromMilliseconds(100), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _polling;
        _http.Dispose();
        _stop.Dispose();
    }
}
