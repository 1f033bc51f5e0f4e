using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Observability;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace Diagnostics.Cloud.Broker.External;

/// <summary>
/// Keeps the devices' accounts in Mosquitto 2's dynamic-security plugin, whose commands are JSON published to
/// <c>$CONTROL/dynamic-security/v1</c> and answered on <c>…/response</c> (matched by <c>correlationData</c>). Each device is
/// a client whose user name and client id are its device id, with a role of its own that allows only its topics: publish
/// under <c>dx/{id}/up/#</c> and on <c>dx/{id}/presence</c>, subscribe to <c>dx/{id}/down/#</c>. Everything else falls to
/// the plugin's defaults (publish and subscribe denied). The cloud's own account gets the role <c>dx-cloud</c> (its
/// shared subscriptions, every device's downlink) when it first connects: the plugin then ends that session once, and the
/// connection reconnects.
/// </summary>
public sealed partial class MosquittoDynamicSecurity(
    IOptions<BrokerOptions> options, Lazy<ExternalBrokerConnection> connection, ILogger<MosquittoDynamicSecurity> logger)
    : IExternalBrokerSubscriber, IBrokerDeviceAccounts
{
    public const string CommandTopic = "$CONTROL/dynamic-security/v1";
    public const string ResponseTopic = CommandTopic + "/response";
    public const string CloudRole = "dx-cloud";

    private readonly ExternalBrokerOptions _settings = options.Value.External;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Reply>> _pending = new(StringComparer.Ordinal);

    /// <summary>The role that holds one device's topics.</summary>
    public static string DeviceRole(string deviceId) => "dx-device-" + deviceId;

    /// <summary>A device's rights (<see cref="TopicAcl"/>): its own uplink and presence to publish, its own downlink to subscribe to.</summary>
    public static IReadOnlyList<Acl> DeviceAcls(string deviceId) =>
    [
        .. TopicAcl.DevicePublishPatterns(deviceId).Select(p => new Acl("publishClientSend", p)),
        new("subscribePattern", TopicAcl.DeviceSubscribePattern(deviceId)),
        new("publishClientReceive", TopicAcl.DeviceSubscribePattern(deviceId)),
    ];

    /// <summary>The cloud's rights (<see cref="TopicAcl"/>): its shared subscriptions, and every device's downlink to publish.</summary>
    public static IReadOnlyList<Acl> CloudAcls(string shareGroup) =>
    [
        new("publishClientSend", TopicAcl.CloudPublishPattern),
        .. TopicAcl.CloudSubscribePatterns(shareGroup).Select(p => new Acl("subscribePattern", p)),
    ];

    public IReadOnlyList<string> Filters => [ResponseTopic];

    public bool Owns(string topic) => topic == ResponseTopic;

    public Task HandleAsync(ExternalBrokerConnection source, string topic, ReadOnlySequence<byte> payload, CancellationToken cancellationToken)
    {
        using var json = JsonDocument.Parse(payload.ToArray());
        if (!json.RootElement.TryGetProperty("responses", out var responses) || responses.ValueKind != JsonValueKind.Array)
            return Task.CompletedTask;
        foreach (var response in responses.EnumerateArray())
        {
            // Every instance subscribed to the response topic sees every answer: only the ones it asked for are its.
            if (response.TryGetProperty("correlationData", out var id) && id.GetString() is { } key && _pending.TryRemove(key, out var waiting))
            {
                waiting.TrySetResult(new Reply(
                    response.TryGetProperty("command", out var command) ? command.GetString() ?? "" : "",
                    response.TryGetProperty("error", out var error) ? error.GetString() : null,
                    response.TryGetProperty("data", out var data) ? JsonNode.Parse(data.GetRawText()) : null));
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Gives the cloud's own account the <see cref="CloudRole"/> with the rights it needs, once.</summary>
    public async Task PrepareAsync(ExternalBrokerConnection source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var wanted = CloudAcls(_settings.ShareGroup);
        var role = await RunOneAsync(source, false, Command("getRole", ("rolename", CloudRole)), cancellationToken);
        if (role.Error is not null)
        {
            Expect(await RunOneAsync(source, false, CreateRole(CloudRole, wanted, "Diagnostics cloud instances"), cancellationToken));
            LogCloudRole(CloudRole, "created");
        }
        else
        {
            var held = role.Data?["role"]?["acls"]?.AsArray().Select(a => new Acl(a?["acltype"]?.GetValue<string>() ?? "", a?["topic"]?.GetValue<string>() ?? "")).ToHashSet() ?? [];
            foreach (var missing in wanted.Where(a => !held.Contains(a)))
            {
                Expect(await RunOneAsync(source, false, Command("addRoleACL",
                    ("rolename", CloudRole), ("acltype", missing.Type), ("topic", missing.Topic), ("allow", true), ("priority", 0)), cancellationToken));
                LogCloudRoleAcl(CloudRole, missing.Type, missing.Topic);
            }
        }
        var client = Expect(await RunOneAsync(source, false, Command("getClient", ("username", _settings.UserName)), cancellationToken));
        var roles = client.Data?["client"]?["roles"]?.AsArray().Select(r => r?["rolename"]?.GetValue<string>()).ToList() ?? [];
        if (!roles.Contains(CloudRole))
        {
            // The plugin ends this session to apply the change: the connection notices and connects again.
            Expect(await RunOneAsync(source, false, Command("addClientRole", ("username", _settings.UserName), ("rolename", CloudRole), ("priority", 0)), cancellationToken));
            LogCloudRoleGiven(CloudRole, _settings.UserName);
        }
    }

    public async Task SetAsync(string deviceId, string password, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var role = DeviceRole(deviceId);
        var created = await RunAsync(connection.Value, true,
        [
            CreateRole(role, DeviceAcls(deviceId), $"Topics of device {deviceId}"),
            Command("createClient", ("username", deviceId), ("password", password), ("clientid", deviceId),
                ("roles", new JsonArray(new JsonObject { ["rolename"] = role, ["priority"] = 0 }))),
        ], cancellationToken);
        if (created[0].Error is { } roleError && roleError != "Role already exists")
            throw new InvalidOperationException($"Mosquitto refused createRole {role}: {roleError}");
        if (created[1].Error is null)
        {
            LogAccount(deviceId, "created");
            return;
        }
        if (created[1].Error != "Client already exists")
            throw new InvalidOperationException($"Mosquitto refused createClient {deviceId}: {created[1].Error}");
        // A device registered again after its decommission, or a rotated one: the new password, and enabled.
        var updated = await RunAsync(connection.Value, true,
        [
            Command("setClientPassword", ("username", deviceId), ("password", password)),
            Command("setClientId", ("username", deviceId), ("clientid", deviceId)),
            Command("enableClient", ("username", deviceId)),
        ], cancellationToken);
        // The client keeps the role it was created with (Mosquitto 2.0 answers "Internal error" to adding it again).
        foreach (var reply in updated.Where(r => r.Error is not null))
            throw new InvalidOperationException($"Mosquitto refused {reply.Command} {deviceId}: {reply.Error}");
        LogAccount(deviceId, "given a new password");
    }

    public async Task RemoveAsync(string deviceId, CancellationToken cancellationToken)
    {
        var removed = await RunAsync(connection.Value, true,
        [
            Command("deleteClient", ("username", deviceId)),
            Command("deleteRole", ("rolename", DeviceRole(deviceId))),
        ], cancellationToken);
        foreach (var reply in removed.Where(r => r.Error is not null && r.Error is not ("Client not found" or "Role not found")))
            throw new InvalidOperationException($"Mosquitto refused {reply.Command} {deviceId}: {reply.Error}");
        LogAccount(deviceId, "removed");
    }

    /// <summary>The rotation gave the account its new password when it was made (<see cref="SetAsync"/>), and the plugin ended the old session then.</summary>
    public Task EndRotatedSessionAsync(string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<Reply> RunOneAsync(ExternalBrokerConnection source, bool waitForReady, JsonObject command, CancellationToken cancellationToken) =>
        (await RunAsync(source, waitForReady, [command], cancellationToken))[0];

    /// <summary>Sends the commands in one message and waits for each one's answer (in order).</summary>
    private async Task<IReadOnlyList<Reply>> RunAsync(ExternalBrokerConnection source, bool waitForReady, IReadOnlyList<JsonObject> commands, CancellationToken cancellationToken)
    {
        var waits = new List<(string Key, TaskCompletionSource<Reply> Reply)>(commands.Count);
        foreach (var command in commands)
        {
            var key = Guid.NewGuid().ToString("N");
            command["correlationData"] = key;
            var reply = new TaskCompletionSource<Reply>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[key] = reply;
            waits.Add((key, reply));
        }
        try
        {
            var body = new JsonObject { ["commands"] = new JsonArray([.. commands]) };
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(CommandTopic)
                .WithPayload(JsonSerializer.SerializeToUtf8Bytes(body))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            await source.PublishAsync(message, waitForReady, cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_settings.Timeout);
            var replies = new List<Reply>(waits.Count);
            foreach (var (_, reply) in waits)
            {
                try
                {
                    replies.Add(await reply.Task.WaitAsync(timeout.Token));
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"Mosquitto's dynamic-security plugin did not answer within {_settings.Timeout.TotalSeconds} s (is the plugin loaded, and is {_settings.UserName} its administrator?).");
                }
            }
            return replies;
        }
        finally
        {
            foreach (var (key, _) in waits)
                _pending.TryRemove(key, out _);
        }
    }

    private static Reply Expect(Reply reply) =>
        reply.Error is null ? reply : throw new InvalidOperationException($"Mosquitto refused {reply.Command}: {reply.Error}");

    private static JsonObject CreateRole(string role, IReadOnlyList<Acl> acls, string description) =>
        Command("createRole", ("rolename", role), ("textdescription", description),
            ("acls", new JsonArray([.. acls.Select(a => (JsonNode)new JsonObject { ["acltype"] = a.Type, ["topic"] = a.Topic, ["allow"] = true, ["priority"] = 0 })])));

    private static JsonObject Command(string name, params (string Key, JsonNode? Value)[] fields)
    {
        var command = new JsonObject { ["command"] = name };
        foreach (var (key, value) in fields)
            command[key] = value;
        return command;
    }

    /// <summary>One ACL entry of a role (allowed).</summary>
    public readonly record struct Acl(string Type, string Topic);

    private sealed record Reply(string Command, string? Error, JsonNode? Data);

    [LoggerMessage(EventId = BrokerEventIds.BrokerAccountChanged, Level = LogLevel.Information, Message = "Broker account of device {DeviceId} {Change}")]
    private partial void LogAccount(string deviceId, string change);

    [LoggerMessage(EventId = BrokerEventIds.BrokerCloudRole, Level = LogLevel.Information, Message = "Broker role {Role} {Change}")]
    private partial void LogCloudRole(string role, string change);

    [LoggerMessage(EventId = BrokerEventIds.BrokerCloudRole, Level = LogLevel.Information, Message = "Broker role {Role} given {AclType} {Topic}")]
    private partial void LogCloudRoleAcl(string role, string aclType, string topic);

    [LoggerMessage(EventId = BrokerEventIds.BrokerCloudRole, Level = LogLevel.Information, Message = "Broker role {Role} given to {UserName}")]
    private partial void LogCloudRoleGiven(string role, string userName);
}
