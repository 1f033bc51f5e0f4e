using Diagnostics.Agent.Collectors;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Hosting;

/// <summary>
/// An agent on a print server or gateway watching several devices, each reported as its own device with its own
/// identity, outbox and MQTT connection. Empty (the default): the agent watches one device, described by
/// <see cref="AgentOptions"/>.
/// </summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    public List<WatchedDeviceOptions> Devices { get; set; } = [];

    public IEnumerable<string> Validate(AgentOptions agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Devices.Count; i++)
        {
            var device = Devices[i];
            var at = $"{Section}:Devices:{i}";
            if (!Topics.IsValidDeviceId(device.DeviceId))
                yield return $"{at}:DeviceId '{device.DeviceId}' is not valid: 1 to 64 letters, digits, '-', '_' or '.', not starting with '.'.";
            else if (!seen.Add(device.DeviceId))
                yield return $"{at}:DeviceId '{device.DeviceId}' is watched twice.";
            if (device.Token.Length == 0 && !Uri.TryCreate(agent.CloudUrl, UriKind.Absolute, out _))
                yield return $"{at}: set Token, or {AgentOptions.Section}:CloudUrl to provision one.";
            foreach (var error in CollectorCatalog.ValidateNames(device.Collectors, $"{at}:Collectors"))
                yield return error;
        }
    }
}

/// <summary>One device a gateway watches. Its collectors' settings live beside it (<c>Gateway:Devices:0:Ipp:PrinterUri</c>).</summary>
public sealed class WatchedDeviceOptions
{
    public string DeviceId { get; set; } = "";

    /// <summary>When empty, the device is provisioned through <c>Agent:CloudUrl</c> and its token kept in its data folder.</summary>
    public string Token { get; set; } = "";

    public string Model { get; set; } = "";

    /// <summary>Collector names joined by commas, the first leading: <c>ipp</c>, <c>ipp,snmp</c>, <c>snmp</c>.</summary>
    public string Collectors { get; set; } = "ipp";
}
