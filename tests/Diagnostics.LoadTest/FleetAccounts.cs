using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Diagnostics.Protocol;

namespace Diagnostics.LoadTest;

/// <summary>
/// The fleet's devices as Mosquitto dynamic-security accounts, written into the plugin's file before Mosquitto starts:
/// the same client and role per device that the cloud's <c>MosquittoDynamicSecurity.SetAsync</c> creates through the
/// plugin's commands (user name and client id the device id, a role <c>dx-device-{id}</c> allowing its uplink and
/// presence to publish and its downlink to subscribe to and receive), with the plugin's own password hash (PBKDF2 with
/// SHA-512, 101 iterations, a 12-byte salt, as <c>mosquitto_ctrl</c> writes it). Written in bulk because the plugin
/// rewrites its whole file for every command: registering 10,000 devices one by one through the cloud takes longer
/// than the run (the <c>instances</c> run saw 72/s fall to 15/s by 2,250 accounts, then a time-out). A fleet device
/// whose account differed from the cloud's would fail to connect, publish or get its acks, which the run reports.
/// </summary>
internal sealed class FleetAccounts
{
    private const int Iterations = 101;
    private readonly JsonArray _clients = [];
    private readonly JsonArray _roles = [];

    public static async Task<FleetAccounts> FromCredentialsAsync(string credentialsFile, CancellationToken ct)
    {
        var accounts = new FleetAccounts();
        foreach (var line in await File.ReadAllLinesAsync(credentialsFile, ct))
        {
            var parts = line.Split(' ', 2);
            accounts.Add(parts[0], parts[1]);
        }
        return accounts;
    }

    /// <summary>Accounts for devices given with their passwords (the ingest run's bare Mosquitto).</summary>
    public static FleetAccounts Of(IEnumerable<(string DeviceId, string Password)> devices)
    {
        var accounts = new FleetAccounts();
        foreach (var (deviceId, password) in devices)
            accounts.Add(deviceId, password);
        return accounts;
    }

    public int Count => _clients.Count;

    private void Add(string deviceId, string password)
    {
        var role = "dx-device-" + deviceId;
        var salt = RandomNumberGenerator.GetBytes(12);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA512, 64);
        _clients.Add(new JsonObject
        {
            ["username"] = deviceId,
            ["clientid"] = deviceId,
            ["password"] = Convert.ToBase64String(hash),
            ["salt"] = Convert.ToBase64String(salt),
            ["iterations"] = Iterations,
            ["roles"] = new JsonArray(new JsonObject { ["rolename"] = role, ["priority"] = 0 }),
        });
        _roles.Add(new JsonObject
        {
            ["rolename"] = role,
            ["acls"] = new JsonArray(
                Acl("publishClientSend", $"{Topics.Root}/{deviceId}/up/#"),
                Acl("publishClientSend", Topics.Presence(deviceId)),
                Acl("subscribePattern", Topics.DownlinkFilter(deviceId)),
                Acl("publishClientReceive", Topics.DownlinkFilter(deviceId))),
        });
    }

    private static JsonObject Acl(string type, string topic) => new() { ["acltype"] = type, ["topic"] = topic, ["allow"] = true, ["priority"] = 0 };

    /// <summary>Adds every account to the plugin's file made by <c>dynsec init</c> (its administrator kept).</summary>
    public async Task WriteIntoAsync(string dynamicSecurityFile, CancellationToken ct)
    {
        var document = JsonNode.Parse(await File.ReadAllTextAsync(dynamicSecurityFile, ct))!.AsObject();
        var clients = document["clients"]!.AsArray();
        var roles = document["roles"]!.AsArray();
        foreach (var client in _clients)
            clients.Add(client!.DeepClone());
        foreach (var role in _roles)
            roles.Add(role!.DeepClone());
        await File.WriteAllTextAsync(dynamicSecurityFile, document.ToJsonString(new JsonSerializerOptions { WriteIndented = false }), ct);
    }
}
