using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Cloud.Live;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;
using AgentBroker = Diagnostics.Agent.Uplink.BrokerOptions;
using AgentCredentials = Diagnostics.Agent.Provisioning.DeviceCredentials;

namespace Diagnostics.Cloud.Tests.Instances;

/// <summary>
/// The production shape with real processes: two cloud instances on one PostgreSQL and one Mosquitto (dynamic security,
/// shared subscription), nginx in front. Each instance has a HOME of its own, as two machines would, so nothing is
/// shared by accident of running on one machine (ASP.NET Core's default key folder is under HOME).
/// </summary>
public sealed class TwoInstancesBehindNginxTests : IAsyncLifetime
{
    private const int Devices = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private PostgresServer? _postgres;
    private MosquittoWithDynamicSecurity? _mosquitto;
    private string _database = "";
    private string _connectionString = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.SharedAsync(Ct);
        _database = "dx_instances_" + Guid.NewGuid().ToString("N")[..10];
        _connectionString = await _postgres.CreateDatabaseAsync(_database, Ct);
        _mosquitto = await MosquittoWithDynamicSecurity.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_mosquitto is not null)
            await _mosquitto.DisposeAsync();
        if (_postgres is not null && _database.Length > 0)
            await _postgres.DropDatabaseAsync(_database, CancellationToken.None);
    }

    [Fact(Timeout = 900_000)]
    public async Task Two_instances_share_sign_in_live_changes_chat_and_work_and_lose_nothing_when_one_is_killed_and_restarted()
    {
        await using var first = await StartInstanceAsync();
        await using var second = await StartInstanceAsync();
        await using var nginx = await NginxProxy.StartAsync([first.BaseAddress, second.BaseAddress], Ct);

        // A cookie issued through the proxy (by either instance) is read by both.
        var (adminCookie, _) = await SignInAsync(nginx.BaseAddress, CloudProcess.AdminEmail);
        foreach (var instance in new[] { first, second })
        {
            using var summary = await GetAsync(instance.BaseAddress, "api/fleet/summary", adminCookie);
            Assert.Equal(HttpStatusCode.OK, summary.StatusCode);
        }
        var (customerCookie, _) = await SignInAsync(first.BaseAddress, CloudProcess.CustomerEmail);
        using (var onSecond = await GetAsync(second.BaseAddress, "api/me/sessions", customerCookie))
            Assert.Equal(HttpStatusCode.OK, onSecond.StatusCode);
        var (agentCookie, _) = await SignInAsync(second.BaseAddress, CloudProcess.AgentEmail);

        // The live hub on the second instance sees every stored event, whichever instance stored it.
        var live = new ConcurrentQueue<LiveDeviceChange>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(second.BaseAddress, LiveHub.Path.TrimStart('/')), o => o.Headers["Cookie"] = adminCookie)
            .Build();
        hub.On<LiveDeviceChange>(nameof(ILiveClient.DeviceChanged), live.Enqueue);
        await hub.StartAsync(Ct);

        var printer = new RecordingDeviceActions();
        var agents = new List<TestAgent>();
        var sent = new ConcurrentDictionary<string, ConcurrentBag<ulong>>(StringComparer.Ordinal);
        async Task EnqueueAsync(TestAgent agent, int count, string code)
        {
            foreach (var sequence in await agent.EnqueueEventsAsync(count, code))
                sent[agent.DeviceId].Add(sequence);
        }
        try
        {
            for (var i = 0; i < Devices; i++)
            {
                var (id, token) = await first.RegisterAsync($"inst-{i}", Ct);
                // The first printer runs commands with the agent's own command handling; the others only report.
                agents.Add(TestAgent.Start(new AgentCredentials(id, token), new AgentBroker { Port = _mosquitto!.Port, AckTimeout = TimeSpan.FromSeconds(2) },
                    actions: i == 0 ? printer : null));
                sent[id] = [];
            }
            var jammed = agents[0];
            sent[jammed.DeviceId].Add(await OwnWithStandingMaintenanceConsentAsync(first.BaseAddress, customerCookie, jammed));

            const int firstRound = 10;
            foreach (var agent in agents)
                await EnqueueAsync(agent, firstRound, "test:instances");
            await Eventually.TrueAsync(() => agents.All(a => a.Outbox.Depth == 0), "every agent's first round acked", Patience);
            await Eventually.TrueAsync(() => live.Sum(c => c.Events.Count) >= Devices * firstRound,
                $"the hub on the second instance told of all {Devices * firstRound} events (so far {live.Sum(c => c.Events.Count)})", Patience);
            Assert.Equal(Devices * firstRound, live.Sum(c => c.Events.Count));

            // Chat: the customer writes through the first instance, the agent holding the session reads and writes
            // through the second; each side's app long-polls through its own way in (the customer's through the proxy).
            var sessionId = await OpenSessionAsync(first.BaseAddress, customerCookie);
            await TakeSessionAsync(second.BaseAddress, agentCookie, sessionId);
            await ChatReachesAsync(write: first.BaseAddress, read: second.BaseAddress, sessionId, customerCookie, adminCookie, "Tray 1 is empty but it says jam");
            var chat = new InstanceConversation(sessionId, customerCookie, agentCookie);
            await using var customerApp = new ConversationReader(nginx.BaseAddress, chat.CustomerPath, customerCookie);
            await using var agentApp = new ConversationReader(second.BaseAddress, chat.StaffPath, agentCookie);
            await chat.TakeTurnsAsync(customerThrough: first.BaseAddress, agentThrough: second.BaseAddress, turns: 8, "both up");

            // Mid-traffic: a jam and a second round in flight when the first instance is killed.
            sent[jammed.DeviceId].Add(await jammed.EnqueueEventAsync(new DeviceEvent
            {
                Kind = EventKind.Raised, Code = "ipp:media-jam", Condition = "PAPER_JAM", Severity = Severity.Error, Message = "Paper jam in tray 1",
            }));
            const int secondRound = 40;
            var flood = Task.WhenAll(agents.Select(agent => EnqueueAsync(agent, secondRound, "test:instances:kill")));
            await Eventually.TrueAsync(async () => await TelemetryRowsAsync() > Devices * firstRound + 2, "the second round is under way");
            await first.Process.KillHardAsync();
            await flood;

            // While it is down the customer's app reaches the survivor through the proxy, and the chat goes on.
            await chat.TakeTurnsAsync(customerThrough: nginx.BaseAddress, agentThrough: second.BaseAddress, turns: 8, "first killed");
            await Eventually.TrueAsync(() => agents.All(a => a.Outbox.Depth == 0), "every agent's outbox acked by the survivor", Patience);

            // Restarted as it was (same settings, database and broker), with the devices still sending: it answers
            // through the proxy again, with the cookie issued before, and takes its share of the devices' messages.
            var restart = first.RestartAsync(Ct);
            await Task.WhenAll(agents.Select(agent => EnqueueAsync(agent, secondRound, "test:instances:restart")));
            await restart;
            await Eventually.TrueAsync(async () => await AnsweredByAsync(nginx, "api/fleet/summary", adminCookie) == first.BaseAddress.Authority,
                "the proxy sends requests to the restarted instance again", Patience);
            await Eventually.TrueAsync(async () =>
            {
                await Task.WhenAll(agents.Select(agent => EnqueueAsync(agent, 5, "test:instances:rejoined")));
                await Eventually.TrueAsync(() => agents.All(a => a.Outbox.Depth == 0), "every agent's outbox acked after the restart", Patience);
                return await StoredByAsync(first) > 0;
            }, "the restarted instance stores messages from the shared subscription", Patience);

            await chat.TakeTurnsAsync(customerThrough: first.BaseAddress, agentThrough: second.BaseAddress, turns: 8, "first restarted");

            // The jam: one proposal, approved by the standing consent, and one command at the printer, run once; its
            // result recorded once.
            try
            {
                await Eventually.TrueAsync(async () => await CountAsync("SELECT COUNT(*) FROM audit_log WHERE device_id = @device AND action = 'command.result'", jammed.DeviceId) > 0,
                    $"the printer's result for the jam's command is recorded (the printer got {jammed.CommandsDelivered.Count} commands)", Patience);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new InvalidOperationException($"{ex.Message}\n{await FixTrailAsync(jammed.DeviceId)}\nfirst:\n{first.Process.Tail()}\nsecond:\n{second.Process.Tail()}", ex);
            }
            Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM fix_inbox"));
            Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM fix_proposals WHERE device_id = @device AND code = 'ipp:media-jam'", jammed.DeviceId));
            Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM audit_log WHERE device_id = @device AND action = 'fix.proposed'", jammed.DeviceId));
            var command = Assert.Single(jammed.CommandsDelivered);
            Assert.Equal("clear-paper-path", command.Name);
            Assert.Equal(ConsentAction.Maintenance, command.Consent!.Action);
            Assert.Equal(["clear-paper-path"], printer.Ran);
            Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM audit_log WHERE device_id = @device AND action = 'command.sent'", jammed.DeviceId));
            using var result = JsonDocument.Parse(Assert.Single(await CommandResultsAsync(jammed.DeviceId)));
            Assert.Equal(command.CommandId, result.RootElement.GetProperty("commandId").GetString());
            Assert.Equal(nameof(CommandOutcome.Succeeded), result.RootElement.GetProperty("outcome").GetString());

            // Every message every device sent stored exactly once, none lost: its outbox numbers them one after another
            // from the first the test wrote to the last it holds, and the only one the test did not write is the
            // printer's result of the command.
            await Eventually.TrueAsync(() => agents.All(a => a.Outbox.Depth == 0), "every agent's outbox acked at the end", Patience);
            foreach (var agent in agents)
            {
                Assert.Equal(0, agent.Outbox.Discarded);
                var firstSent = sent[agent.DeviceId].Min();
                var stored = await StoredSequencesAsync(agent.DeviceId);
                Assert.Equal(Enumerable.Range(0, checked((int)(agent.Outbox.LastSequence - firstSent + 1))).Select(n => firstSent + (ulong)n), stored);
                Assert.Equal(agent == jammed ? 1 : 0, stored.Except(sent[agent.DeviceId]).Count());
            }
            Assert.Equal(sent.Values.Sum(s => s.Count) + 1, await TelemetryRowsAsync());

            // The conversation: both sides read every turn once, in the order written, with the same numbers; the apps'
            // long polls (the customer's through the proxy across the kill) got the same.
            var customerReads = await InstanceConversation.TurnsAsync(first.BaseAddress, chat.CustomerPath, customerCookie);
            var agentReads = await InstanceConversation.TurnsAsync(second.BaseAddress, chat.StaffPath, agentCookie);
            Assert.Equal(24, chat.Said.Count);
            Assert.Equal(chat.Said, customerReads.Select(m => m.Body));
            Assert.Equal(customerReads, agentReads);
            Assert.Equal(customerReads.Select(m => m.Sequence).Order(), customerReads.Select(m => m.Sequence));
            Assert.Equal(customerReads.Count, customerReads.Select(m => m.Sequence).Distinct().Count());
            await Eventually.TrueAsync(() => customerApp.Turns.Count >= chat.Said.Count && agentApp.Turns.Count >= chat.Said.Count,
                $"both apps' long polls received all {chat.Said.Count} turns (customer {customerApp.Turns.Count}, agent {agentApp.Turns.Count})", Patience);
            Assert.Equal(customerReads, customerApp.Turns);
            Assert.Equal(customerReads, agentApp.Turns);

            // Chat goes on through the proxy, now to either instance.
            await ChatReachesAsync(write: nginx.BaseAddress, read: second.BaseAddress, sessionId, customerCookie, adminCookie, "Still there?");
        }
        finally
        {
            foreach (var agent in agents)
                await agent.DisposeAsync();
        }
    }

    /// <summary>
    /// The demo customer pairs the device with the code its heartbeat carries, and lets maintenance fixes run on it
    /// without asking each time (a standing consent, through the API); the device holds the consent set afterwards.
    /// </summary>
    /// <returns>The sequence of the heartbeat that carried the code.</returns>
    private static async Task<ulong> OwnWithStandingMaintenanceConsentAsync(Uri instance, string customerCookie, TestAgent device)
    {
        var code = PairingCodes.Create();
        var heartbeat = await device.EnqueueHeartbeatAsync(new Heartbeat { IntervalSeconds = 30, PairingCode = code });
        await Eventually.TrueAsync(() => device.Outbox.Depth == 0, "the heartbeat with the pairing code is stored", Patience);
        using var http = new HttpClient { BaseAddress = instance };
        foreach (var (path, body) in new (string, object)[]
        {
            ("api/me/devices/pair", new { code }),
            ($"api/me/devices/{device.DeviceId}/consents", new { action = "maintenance", days = 30 }),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            request.Headers.Add("Cookie", customerCookie);
            using var response = await http.SendAsync(request, Ct);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        }
        await Eventually.TrueAsync(() => device.Commands!.Consents?.Grants.Any(g => g.Action == ConsentAction.Maintenance) == true,
            "the device holds the standing maintenance consent", Patience);
        return heartbeat;
    }

    private static async Task TakeSessionAsync(Uri instance, string agentCookie, string sessionId)
    {
        using var http = new HttpClient { BaseAddress = instance };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{sessionId}/take");
        request.Headers.Add("Cookie", agentCookie);
        using var response = await http.SendAsync(request, Ct);
        Assert.True(response.IsSuccessStatusCode, $"taking the session: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
    }

    /// <summary>The instance (host:port) that answered a request through the proxy.</summary>
    private static async Task<string> AnsweredByAsync(NginxProxy nginx, string path, string cookie)
    {
        using var response = await GetAsync(nginx.BaseAddress, path, cookie);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // nginx lists every instance it tried, comma separated; the last one answered.
        return response.Headers.GetValues(NginxProxy.UpstreamHeader).Single().Split(',').Last().Trim();
    }

    /// <summary>The messages an instance stored since it started, from its own <c>/metrics</c> (Prometheus text).</summary>
    private static async Task<long> StoredByAsync(CloudProcess instance)
    {
        using var http = new HttpClient { BaseAddress = instance.BaseAddress };
        var text = await http.GetStringAsync("metrics", Ct);
        // "dx_messages_stored_total{labels} value [timestamp]"
        return text.Split('\n')
            .Where(line => line.StartsWith("dx_messages_stored", StringComparison.Ordinal))
            .Sum(line => (long)double.Parse(line[(line.IndexOf('}', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task<CloudProcess> StartInstanceAsync()
    {
        var home = Directory.CreateTempSubdirectory("dx-instance-home-").FullName;
        return await CloudProcess.StartAsync(Ct, extraArguments:
        [
            "--Storage:Provider=PostgreSQL",
            $"--Storage:ConnectionString={_connectionString}",
            "--Broker:Mode=External",
            "--Broker:External:Host=127.0.0.1",
            $"--Broker:External:Port={_mosquitto!.Port}",
            $"--Broker:External:UserName={MosquittoWithDynamicSecurity.AdminUser}",
            $"--Broker:External:Password={_mosquitto.AdminPassword}",
        ], environment: new Dictionary<string, string> { ["HOME"] = home });
    }

    private static async Task<(string Cookie, HttpStatusCode Status)> SignInAsync(Uri through, string email)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = through };
        using var response = await http.PostAsJsonAsync("api/auth/login", new { email, password = CloudProcess.DemoPassword }, Ct);
        Assert.True(response.IsSuccessStatusCode, $"signing in {email}: {(int)response.StatusCode}");
        return (cookies.GetCookieHeader(through), response.StatusCode);
    }

    private static async Task<HttpResponseMessage> GetAsync(Uri instance, string path, string cookie)
    {
        using var http = new HttpClient { BaseAddress = instance, Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await http.SendAsync(request, Ct);
    }

    private static async Task<string> OpenSessionAsync(Uri instance, string customerCookie)
    {
        using var http = new HttpClient { BaseAddress = instance };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/me/sessions") { Content = JsonContent.Create(new { text = "My printer stopped" }) };
        request.Headers.Add("Cookie", customerCookie);
        using var response = await http.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>
    /// Staff long-poll the session on <paramref name="read"/> while the customer writes on <paramref name="write"/>: every
    /// poll must come back with something (an empty answer is a wait that timed out, a wake-up that never came), the text
    /// arrives once, and the sequence numbers only grow.
    /// </summary>
    private static async Task ChatReachesAsync(Uri write, Uri read, string sessionId, string customerCookie, string staffCookie, string text)
    {
        using var staff = new HttpClient { BaseAddress = read, Timeout = TimeSpan.FromSeconds(90) };
        var seen = await ReadMessagesAsync(staff, sessionId, staffCookie, after: 0, waitSeconds: 0);
        var after = seen.Count == 0 ? 0 : seen.Max(m => m.Sequence);
        var poll = ReadMessagesAsync(staff, sessionId, staffCookie, after, waitSeconds: 30);

        using (var customer = new HttpClient { BaseAddress = write })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/me/sessions/{sessionId}/messages")
            {
                Content = JsonContent.Create(new { text, clientId = Guid.NewGuid().ToString("N") }),
            };
            request.Headers.Add("Cookie", customerCookie);
            using var posted = await customer.SendAsync(request, Ct);
            Assert.True(posted.IsSuccessStatusCode, $"posting: {(int)posted.StatusCode}");
        }

        var received = new List<(long Sequence, string Body)>();
        while (!received.Any(m => m.Body.Contains(text, StringComparison.Ordinal)))
        {
            var batch = await poll;
            Assert.True(batch.Count > 0, "a staff long poll on the other instance timed out instead of waking with the customer's message");
            received.AddRange(batch);
            poll = ReadMessagesAsync(staff, sessionId, staffCookie, batch.Max(m => m.Sequence), waitSeconds: 30);
        }
        Assert.Single(received, m => m.Body.Contains(text, StringComparison.Ordinal));
        Assert.Equal(received.Select(m => m.Sequence).Order(), received.Select(m => m.Sequence));
        Assert.Equal(received.Count, received.Select(m => m.Sequence).Distinct().Count());
    }

    private static Task<List<(long Sequence, string Body)>> ReadMessagesAsync(HttpClient staff, string sessionId, string cookie, long after, int waitSeconds) =>
        InstanceConversation.ReadAsync(staff, $"api/sessions/{sessionId}/messages", cookie, after, waitSeconds, Ct);

    private async Task<long> TelemetryRowsAsync() => await CountAsync("SELECT COUNT(*) FROM telemetry");

    private async Task<long> CountAsync(string sql, string? device = null)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        if (device is not null)
            command.Parameters.AddWithValue("device", device);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>What the fix loop did for the device, for a failure's message: its proposals and its audit trail.</summary>
    private async Task<string> FixTrailAsync(string deviceId)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        var lines = new List<string>();
        foreach (var sql in new[]
        {
            "SELECT id || ' ' || state || ' ' || COALESCE(article_id, '-') || ' ' || COALESCE(command, '-') || ' ' || COALESCE(note, '') FROM fix_proposals WHERE device_id = @device",
            "SELECT action || ' ' || actor || ' ' || details FROM audit_log WHERE device_id = @device ORDER BY seq",
        })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("device", deviceId);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
                lines.Add(reader.GetString(0));
        }
        return string.Join('\n', lines);
    }

    /// <summary>The details of the device's <c>command.result</c> audit records, one JSON object each.</summary>
    private async Task<List<string>> CommandResultsAsync(string deviceId)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT details FROM audit_log WHERE device_id = @device AND action = 'command.result' ORDER BY seq", connection);
        command.Parameters.AddWithValue("device", deviceId);
        var details = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
            details.Add(reader.GetString(0));
        return details;
    }

    private async Task<List<ulong>> StoredSequencesAsync(string deviceId)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT seq FROM telemetry WHERE device_id = @device ORDER BY seq", connection);
        command.Parameters.AddWithValue("device", deviceId);
        var sequences = new List<ulong>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
            sequences.Add(unchecked((ulong)reader.GetInt64(0)));
        return sequences;
    }
}
