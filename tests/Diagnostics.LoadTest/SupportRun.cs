using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Diagnostics.Testing;

namespace Diagnostics.LoadTest;

/// <summary>
/// Support chat delivery: N sessions handed to agents at once, every customer holding a long poll open all the time,
/// agents and customers writing paced messages. Measures the time from just before a POST is sent to the moment the
/// other side's long poll returns that message, against one session alone in the same cloud, and checks that no
/// message is lost, repeated or reordered.
/// </summary>
internal static class SupportRun
{
    private const int SessionsPerCustomer = 10;
    // The option's maximum: the fewer agents, the fewer sign-ins, and fifty chats each is already beyond a person.
    private const int SessionsPerAgent = 50;
    private const int LongPollSeconds = 25;
    private const int WarmUpMessages = 10;
    private const int ReferenceMessages = 100;
    // One session alone is not slowed by its pace, so the reference keeps the quick one whatever the load's.
    private const int ReferenceGapMs = 200;

    /// <summary>A writer waits between gap and 2.5 times gap (with the default 200 ms, 200 to 500 ms).</summary>
    private static int MaxGapMs(int gapMs) => gapMs * 5 / 2;

    public static async Task RunAsync(int sessionCount, int messagesPerSession, int gapMs, CancellationToken ct)
    {
        var customerCount = (sessionCount + SessionsPerCustomer - 1) / SessionsPerCustomer;
        var agentCount = (sessionCount + SessionsPerAgent - 1) / SessionsPerAgent;
        var dataDirectory = Directory.CreateTempSubdirectory("dx-support-").FullName;
        var agentEmails = Enumerable.Range(1, agentCount).Select(i => $"load-agent-{i:000}@load.test").ToList();
        var customerEmails = Enumerable.Range(1, customerCount).Select(i => $"load-customer-{i:000}@load.test").ToList();
        await SupportAccounts.CreateAsync(Path.Combine(dataDirectory, "diagnostics.db"),
            [.. agentEmails.Select(e => (e, "agent")), .. customerEmails.Select(e => (e, "customer"))], ct);
        await using var cloud = await CloudProcess.StartAsync(ct, dataDirectory,
            extraArguments: ["--Demo:Devices=0", $"--Support:DefaultMaxSessionsPerAgent={SessionsPerAgent}"]);
        var signIns = new SupportAccounts(cloud.BaseAddress);

        // The reference: the demo customer and agent, one session alone, after a short warm-up in another session.
        var referenceCustomer = await signIns.SignInAsync(CloudProcess.CustomerEmail, ct);
        var referenceAgent = await signIns.SignInAsync(CloudProcess.AgentEmail, ct);
        await SetAvailableAsync(referenceAgent.Http, true, ct);
        await MeasureAsync([await OpenHandedOverAsync(referenceCustomer, referenceAgent, 0, ct)], WarmUpMessages, ReferenceGapMs, ct);
        var reference = await MeasureAsync([await OpenHandedOverAsync(referenceCustomer, referenceAgent, 0, ct)], ReferenceMessages, ReferenceGapMs, ct);
        await SetAvailableAsync(referenceAgent.Http, false, ct);

        var customers = new List<SignedIn>();
        foreach (var email in customerEmails)
            customers.Add(await signIns.SignInAsync(email, ct));
        var agents = new List<SignedIn>();
        foreach (var email in agentEmails)
            agents.Add(await signIns.SignInAsync(email, ct));

        // Every session waits in the queue first; each agent who becomes available takes up to the limit at once.
        var opened = new SupportSessionView[sessionCount];
        await Parallel.ForEachAsync(Enumerable.Range(0, sessionCount), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
        {
            var session = await SupportAccounts.PostAsync<SupportSessionView>(customers[i / SessionsPerCustomer].Http, "api/me/sessions",
                new { text = $"Load session {i}: I want to talk to a person" }, token);
            if (!session.State.Equals("queued", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"session {session.Id} is {session.State} after asking for a person, not queued");
            opened[i] = session;
        });
        foreach (var agent in agents)
            await SetAvailableAsync(agent.Http, true, ct);
        var open = await SupportAccounts.GetAsync<List<SupportSessionView>>(agents[0].Http, "api/sessions", ct);
        var agentOf = open.Where(s => s.AgentId is not null).ToDictionary(s => s.Id, s => s.AgentId!, StringComparer.Ordinal);
        var agentsById = agents.ToDictionary(a => a.AccountId, StringComparer.Ordinal);
        var conversations = new List<Conversation>();
        for (var i = 0; i < sessionCount; i++)
        {
            if (!agentOf.TryGetValue(opened[i].Id, out var agentId) || !agentsById.TryGetValue(agentId, out var agent))
                throw new InvalidOperationException($"session {opened[i].Id} was not assigned to a load agent ({agentOf.Count} of {sessionCount} are assigned)");
            conversations.Add(new Conversation(i, opened[i].Id, customers[i / SessionsPerCustomer].Http, agent.Http));
        }
        var peakBefore = cloud.Process.PeakResidentBytes();
        var load = await MeasureAsync(conversations, messagesPerSession, gapMs, ct);

        Console.WriteLine();
        Console.WriteLine($"support: {sessionCount} sessions at once ({SessionsPerCustomer} per customer account, {SessionsPerAgent} per agent, {agentCount} agents), " +
            $"{messagesPerSession} messages each way per session, one every {gapMs}-{MaxGapMs(gapMs)} ms; the customer and the agent each keep a long poll " +
            $"(waitSeconds={LongPollSeconds}) open on every session. Reference: one session alone, {ReferenceMessages} messages each way.");
        Console.WriteLine($"  {"",-38} {"count",7} {"p50 ms",8} {"p99 ms",8} {"max ms",8}");
        Print("agent -> customer, 1 session (ref.)", reference.ToCustomer);
        Print($"agent -> customer, {sessionCount} sessions", load.ToCustomer);
        Ratio(reference.ToCustomer, load.ToCustomer);
        Print("customer -> agent, 1 session (ref.)", reference.ToAgent);
        Print($"customer -> agent, {sessionCount} sessions", load.ToAgent);
        Ratio(reference.ToAgent, load.ToAgent);
        // Where the time goes: a writer waits for its POST (the message is stored and numbered before the answer).
        Print("agent's POST answered, 1 session", reference.AgentPosts);
        Print($"agent's POST answered, {sessionCount} sessions", load.AgentPosts);
        Print("customer's POST answered, 1 session", reference.CustomerPosts);
        Print($"customer's POST answered, {sessionCount} sessions", load.CustomerPosts);
        foreach (var (name, run) in new[] { ("reference", reference), ($"{sessionCount} sessions", load) })
        {
            Console.WriteLine($"  {name}: {run.Expected:N0} messages posted, {run.Delivered:N0} delivered once; lost {run.Lost}, duplicated {run.Duplicated}, " +
                $"out of order {run.OutOfOrder}; failed posts {run.PostErrors}, failed reads {run.ReadErrors}; {run.Seconds:N1} s, {run.Delivered / run.Seconds:N0} messages/s");
        }
        // What the pace offers: each side one message per mean gap. Writers wait for their POSTs, so a cloud that cannot
        // keep up slows the pace down instead of piling requests up without bound.
        var meanGapSeconds = (gapMs + MaxGapMs(gapMs)) / 2000.0;
        Console.WriteLine($"  the pace alone would ask for {sessionCount * 2 / meanGapSeconds:N0} messages/s from {sessionCount} sessions");
        Console.WriteLine($"  cloud peak RSS: {peakBefore / (1024.0 * 1024):N0} MiB before the {sessionCount} sessions, {cloud.Process.PeakResidentBytes() / (1024.0 * 1024):N0} MiB after");
    }

    private static void Print(string name, double[] sorted) =>
        Console.WriteLine($"  {name,-38} {sorted.Length,7:N0} {Percentile(sorted, 0.50),8:N1} {Percentile(sorted, 0.99),8:N1} {(sorted.Length == 0 ? double.NaN : sorted[^1]),8:N1}");

    private static void Ratio(double[] reference, double[] load) =>
        Console.WriteLine($"  {"  ratio to the reference",-38} {"",7} {Percentile(load, 0.50) / Percentile(reference, 0.50),7:N1}x {Percentile(load, 0.99) / Percentile(reference, 0.99),7:N1}x");

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static async Task SetAvailableAsync(HttpClient agent, bool available, CancellationToken ct)
    {
        using var response = await agent.PutAsJsonAsync("api/support/agents/me", new { available }, ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"PUT api/support/agents/me: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
    }

    /// <summary>A session the customer hands over at once; with the agent available, it is theirs when this returns.</summary>
    private static async Task<Conversation> OpenHandedOverAsync(SignedIn customer, SignedIn agent, int index, CancellationToken ct)
    {
        var session = await SupportAccounts.PostAsync<SupportSessionView>(customer.Http, "api/me/sessions", new { text = "Reference: let me talk to a person" }, ct);
        var state = await SupportAccounts.GetAsync<SupportSessionView>(agent.Http, $"api/sessions/{session.Id}", ct);
        if (state.AgentId != agent.AccountId)
            throw new InvalidOperationException($"the reference session {session.Id} is {state.State} with {state.AgentId ?? "nobody"}, not with the reference agent");
        return new Conversation(index, session.Id, customer.Http, agent.Http);
    }

    /// <summary>
    /// Runs every conversation at once: both long polls open from the start, then both sides write their messages,
    /// paced, each waiting for its previous POST. Returns when every message has arrived (or a minute after the last
    /// POST, when some did not).
    /// </summary>
    private static async Task<RunResult> MeasureAsync(IReadOnlyList<Conversation> conversations, int messages, int gapMs, CancellationToken ct)
    {
        var toCustomer = new Direction(conversations.Count * messages);
        var toAgent = new Direction(conversations.Count * messages);
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var clock = Stopwatch.StartNew();
        var readers = conversations.SelectMany(c => new[]
        {
            ReadAsync(c.Customer, $"api/me/sessions/{c.SessionId}/messages", "agent", 'a', c.Index, toCustomer, stopReading.Token),
            ReadAsync(c.Agent, $"api/sessions/{c.SessionId}/messages", "customer", 'c', c.Index, toAgent, stopReading.Token),
        }).ToList();
        var writers = conversations.SelectMany(c => new[]
        {
            WriteAsync(c.Agent, $"api/sessions/{c.SessionId}/messages", 'a', c.Index, messages, gapMs, toCustomer, ct),
            WriteAsync(c.Customer, $"api/me/sessions/{c.SessionId}/messages", 'c', c.Index, messages, gapMs, toAgent, ct),
        }).ToList();
        await Task.WhenAll(writers);
        try
        {
            await Task.WhenAll(toCustomer.AllArrived, toAgent.AllArrived).WaitAsync(TimeSpan.FromMinutes(1), ct);
        }
        catch (TimeoutException)
        {
            // Counted as lost below.
        }
        var seconds = clock.Elapsed.TotalSeconds;
        await stopReading.CancelAsync();
        await Task.WhenAll(readers);
        return new RunResult(toCustomer.Sorted(), toAgent.Sorted(), toCustomer.SortedPosts(), toAgent.SortedPosts(), toCustomer.Expected + toAgent.Expected, toCustomer.Delivered + toAgent.Delivered,
            toCustomer.Lost + toAgent.Lost, toCustomer.Duplicated + toAgent.Duplicated, toCustomer.OutOfOrder + toAgent.OutOfOrder,
            toCustomer.PostErrors + toAgent.PostErrors, toCustomer.ReadErrors + toAgent.ReadErrors, seconds);
    }

    private static async Task WriteAsync(HttpClient client, string url, char side, int session, int messages, int gapMs, Direction direction, CancellationToken ct)
    {
        for (var k = 0; k < messages; k++)
        {
            // Pacing, not synchronisation: a person types, and the jitter keeps the sessions from writing in step.
            await Task.Delay(Random.Shared.Next(gapMs, MaxGapMs(gapMs) + 1), ct);
            var marker = Marker(side, session, k);
            direction.SentAt[marker] = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.PostAsJsonAsync(url, new { text = $"{marker} message {k + 1} of {messages}", clientId = marker }, ct);
                if (response.IsSuccessStatusCode)
                    direction.Posted(Stopwatch.GetElapsedTime(direction.SentAt[marker]).TotalMilliseconds);
                else
                    direction.PostFailed();
            }
            catch (HttpRequestException)
            {
                direction.PostFailed();
            }
        }
    }

    /// <summary>
    /// One side's long poll on one session, kept open until the run ends: every message after the last one seen, each
    /// checked for order (sequence numbers strictly increasing), and the other side's markers timed and counted once.
    /// </summary>
    private static async Task ReadAsync(HttpClient client, string url, string fromAuthor, char side, int session, Direction direction, CancellationToken stop)
    {
        long last = 0;
        var lastIndex = -1;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var prefix = $"[{side}{session}.";
        while (!stop.IsCancellationRequested)
        {
            List<SupportMessageView> batch;
            long arrived;
            try
            {
                using var response = await client.GetAsync(new Uri($"{url}?after={last}&waitSeconds={LongPollSeconds}", UriKind.Relative), stop);
                arrived = Stopwatch.GetTimestamp();
                if (!response.IsSuccessStatusCode)
                {
                    direction.ReadFailed();
                    await Task.Delay(200, stop);
                    continue;
                }
                batch = await response.Content.ReadFromJsonAsync<List<SupportMessageView>>(SupportAccounts.Json, stop) ?? [];
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException)
            {
                direction.ReadFailed();
                continue;
            }
            foreach (var message in batch)
            {
                if (message.Sequence <= last)
                    direction.Reordered();
                last = Math.Max(last, message.Sequence);
                if (!message.AuthorKind.Equals(fromAuthor, StringComparison.OrdinalIgnoreCase) || !message.Body.StartsWith(prefix, StringComparison.Ordinal))
                    continue;
                var marker = message.Body[..(message.Body.IndexOf(']', StringComparison.Ordinal) + 1)];
                var index = int.Parse(marker[prefix.Length..^1]);
                if (!seen.Add(marker))
                {
                    direction.Repeated();
                    continue;
                }
                if (index <= lastIndex)
                    direction.Reordered();
                lastIndex = Math.Max(lastIndex, index);
                if (direction.SentAt.TryGetValue(marker, out var sent))
                    direction.Arrived(Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds);
            }
        }
    }

    private static string Marker(char side, int session, int index) => $"[{side}{session}.{index}]";

    private sealed record Conversation(int Index, string SessionId, HttpClient Customer, HttpClient Agent);

    private sealed record RunResult(double[] ToCustomer, double[] ToAgent, double[] AgentPosts, double[] CustomerPosts, int Expected, int Delivered, int Lost, int Duplicated, int OutOfOrder,
        int PostErrors, int ReadErrors, double Seconds);

    /// <summary>One direction of a run: when each message was sent, how long it took to arrive, and what went wrong.</summary>
    private sealed class Direction(int expected)
    {
        private readonly ConcurrentQueue<double> _latencies = new();
        private readonly ConcurrentQueue<double> _posts = new();
        private readonly TaskCompletionSource _allArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _remaining = expected;
        private int _delivered;
        private int _duplicated;
        private int _outOfOrder;
        private int _postErrors;
        private int _readErrors;

        public ConcurrentDictionary<string, long> SentAt { get; } = new(StringComparer.Ordinal);

        public int Expected { get; } = expected;

        public Task AllArrived => _allArrived.Task;

        public int Delivered => Volatile.Read(ref _delivered);

        public int Lost => Expected - Delivered - Volatile.Read(ref _postErrors);

        public int Duplicated => Volatile.Read(ref _duplicated);

        public int OutOfOrder => Volatile.Read(ref _outOfOrder);

        public int PostErrors => Volatile.Read(ref _postErrors);

        public int ReadErrors => Volatile.Read(ref _readErrors);

        public void Posted(double milliseconds) => _posts.Enqueue(milliseconds);

        public void Arrived(double milliseconds)
        {
            _latencies.Enqueue(milliseconds);
            Interlocked.Increment(ref _delivered);
            Done();
        }

        /// <summary>A POST that failed: its message is not waited for (if it was stored after all, it still counts as delivered).</summary>
        public void PostFailed()
        {
            Interlocked.Increment(ref _postErrors);
            Done();
        }

        public void Repeated() => Interlocked.Increment(ref _duplicated);

        public void Reordered() => Interlocked.Increment(ref _outOfOrder);

        public void ReadFailed() => Interlocked.Increment(ref _readErrors);

        public double[] Sorted() => [.. _latencies.Order()];

        public double[] SortedPosts() => [.. _posts.Order()];

        private void Done()
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
                _allArrived.TrySetResult();
        }
    }
}

/// <summary>An account signed in through the API: its own client (its cookie, its connections) and its id.</summary>
internal sealed record SignedIn(HttpClient Http, string AccountId, string Email);

internal sealed record SupportSessionView(string Id, string State, string? DeviceId, string? AgentId, string? HandoverReason, string? Resolution, long LastSequence);

internal sealed record SupportMessageView(long Sequence, string Kind, string AuthorKind, string AuthorId, string Body, bool Internal, string? ClientId);

/// <summary>
/// Accounts for load runs: created with the cloud's own <c>accounts add</c> command before it starts, signed in through
/// <c>POST /api/auth/login</c>, one <see cref="HttpClient"/> each.
/// </summary>
internal sealed class SupportAccounts(Uri baseAddress)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private int _signedIn;

    public static async Task CreateAsync(string databasePath, IReadOnlyList<(string Email, string Role)> accounts, CancellationToken ct)
    {
        // The first alone: two processes creating the schema of a new file at once can both add the same column, and one
        // of them then fails ("duplicate column name"). After it, two at a time, as the machine has two cores.
        await AddAsync(databasePath, accounts[0], ct);
        await Parallel.ForEachAsync(accounts.Skip(1), new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (account, token) => await AddAsync(databasePath, account, token));

        static async Task AddAsync(string databasePath, (string Email, string Role) account, CancellationToken token)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetDirectoryName(RepositoryLayout.CloudDll)!,
            };
            foreach (var argument in new[] { RepositoryLayout.CloudDll, "accounts", "add", "--email", account.Email, "--role", account.Role, "--name", account.Email.Split('@')[0], $"--Storage:Path={databasePath}" })
                start.ArgumentList.Add(argument);
            start.Environment["DX_PASSWORD"] = CloudProcess.DemoPassword;
            start.Environment["DOTNET_NOLOGO"] = "1";
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the cloud's accounts command");
            var output = process.StandardOutput.ReadToEndAsync(token);
            var error = process.StandardError.ReadToEndAsync(token);
            await process.WaitForExitAsync(token);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"accounts add {account.Email}: exit {process.ExitCode}: {await output}{await error}");
        }
    }

    /// <summary>
    /// Signs in with the demo password. Each account connects from its own loopback address (127.1.x.y), as customers
    /// on their own phones would: the cloud counts sign-ins per client address.
    /// </summary>
    public async Task<SignedIn> SignInAsync(string email, CancellationToken ct)
    {
        var index = Interlocked.Increment(ref _signedIn);
        var source = new IPAddress([127, 1, (byte)(index / 250), (byte)(index % 250 + 1)]);
        var handler = new SocketsHttpHandler
        {
            // Every session of the account keeps a long poll open while the account also writes to it.
            MaxConnectionsPerServer = 256,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectCallback = LoopbackSource.ConnectFrom(source),
        };
        var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        try
        {
            var account = await PostAsync<AccountIdView>(http, "api/auth/login", new { email, password = CloudProcess.DemoPassword }, ct);
            return new SignedIn(http, account.Id, email);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    public static async Task<T> PostAsync<T>(HttpClient http, string url, object? body, CancellationToken ct)
    {
        using var response = body is null ? await http.PostAsync(new Uri(url, UriKind.Relative), null, ct) : await http.PostAsJsonAsync(url, body, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST {url}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, Json)!;
    }

    public static async Task<T> GetAsync<T>(HttpClient http, string url, CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri(url, UriKind.Relative), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"GET {url}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, Json)!;
    }

    private sealed record AccountIdView(string Id);
}
