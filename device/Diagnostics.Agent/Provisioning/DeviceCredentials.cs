using System.Text.Json.Serialization;

namespace Diagnostics.Agent.Provisioning;

/// <summary>
/// What a device presents: its id (client id and user name) and its token (MQTT password, and Bearer token to the
/// cloud's HTTP API) — or, with <see cref="Certificate"/>, a client certificate to the broker and to the cloud's HTTPS
/// instead of the token.
/// </summary>
public sealed record DeviceCredentials(string DeviceId, string Token)
{
    /// <summary>The device's client certificate (kept in its own files, never in <c>credentials.json</c>); null: the token.</summary>
    [JsonIgnore]
    public DeviceCertificate? Certificate { get; init; }

    /// <summary>
    /// What to send as a Bearer token to the cloud at <paramref name="cloud"/>: nothing when the device holds a
    /// certificate and the cloud speaks HTTPS (its client certificate proves it there, see <see cref="CloudHttp"/>), or
    /// when it has no token; otherwise its token.
    /// </summary>
    public string? BearerTokenFor(Uri? cloud) =>
        (Certificate is not null && cloud?.Scheme == Uri.UriSchemeHttps) || Token.Length == 0 ? null : Token;
}
