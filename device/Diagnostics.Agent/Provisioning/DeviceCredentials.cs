using System.Text.Json.Serialization;

namespace Diagnostics.Agent.Provisioning;

/// <summary>
/// What a device presents: its id (client id and user name) and its token (MQTT password, and Bearer token to the
/// cloud's HTTP API) — or, with <see cref="Certificate"/>, a client certificate to the broker instead of the token.
/// </summary>
public sealed record DeviceCredentials(string DeviceId, string Token)
{
    /// <summary>The device's client certificate (kept in its own files, never in <c>credentials.json</c>); null: the token.</summary>
    [JsonIgnore]
    public DeviceCertificate? Certificate { get; init; }
}
