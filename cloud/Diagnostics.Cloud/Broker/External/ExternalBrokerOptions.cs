using System.ComponentModel.DataAnnotations;

namespace Diagnostics.Cloud.Broker.External;

/// <summary>Who authenticates devices and holds their topic rules in the external broker.</summary>
public enum ExternalDeviceAccounts
{
    /// <summary>Mosquitto 2's dynamic-security plugin: the cloud keeps one client and role per device in the broker.</summary>
    MosquittoDynamicSecurity,

    /// <summary>The broker asks the cloud at each CONNECT, publish and subscription through the HTTP hooks (<c>Broker:Hooks</c>): EMQX, VerneMQ, a HiveMQ extension.</summary>
    HttpHooks,

    /// <summary>
    /// Mosquitto authenticates devices by the client certificate the cloud's device CA issued (<c>use_identity_as_username</c>:
    /// the certificate's CN, the device id, is the user name) and one ACL pattern covers every device: nothing per device
    /// in the broker. The cloud writes the revoked certificates to a CRL (<see cref="ExternalBrokerOptions.CrlPath"/>).
    /// </summary>
    MosquittoCertificates,
}

/// <summary>The external MQTT 5 broker the cloud connects to as a client. Section <c>Broker:External</c>.</summary>
public sealed class ExternalBrokerOptions
{
    /// <summary>How the broker knows the devices: accounts kept in Mosquitto's dynamic security (default) or the cloud's HTTP hooks.</summary>
    public ExternalDeviceAccounts DeviceAccounts { get; set; } = ExternalDeviceAccounts.MosquittoDynamicSecurity;

    /// <summary>The broker's host name or address.</summary>
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    /// <summary>MQTT over TLS; the broker's certificate is checked as the agent checks it (system store, CA file or fingerprint).</summary>
    public bool UseTls { get; set; }

    /// <summary>A PEM file of the CA that signed the broker's certificate, trusted instead of the system store.</summary>
    public string CaCertificatePath { get; set; } = "";

    /// <summary>SHA-256 of the broker's own certificate (hex, colons allowed): only that certificate is accepted.</summary>
    public string CertificateFingerprint { get; set; } = "";

    /// <summary>The name the broker's certificate must carry; empty: <see cref="Host"/>.</summary>
    public string TlsServerName { get; set; } = "";

    /// <summary>The cloud's own broker account (with Mosquitto: the dynamic-security administrator made by <c>mosquitto_ctrl dynsec init</c>).</summary>
    public string UserName { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>The MQTT client id; empty: <c>dx-cloud-</c> and a new random part at each start (every instance needs its own).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The shared-subscription group every cloud instance joins: <c>$share/{group}/dx/+/up/#</c> and <c>$share/{group}/dx/+/presence</c>.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_.-]{1,64}$")]
    public string ShareGroup { get; set; } = "diagnostics";

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a connect, a publish or a dynamic-security command may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Reconnect delays grow exponentially from here, with full jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// With <see cref="ExternalDeviceAccounts.MosquittoCertificates"/>: the PEM file the cloud writes its device CA's
    /// revocation list to (Mosquitto's <c>crlfile</c>; the broker reads it again on SIGHUP). Its folder must exist.
    /// </summary>
    public string CrlPath { get; set; } = "";

    /// <summary>How long a written CRL is valid (its nextUpdate). The cloud writes a new one when half of it has passed: an expired CRL makes Mosquitto refuse every device.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan CrlLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// After a revocation the device's live session is ended again after this long, in case it reconnected before the
    /// broker had read the new CRL (the cloud cannot tell when the broker reloads it).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RevokedSessionRecheck { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// With <see cref="ExternalDeviceAccounts.MosquittoCertificates"/>: how long a device's older certificate stays good
    /// after a newer one was issued to it (a renewal). The cloud never sees which certificate a device shows Mosquitto,
    /// so it cannot supersede on first use as the embedded broker does; the agent reconnects with its new certificate at
    /// once, and this covers an answer it lost (it asks again within minutes, with the older certificate). Then the
    /// older one is marked superseded and goes into the revocation list.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan RenewedCertificateGrace { get; set; } = TimeSpan.FromHours(1);
}
