using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Diagnostics.Agent.Provisioning;

/// <summary>
/// Provisions through the cloud API: <c>POST {cloud}/api/devices</c> with <c>{"deviceId","model"}</c>, answered by
/// <c>201 Created</c> with <c>{"deviceId","token"}</c>, or <c>409 Conflict</c> when the id is already registered. The
/// cloud lets a device register itself only with its enrollment key (header <c>X-Enrollment-Key</c>).
/// </summary>
public sealed partial class HttpDeviceProvisioner(HttpClient http, Uri cloudUrl, string enrollmentKey = "") : IDeviceProvisioner
{
    public const string EnrollmentKeyHeader = "X-Enrollment-Key";

    public async Task<DeviceCredentials> ProvisionAsync(string deviceId, string model, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(cloudUrl, "api/devices"))
        {
            Content = JsonContent.Create(new ProvisionRequest(deviceId, model), ProvisioningJson.Default.ProvisionRequest),
        };
        if (enrollmentKey.Length > 0)
            request.Headers.Add(EnrollmentKeyHeader, enrollmentKey);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new DeviceProvisioningException(
                $"The cloud at {cloudUrl} refused to register '{deviceId}': set Agent:EnrollmentKey to the cloud's Devices:EnrollmentKey, " +
                "or have an admin register the device and set Agent:Token.");
        }
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new DeviceProvisioningException(
                $"The cloud at {cloudUrl} already has a device '{deviceId}' and this agent has no saved credentials for it. " +
                "Restore its credentials.json, set Agent:Token, or choose another device id.");
        }
        if (response.StatusCode != HttpStatusCode.Created && response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new DeviceProvisioningException($"Provisioning '{deviceId}' at {cloudUrl} failed: {(int)response.StatusCode} {response.ReasonPhrase} {body}");
        }
        var created = await response.Content.ReadFromJsonAsync(ProvisioningJson.Default.ProvisionResponse, cancellationToken)
            ?? throw new DeviceProvisioningException($"Provisioning '{deviceId}' returned an empty body.");
        if (created.DeviceId != deviceId || string.IsNullOrEmpty(created.Token))
            throw new DeviceProvisioningException($"Provisioning '{deviceId}' returned credentials for '{created.DeviceId}' or no token.");
        return new DeviceCredentials(created.DeviceId, created.Token);
    }

    private sealed record ProvisionRequest([property: JsonPropertyName("deviceId")] string DeviceId, [property: JsonPropertyName("model")] string Model);

    private sealed record ProvisionResponse([property: JsonPropertyName("deviceId")] string DeviceId, [property: JsonPropertyName("token")] string Token);

    // Every name is explicit; generated at compile time for Native AOT (web defaults, as JsonContent used).
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(ProvisionRequest))]
    [JsonSerializable(typeof(ProvisionResponse))]
    private sealed partial class ProvisioningJson : JsonSerializerContext;
}
