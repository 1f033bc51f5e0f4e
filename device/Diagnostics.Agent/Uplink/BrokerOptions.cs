namespace Diagnostics.Agent.Uplink;

/// <summary>The MQTT broker the agent connects to, and how it retries and paces publishing.</summary>
public sealed class BrokerOptions
{
    public const string Section = "Broker";

    public string Host { get; set; } = "localhost";

    /// <summary>1883 is plain MQTT; MQTT over TLS is usually 8883.</summary>
    public int Port { get; set; } = 1883;

    /// <summary>MQTT over TLS, the broker's certificate verified; never falls back to plain MQTT.</summary>
    public bool UseTls { get; set; }

    /// <summary>
    /// A PEM file of the CA (or CAs) that signed the broker's certificate, trusted instead of the system's store (the
    /// cloud's development CA is <c>dev-ca.crt</c>). Empty: the system trust store.
    /// </summary>
    public string CaCertificatePath { get; set; } = "";

    /// <summary>
    /// SHA-256 of the broker's own certificate (hex, colons allowed): only that certificate is accepted, whoever signed
    /// it. A replaced server certificate needs the new fingerprint, so prefer <see cref="CaCertificatePath"/>.
    /// </summary>
    public string CertificateFingerprint { get; set; } = "";

    /// <summary>The name the broker's certificate must carry (and the TLS server name sent); empty: <see cref="Host"/>.</summary>
    public string TlsServerName { get; set; } = "";
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
        if (!UseTls && (CaCertificatePath.Length > 0 || CertificateFingerprint.Length > 0 || TlsServerName.Length > 0))
            yield return $"{Section}:CaCertificatePath, CertificateFingerprint and TlsServerName take effect over TLS only: set {Section}:UseTls=true.";
        if (CaCertificatePath.Length > 0 && !File.Exists(CaCertificatePath))
            yield return $"{Section}:CaCertificatePath '{CaCertificatePath}' does not exist.";
        if (CertificateFingerprint.Length > 0 && Uplink.BrokerTls.ParseFingerprint(CertificateFingerprint) is null)
            yield return $"{Section}:CertificateFingerprint must be a SHA-256 fingerprint: 64 hex digits, colons allowed.";
        if (CaCertificatePath.Length > 0 && CertificateFingerprint.Length > 0)
            yield return $"{Section}: set CaCertificatePath or CertificateFingerprint, not both.";
    }
}
