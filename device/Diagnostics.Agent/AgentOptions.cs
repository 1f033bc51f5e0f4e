namespace Diagnostics.Agent;

/// <summary>Who this agent is, where it keeps its state and how often it reports.</summary>
public sealed class AgentOptions
{
    public const string Section = "Agent";

    /// <summary>Device id: letters, digits, '-', '_', '.'; also the MQTT client id and user name.</summary>
    public string DeviceId { get; set; } = "";

    /// <summary>Device token (MQTT password). When empty, the agent provisions itself through <see cref="CloudUrl"/>.</summary>
    public string Token { get; set; } = "";

    /// <summary>The cloud's base address, used only to provision when there is no token.</summary>
    public string CloudUrl { get; set; } = "";

    /// <summary>The cloud's <c>Devices:EnrollmentKey</c>, presented when the agent registers itself.</summary>
    public string EnrollmentKey { get; set; } = "";

    /// <summary>
    /// How the device proves itself to the broker: <see cref="DeviceAuthentication.Token"/> (its token as the MQTT
    /// password), or <see cref="DeviceAuthentication.Certificate"/> (a client certificate for a key made on the device,
    /// enrolled through <see cref="CloudUrl"/> and renewed by itself; needs <c>Broker:UseTls=true</c>).
    /// </summary>
    public DeviceAuthentication Authentication { get; set; } = DeviceAuthentication.Token;

    /// <summary>Model reported when provisioning.</summary>
    public string Model { get; set; } = "Acme LaserPro 400";

    /// <summary>Holds outbox.db and credentials.json.</summary>
    public string DataDirectory { get; set; } = "data/agent";

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a condition must be seen (or gone) before it is raised (or cleared), so a flapping sensor does not
    /// flood the outbox. Zero reports every change at once.
    /// </summary>
    public TimeSpan ConditionDebounceInterval { get; set; } = Telemetry.ConditionTracker.DefaultDebounceInterval;

    /// <summary>Collector names joined by commas, the first leading: <c>simulated</c>, <c>ipp</c>, <c>ipp,snmp</c>, <c>gpio,sht3x</c>.</summary>
    public string Collectors { get; set; } = "simulated";

    /// <param name="isGateway">A gateway's devices carry their own identities (<c>Gateway:Devices</c>); the agent's own is then optional.</param>
    public IEnumerable<string> Validate(bool isGateway = false)
    {
        if (!isGateway && !Diagnostics.Protocol.Topics.IsValidDeviceId(DeviceId))
            yield return $"{Section}:DeviceId '{DeviceId}' is not valid: 1 to 64 letters, digits, '-', '_' or '.', not starting with '.'.";
        if (!isGateway && Token.Length == 0 && !Uri.TryCreate(CloudUrl, UriKind.Absolute, out _))
            yield return $"{Section}: set Token, or CloudUrl (an absolute http(s) address) to provision one.";
        if (Authentication == DeviceAuthentication.Certificate && !Uri.TryCreate(CloudUrl, UriKind.Absolute, out _))
            yield return $"{Section}:Authentication=Certificate enrolls through CloudUrl: set it to the cloud's absolute https address.";
        if (!isGateway)
        {
            foreach (var error in Diagnostics.Agent.Collectors.CollectorCatalog.ValidateNames(Collectors, $"{Section}:Collectors"))
                yield return error;
        }
        if (string.IsNullOrWhiteSpace(DataDirectory))
            yield return $"{Section}:DataDirectory must be set.";
        if (PollInterval <= TimeSpan.Zero)
            yield return $"{Section}:PollInterval must be positive.";
        if (ConditionDebounceInterval < TimeSpan.Zero)
            yield return $"{Section}:ConditionDebounceInterval must not be negative.";
        if (HeartbeatInterval < TimeSpan.FromSeconds(1))
            yield return $"{Section}:HeartbeatInterval must be at least one second.";
    }
}

/// <summary>What a device shows the broker.</summary>
public enum DeviceAuthentication
{
    Token,
    Certificate,
}
