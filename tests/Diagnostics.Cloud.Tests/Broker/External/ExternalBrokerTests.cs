using AgentCredentials = Diagnostics.Agent.Provisioning.DeviceCredentials;
using Diagnostics.Cloud.Broker.External;
using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace Diagnostics.Cloud.Tests.Broker.External;

/// <summary>
/// <c>Broker:Mode=External</c> against a real Mosquitto with its dynamic-security plugin: the cloud is an MQTT 5 client
/// on a shared subscription, and Mosquitto authenticates the devices and enforces their topics with the accounts the
/// cloud keeps there.
/// </summary>
public sealed class ExternalBrokerTests : IAsyncLifetime
{
    private MosquittoWithDynamicSecurity? _mosquitto;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MosquittoWithDynamicSecurity Mosquitto => _mosquitto!;

    public async ValueTask InitializeAsync() => _mosquitto = await MosquittoWithDynamicSecurity.StartAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        if (_mosquitto is not null)
            await _mosquitto.DisposeAsync();
    }

    [Fact]
    public async Task An_agent_connects_through_mosquitto_with_its_token_and_its_events_are_stored_and_acked()
    {
        await using var cloud = await StartCloudAsync();
        var token = await cloud.RegisterAsync("ext-agent-1");

        await using var agent = TestAgent.Start(new AgentCredentials("ext-agent-1", token), new Agent.Uplink.BrokerOptions { Port = Mosquitto.Port });
        var sequences = await agent.EnqueueEventsAsync(20, "test:external");

        // The outbox empties only on the cloud's acks, which come back through Mosquitto on the device's downlink.
        await Eventually.TrueAsync(() => agent.Outbox.Depth == 0, "the agent's outbox is drained by the cloud's acks");
        var stored = await cloud.StoredSequencesAsync("ext-agent-1");
        Assert.Superset(sequences.ToHashSet(), stored.ToHashSet());
        Assert.Equal(stored.Count, stored.Distinct().Count());
    }

    [Fact]
    public async Task Another_devices_topics_are_refused_by_the_broker()
    {
        await using var cloud = await StartCloudAsync();
        var token = await cloud.RegisterAsync("ext-acl-a");
        await cloud.RegisterAsync("ext-acl-b");
        await using var device = await DeviceClient.ConnectAsync(Mosquitto.Port, "ext-acl-a", token);

        var forged = new Envelope
        {
            DeviceId = "ext-acl-b",
            Sequence = 1,
            SchemaVersion = Envelope.CurrentSchemaVersion,
            Event = new DeviceEvent { Kind = EventKind.Raised, Code = "test:forged" },
        };
        var published = await device.PublishAsync(Topics.Uplink("ext-acl-b", forged.Kind!.Value), WireCodec.Encode(forged));
        var subscribed = await device.SubscribeAsync(Topics.DownlinkFilter("ext-acl-b"));
        var own = await device.SendAsync(device.NewEnvelope(@event: new DeviceEvent { Kind = EventKind.Raised, Code = "test:own" }));
        await device.WaitForAckAsync(1);

        // MQTT 5: PUBACK and SUBACK reason code 0x87 Not authorized (OASIS MQTT 5.0, 3.4.2.1 and 3.9.3).
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, published.ReasonCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, subscribed.Items.Single().ResultCode);
        Assert.True(own.IsSuccess);
        Assert.Empty(await cloud.StoredSequencesAsync("ext-acl-b"));
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await DeviceClient.ConnectRefusedAsync(Mosquitto.Port, "ext-acl-b", "ext-acl-b", token));
    }

    [Fact]
    public async Task A_revoked_device_is_disconnected_and_refused_by_the_broker_at_once()
    {
        await using var cloud = await StartCloudAsync();
        var token = await cloud.RegisterAsync("ext-revoked");
        await using var device = await DeviceClient.ConnectAsync(Mosquitto.Port, "ext-revoked", token);

        Assert.True(await cloud.Registry.RevokeAsync("ext-revoked", DeviceRegistry.SystemActor, Ct));

        // Mosquitto ends the session of a deleted client itself; the revocation does not wait for the cloud's poll.
        await device.Disconnected.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await DeviceClient.ConnectRefusedAsync(Mosquitto.Port, "ext-revoked", "ext-revoked", token));
    }

    [Fact]
    public async Task A_device_registered_again_keeps_its_new_account_when_the_revocation_is_read_later()
    {
        await using var cloud = await StartCloudAsync();
        await cloud.RegisterAsync("ext-again");
        Assert.True(await cloud.Registry.RevokeAsync("ext-again", DeviceRegistry.SystemActor, Ct));
        var token = await cloud.RegisterAsync("ext-again");

        // What every instance does when it reads the audit trail: the revocation is older than the new registration.
        await cloud.Services.GetRequiredService<IDeviceSessions>().EndRevokedSessionsAsync(Ct);

        await using var device = await DeviceClient.ConnectAsync(Mosquitto.Port, "ext-again", token);
        Assert.True(device.IsConnected);
    }

    [Fact]
    public async Task A_rotated_device_connects_with_its_new_token_only()
    {
        await using var cloud = await StartCloudAsync();
        var old = await cloud.RegisterAsync("ext-rotated");

        var rotated = await cloud.Registry.RotateAsync("ext-rotated", DeviceRegistry.SystemActor, Ct);

        Assert.NotNull(rotated);
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await DeviceClient.ConnectRefusedAsync(Mosquitto.Port, "ext-rotated", "ext-rotated", old));
        await using var device = await DeviceClient.ConnectAsync(Mosquitto.Port, "ext-rotated", rotated.Token);
        Assert.True(device.IsConnected);
    }

    [Fact]
    public async Task The_devices_command_line_gives_and_takes_the_account_in_mosquitto()
    {
        var path = CloudHost.TempDatabasePath();
        string[] broker = [.. ExternalSettings().Select(s => $"--{s.Key}={s.Value}"), $"--Storage:Path={path}"];
        using var output = new StringWriter();

        Assert.Equal(0, await DevicesCli.RunAsync(["devices", "register", "--id", "ext-cli", .. broker], output, TextWriter.Null, BrokerExtensions.ForDeviceCommands, Ct));
        var token = output.ToString().Split('\n').Single(l => l.StartsWith("token:", StringComparison.Ordinal))["token:".Length..].Trim();
        await using (var device = await DeviceClient.ConnectAsync(Mosquitto.Port, "ext-cli", token))
            Assert.True(device.IsConnected);
        Assert.Equal(0, await DevicesCli.RunAsync(["devices", "revoke", "ext-cli", .. broker], TextWriter.Null, TextWriter.Null, BrokerExtensions.ForDeviceCommands, Ct));

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await DeviceClient.ConnectRefusedAsync(Mosquitto.Port, "ext-cli", "ext-cli", token));
    }

    [Fact]
    public async Task Two_instances_split_the_shared_subscription_and_the_survivor_takes_everything_when_one_stops()
    {
        const int devices = 4;
        const int perRound = 25;
        await using var first = await StartCloudAsync();
        var second = await StartCloudAsync(first.DatabasePath);
        var clients = new List<DeviceClient>();
        var sent = new Dictionary<string, List<ulong>>();
        try
        {
            for (var i = 0; i < devices; i++)
                clients.Add(await DeviceClient.ConnectAsync(Mosquitto.Port, $"ext-share-{i}", await first.RegisterAsync($"ext-share-{i}")));

            await SendRoundAsync(clients, perRound, sent);
            await Eventually.TrueAsync(async () => await first.TotalTelemetryRowsAsync() == devices * perRound, "the first round stored");
            var firstShare = first.Metrics.ReceivedTotal;
            var secondShare = second.Metrics.ReceivedTotal;
            Assert.Equal(devices * perRound, firstShare + secondShare);
            Assert.True(firstShare > 0 && secondShare > 0, $"both instances take part (first {firstShare}, second {secondShare})");

            await second.DisposeAsync();
            await SendRoundAsync(clients, perRound, sent);
            await Eventually.TrueAsync(async () => await first.TotalTelemetryRowsAsync() == 2 * devices * perRound, "the second round stored");

            Assert.Equal(firstShare + devices * perRound, first.Metrics.ReceivedTotal);
            foreach (var client in clients)
                Assert.Equal(sent[client.DeviceId], await first.StoredSequencesAsync(client.DeviceId));
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
            await second.DisposeAsync();
        }
    }

    /// <summary>Sends <paramref name="count"/> events from each device, each taken by the broker (PUBACK), and notes their sequences.</summary>
    private static async Task SendRoundAsync(List<DeviceClient> clients, int count, Dictionary<string, List<ulong>> sent)
    {
        foreach (var client in clients)
        {
            for (var i = 0; i < count; i++)
            {
                var envelope = client.NewEnvelope(@event: new DeviceEvent { Kind = EventKind.Raised, Code = "test:share:" + i });
                var published = await client.SendAsync(envelope);
                Assert.True(published.IsSuccess, $"{client.DeviceId}: {published.ReasonCode}");
                (sent.TryGetValue(client.DeviceId, out var list) ? list : sent[client.DeviceId] = []).Add(envelope.Sequence);
            }
        }
    }

    /// <summary>A cloud instance on the external broker, started and subscribed.</summary>
    private async Task<CloudHost> StartCloudAsync(string? databasePath = null)
    {
        var cloud = new CloudHost(databasePath, ExternalSettings());
        var connection = cloud.Services.GetRequiredService<ExternalBrokerConnection>();
        await Eventually.TrueAsync(() => connection.IsReady, $"the cloud is connected and subscribed to Mosquitto\n{Mosquitto.Log}");
        return cloud;
    }

    private Dictionary<string, string?> ExternalSettings() => new()
    {
        ["Broker:Mode"] = "External",
        ["Broker:External:Host"] = "127.0.0.1",
        ["Broker:External:Port"] = Mosquitto.Port.ToString(),
        ["Broker:External:UserName"] = MosquittoWithDynamicSecurity.AdminUser,
        ["Broker:External:Password"] = Mosquitto.AdminPassword,
        ["Broker:External:ReconnectMinDelay"] = "00:00:00.050",
        ["Broker:External:ReconnectMaxDelay"] = "00:00:00.500",
    };
}
