using Diagnostics.Testing;
using Microsoft.Data.Sqlite;

namespace Diagnostics.EndToEnd.Tests;

/// <summary>
/// The delivery guarantee of ARCHITECTURE.md, with the cloud and the agent as separate processes: the cloud dies
/// while the agent keeps producing, the agent is killed with SIGKILL, both come back, and every message the agent
/// ever created is stored exactly once, in order.
/// </summary>
public sealed class DeliveryGuaranteeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Every_message_arrives_exactly_once_and_in_order_across_cloud_outage_and_agent_kill()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cloud = await CloudProcess.StartAsync(ct);
        var (deviceId, token) = await cloud.RegisterAsync("e2e-printer", ct);
        var agentData = Directory.CreateTempSubdirectory("dx-agent-").FullName;
        var outboxPath = Path.Combine(agentData, "outbox.db");

        var agent = StartAgent(deviceId, token, agentData, cloud.MqttPort);
        ulong lastCreatedBeforeKill;
        try
        {
            // Online: messages flow and are acknowledged.
            await WaitUntilAsync(async () => await CloudStoredCountAsync(cloud, deviceId) >= 5, "the cloud to store 5 messages", agent, ct);

            // The cloud dies; the agent keeps producing into its outbox.
            await cloud.Process.KillHardAsync();
            var depthAtOutage = OutboxSequences(outboxPath).Count;
            await WaitUntilAsync(() => Task.FromResult(OutboxSequences(outboxPath).Count >= depthAtOutage + 10),
                "the agent to queue 10 more messages while the cloud is down", agent, ct);

            // The agent dies hard, mid-stream.
            await agent.KillHardAsync();
            var queuedAtKill = OutboxSequences(outboxPath);
            Assert.NotEmpty(queuedAtKill);
            lastCreatedBeforeKill = queuedAtKill[^1];

            // Everything comes back.
            await cloud.RestartAsync(ct);
            agent = StartAgent(deviceId, token, agentData, cloud.MqttPort);
            await WaitUntilAsync(async () => await CloudHighestStoredAsync(cloud, deviceId) > lastCreatedBeforeKill,
                "the cloud to store past the last sequence created before the kill", agent, ct);
            await agent.StopAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            await agent.DisposeAsync();
        }
        await cloud.Process.StopAsync(TimeSpan.FromSeconds(20));

        var stored = StoredSequences(cloud.DatabasePath, deviceId);
        var stillQueued = OutboxSequences(outboxPath);

        // Exactly once: the store's key forbids a second copy; contiguity proves none is missing.
        Assert.Equal(stored.Count, stored.Distinct().Count());
        for (var i = 1; i < stored.Count; i++)
            Assert.True(stored[i] == stored[i - 1] + 1, $"Gap or disorder in stored sequences between {stored[i - 1]} and {stored[i]}.");
        Assert.Contains(lastCreatedBeforeKill, stored);
        // What the agent still holds after its clean stop continues the stored run without a gap. It may overlap it:
        // a message stored just before the stop whose ack had not arrived yet is sent again and dropped as a duplicate.
        if (stillQueued.Count > 0)
        {
            Assert.True(stillQueued[0] <= stored[^1] + 1,
                $"Gap between the last stored sequence {stored[^1]} and the first still queued {stillQueued[0]}.");
            Assert.True(stillQueued[0] >= stored[0], "The agent still holds a sequence older than anything stored.");
        }
        // In order: the cloud stored each message no earlier than the one before it.
        var receivedTimes = StoredReceiveTimes(cloud.DatabasePath, deviceId);
        var firstOutOfOrder = Enumerable.Range(1, receivedTimes.Count - 1).FirstOrDefault(i => receivedTimes[i] < receivedTimes[i - 1]);
        Assert.True(firstOutOfOrder == 0, $"Sequence {stored.ElementAtOrDefault(firstOutOfOrder)} was stored before {stored.ElementAtOrDefault(firstOutOfOrder - 1)}.");
    }

    private static ChildProcess StartAgent(string deviceId, string token, string dataDirectory, int mqttPort) =>
        ChildProcess.StartDotnet("agent", RepositoryLayout.AgentDll,
        [
            "run",
            $"--Agent:DeviceId={deviceId}",
            $"--Agent:Token={token}",
            $"--Agent:DataDirectory={dataDirectory}",
            "--Agent:PollInterval=00:00:00.100",
            "--Agent:HeartbeatInterval=00:00:01",
            "--Broker:Host=127.0.0.1",
            $"--Broker:Port={mqttPort}",
            "--Broker:ReconnectMinDelay=00:00:00.200",
            "--Broker:ReconnectMaxDelay=00:00:01",
            "--Simulator:TimeScale=120",
        ]);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, ChildProcess agent, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Patience);
        while (!await condition())
        {
            if (agent.HasExited)
                Assert.Fail($"The agent exited while waiting for {what}:\n{agent.Tail()}");
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"Timed out after {Patience} waiting for {what}. Agent output:\n{agent.Tail()}");
            }
        }
    }

    private static async Task<long> CloudStoredCountAsync(CloudProcess cloud, string deviceId) =>
        await Task.Run(() => StoredSequences(cloud.DatabasePath, deviceId).Count);

    private static async Task<ulong> CloudHighestStoredAsync(CloudProcess cloud, string deviceId) =>
        await Task.Run(() => StoredSequences(cloud.DatabasePath, deviceId) is { Count: > 0 } s ? s[^1] : 0);

    private static List<ulong> StoredSequences(string databasePath, string deviceId) =>
        Query(databasePath, "SELECT seq FROM telemetry WHERE device_id = $id ORDER BY seq", deviceId, r => (ulong)r.GetInt64(0));

    private static List<long> StoredReceiveTimes(string databasePath, string deviceId) =>
        Query(databasePath, "SELECT received_time_ms FROM telemetry WHERE device_id = $id ORDER BY seq", deviceId, r => r.GetInt64(0));

    private static List<ulong> OutboxSequences(string outboxPath) =>
        Query(outboxPath, "SELECT sequence FROM messages ORDER BY sequence", null, r => (ulong)r.GetInt64(0));

    private static List<T> Query<T>(string databasePath, string sql, string? deviceId, Func<SqliteDataReader, T> read)
    {
        if (!File.Exists(databasePath))
            return [];
        // Read-only beside the live writer: WAL lets a reader see the last committed state.
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (deviceId is not null)
            command.Parameters.AddWithValue("$id", deviceId);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
            rows.Add(read(reader));
        return rows;
    }
}
