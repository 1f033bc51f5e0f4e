namespace Diagnostics.Agent.Uplink;

/// <summary>The MQTT broker the agent connects to, and how it retries and paces publishing.</summary>
public sealed class BrokerOptions
{
    public const string Section = "Broker";

    public string Host { get; set; } = "localhost";
    public int Port { get; set; } = 1883;
    public bool UseTls { get; set; }
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Reconnect delays grow exponentially from here, with full jitter.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Most messages published but not yet acknowledged by the cloud.</summary>
    public int MaxInFlight { get; set; } = 100;

    /// <summary>With messages outstanding and no ack progress for this long, resend from the lowest unacknowledged.</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
            yield return $"{Section}:Host must be set.";
        if (Port is < 1 or > 65535)
            yield return $"{Section}:Port must be 1..65535 (was {Port}).";
        if (ReconnectMinDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectMinDelay)
            yield return $"{Section}:ReconnectMinDelay must be positive and not above ReconnectMaxDelay.";
        if (MaxInFlight < 1)
            yield return $"{Section}:MaxInFlight must be 1 or more.";
        if (AckTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero || KeepAlive < TimeSpan.Zero)
            yield return $"{Section}:AckTimeout and ConnectTimeout must be positive, KeepAlive not negative.";
    }
}
