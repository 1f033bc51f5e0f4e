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

    [Fact(Timeout = 600_000)]
    public async Task Two_instances_share_sign_in_live_changes_chat_and_work_and_lose_nothing_when_one_is_killed()
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

        // The live hub on the second instance sees every stored event, whichever instance stored it.
        var live = new ConcurrentQueue<LiveDeviceChange>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(second.BaseAddress, LiveHub.Path.TrimStart('/')), o => o.Headers["Cookie"] = adminCookie)
            .Build();
        hub.On<LiveDeviceChange>(nameof(ILiveClient.DeviceChanged), live.Enqueue);
        await hub.StartAsync(Ct);

        var agents = new List<TestAgent>();
        var sent = new Dictionary<string, List<ulong>>();
        try
        {
            for (var i = 0; i < Devices; i++)
            {
                var (id, token) = await first.RegisterAsync($"inst-{i}", Ct);
                agents.Add(TestAgent.Start(new AgentCredentials(id, token), new AgentBroker { Port = _mosquitto!.Port, AckTimeout = TimeSpan.FromSeconds(2) }));
                sent[id] = [];
            }
            const int firstRound = 10;
            foreach (var agent in agents)
                sent[agent.DeviceId].AddRange(await agent.EnqueueEventsAsync(firstRound, "test:instances"));
            await Eventually.TrueAsync(() => agents.All(a => a.Outbox.Depth == 0), "every agent's first round acked", Patience);
            await Eventually.TrueAsync(() => live.Sum(c => c.Events.Count) >= Devices * firstRound,
                $"the hub on the second instance told of all {Devices * firstRound} events (so far {live.Sum(c => c.Events.Count)})", Patience);
            Assert.Equal(Devices * firstRound, live.Sum(c => c.Events.Count));

            // Chat: the customer writes through the first instance, staff waiting on the second wake up with it.
            var sessionId = await OpenSessionAsync(first.BaseAddress, customerCookie);
            await ChatReachesAsync(write: first.BaseAddress, read: second.BaseAddress, sessionId, customerCookie, adminCookie, "Tray 1 is empty but it says jam");

            // Mid-traffic: a jam and a second round in flight when the first instance is killed.
            var jammed = agents[0];
            var jam = await jammed.EnqueueEventAsync(new DeviceEvent
            {
                Kind = EventKind.Raised, Code = "ipp:media-jam", Condition = "PAPER_JAM", Severity = Severity.Error, Message = "Paper jam in tray 1",
            });
            sent[jammed.DeviceId].Add(jam);
            const int secondRound = 40;
            var flood = Task.WhenAll(agents.Select(async agent => sent[agent.DeviceId].AddRange(await agent.EnqueueEventsAsync(secondRound, "test:instances:kill"))));
            await Eventually.TrueAsync(async () => await TelemetryRowsAsync() > Devices * firstRound + 2, "the second round is under way");
            await first.Process.KillHardAsync();
            await flood;

            await Eventually.TrueAsync(() => agents.All(a => a.Outbox.Depth == 0), "every agent's outbox acked by the survivor", Patience);
            foreach (var (deviceId, sequences) in sent)
            {
                var stored = await StoredSequencesAsync(deviceId);
                Assert.Equal(sequences.Order(), stored);
            }
            Assert.Equal(Devices * (firstRound + secondRound) + 1, await TelemetryRowsAsync());

            // The jam: its inbox entry handled (by whichever instance held the fix loop's lease), one proposal.
            await Eventually.TrueAsync(async () => await CountAsync("SELECT COUNT(*) FROM fix_inbox") == 0
                && await CountAsync("SELECT COUNT(*) FROM fix_proposals") > 0, "the jam is proposed a fix", Patience);
            Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM fix_proposals WHERE device_id = @device AND code = 'ipp:media-jam'", jammed.DeviceId));
            Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM audit_log WHERE device_id = @device AND action = 'fix.proposed'", jammed.DeviceId));

            // Chat goes on through the proxy, which now finds only the survivor.
            await ChatReachesAsync(write: nginx.BaseAddress, read: second.BaseAddress, sessionId, customerCookie, adminCookie, "Still there?");
        }
        finally
        {
            foreach (var agent in agents)
                await agent.DisposeAsync();
        }
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

    private static async Task<List<(long Sequence, string Body)>> ReadMessagesAsync(HttpClient staff, string sessionId, string cookie, long after, int waitSeconds)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/sessions/{sessionId}/messages?after={after}&waitSeconds={waitSeconds}");
        request.Headers.Add("Cookie", cookie);
        using var response = await staff.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.EnumerateArray().Select(m => (m.GetProperty("sequence").GetInt64(), m.GetProperty("body").GetString() ?? ""))];
    }

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
