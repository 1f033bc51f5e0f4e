using System.ComponentModel.DataAnnotations;

namespace Diagnostics.Cloud.Broker.Hooks;

/// <summary>
/// The HTTP endpoints an external broker calls to authenticate a device and authorize its publishes and subscriptions
/// (EMQX's HTTP authenticator and authorizer, VerneMQ's webhooks, a HiveMQ extension). Section <c>Broker:Hooks</c>.
/// Only the broker may call them: every request must carry <see cref="Secret"/> in <see cref="SecretHeader"/>, or come
/// over HTTPS with a client certificate whose SHA-256 is in <see cref="ClientCertificateThumbprints"/> — each check
/// that is configured must pass.
/// </summary>
public sealed class BrokerHookOptions
{
    /// <summary>Serve the endpoints under <c>/broker/</c>; off by default (the embedded broker and Mosquitto's dynamic security need none).</summary>
    public bool Enabled { get; set; }

    /// <summary>The shared secret the broker sends in <see cref="SecretHeader"/>; at least 32 characters when set.</summary>
    public string Secret { get; set; } = "";

    /// <summary>The request header that carries <see cref="Secret"/>.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9-]{1,64}$")]
    public string SecretHeader { get; set; } = "X-Broker-Secret";

    /// <summary>SHA-256 of the client certificates the broker presents over HTTPS (hex, colons allowed); empty: no certificate asked for.</summary>
    public IList<string> ClientCertificateThumbprints { get; } = [];

    /// <summary>The largest request body taken; a broker's request is a few hundred bytes (a VerneMQ publish carries the payload).</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    internal IEnumerable<string> Problems()
    {
        if (!Enabled)
            yield break;
        if (Secret.Length == 0 && ClientCertificateThumbprints.Count == 0)
            yield return "Broker:Hooks: set Secret or ClientCertificateThumbprints, so that only the broker can call the hooks.";
        if (Secret.Length is > 0 and < 32)
            yield return "Broker:Hooks:Secret must have at least 32 characters.";
        foreach (var thumbprint in ClientCertificateThumbprints.Where(t => NormalizeThumbprint(t) is null))
            yield return $"Broker:Hooks:ClientCertificateThumbprints: '{thumbprint}' is not a SHA-256 in hex.";
    }

    /// <summary>Upper-case hex without separators, or null when it is not 32 bytes of hex.</summary>
    internal static string? NormalizeThumbprint(string thumbprint)
    {
        var hex = thumbprint.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit) ? hex : null;
    }
}
