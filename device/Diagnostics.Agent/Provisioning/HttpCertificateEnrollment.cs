using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Provisioning;

/// <summary>
/// Gets the device its first client certificate from the cloud: <c>POST {cloud}/api/devices/{id}/certificate</c> with a
/// signing request for a key made here, authenticated by the enrollment key (<c>X-Enrollment-Key</c>) or the device's
/// token (Bearer), or by nothing — then the request waits for an admin, and the agent asks again at the address the
/// cloud gave until it is approved (<c>201</c>) or declined. The key is saved before the request leaves, and a waiting
/// request's address with it, so a restart carries on with the same request. Renewals go over MQTT (see
/// <see cref="CertificateRenewal"/>).
/// </summary>
public sealed partial class HttpCertificateEnrollment(
    HttpClient http, Uri cloudUrl, string enrollmentKey, string token, TimeProvider time, ILogger logger)
{
    public const string PendingFile = "certificate-request.json";
    private static readonly TimeSpan FirstPoll = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMinutes(1);

    /// <summary>The saved certificate, or a new one from the cloud; with the token the cloud issued when the request registered the device.</summary>
    public async Task<(DeviceCertificate Certificate, string? Token)> LoadOrEnrollAsync(string dataDirectory, string deviceId, string model, CancellationToken cancellationToken)
    {
        if (DeviceCertificate.TryLoad(dataDirectory) is { } saved)
            return (saved, null);
        Directory.CreateDirectory(dataDirectory);
        var keyPath = Path.Combine(dataDirectory, DeviceCertificate.KeyFile);
        var pendingPath = Path.Combine(dataDirectory, PendingFile);
        using var key = ECDsa.Create();
        Uri? waitingAt = null;
        if (File.Exists(pendingPath) && File.Exists(keyPath))
        {
            key.ImportFromPem(await File.ReadAllTextAsync(keyPath, cancellationToken));
            waitingAt = JsonSerializer.Deserialize(await File.ReadAllTextAsync(pendingPath, cancellationToken), EnrollmentJson.Default.Pending)?.Location;
        }
        else
        {
            key.GenerateKey(ECCurve.NamedCurves.nistP256);
            await AtomicFile.WriteSecretAsync(keyPath, System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()), cancellationToken);
        }

        var answer = waitingAt is null
            ? await RequestAsync(deviceId, model, key, cancellationToken)
            : await SendAsync(new HttpRequestMessage(HttpMethod.Get, waitingAt), deviceId, cancellationToken);
        var delay = FirstPoll;
        while (answer.Issued is null)
        {
            waitingAt = answer.Location ?? waitingAt ?? throw new DeviceProvisioningException($"The cloud holds the certificate request of '{deviceId}' but gave no address to ask again at.");
            await AtomicFile.WriteAsync(pendingPath, JsonSerializer.SerializeToUtf8Bytes(new Pending(waitingAt), EnrollmentJson.Default.Pending), cancellationToken);
            Log.Waiting(logger, deviceId, DeviceCertificate.KeyFingerprint(key), waitingAt.ToString());
            await Task.Delay(delay, time, cancellationToken);
            delay = delay * 2 > MaxPoll ? MaxPoll : delay * 2;
            answer = await SendAsync(new HttpRequestMessage(HttpMethod.Get, waitingAt), deviceId, cancellationToken);
        }

        using var issued = X509Certificate2.CreateFromPem(answer.Issued.Certificate);
        if (!DeviceCertificate.Fits(issued, key, deviceId, out var reason))
            throw new DeviceProvisioningException($"The cloud's certificate for '{deviceId}' does not fit: {reason}.");
        var certificate = await DeviceCertificate.SaveAsync(dataDirectory, key, issued, cancellationToken);
        File.Delete(pendingPath);
        Log.Enrolled(logger, deviceId, issued.SerialNumber, new DateTimeOffset(issued.NotAfter.ToUniversalTime()));
        return (certificate, string.IsNullOrEmpty(answer.Issued.Token) ? null : answer.Issued.Token);
    }

    private Task<Answer> RequestAsync(string deviceId, string model, ECDsa key, CancellationToken cancellationToken)
    {
        var request = DeviceCertificate.RequestFor(deviceId, key);
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(cloudUrl, $"api/devices/{Uri.EscapeDataString(deviceId)}/certificate"))
        {
            Content = JsonContent.Create(new EnrollRequest(request.CreateSigningRequestPem(), model), EnrollmentJson.Default.EnrollRequest),
        };
        // A registered device shows its own token; the enrollment key only registers devices the cloud does not know yet.
        if (token.Length > 0)
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        else if (enrollmentKey.Length > 0)
            message.Headers.Add(HttpDeviceProvisioner.EnrollmentKeyHeader, enrollmentKey);
        return SendAsync(message, deviceId, cancellationToken);
    }

    private async Task<Answer> SendAsync(HttpRequestMessage message, string deviceId, CancellationToken cancellationToken)
    {
        using (message)
        using (var response = await http.SendAsync(message, cancellationToken))
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.Created or HttpStatusCode.OK:
                    return new(await response.Content.ReadFromJsonAsync(EnrollmentJson.Default.Issued, cancellationToken)
                        ?? throw new DeviceProvisioningException($"The cloud answered the certificate request of '{deviceId}' with an empty body."), null);
                case HttpStatusCode.Accepted:
                    return new(null, response.Headers.Location is { } location ? new Uri(message.RequestUri!, location) : null);
                default:
                    var body = await response.Content.ReadAsStringAsync(cancellationToken);
                    throw new DeviceProvisioningException(
                        $"The cloud at {cloudUrl} refused a certificate for '{deviceId}': {(int)response.StatusCode} {response.ReasonPhrase} {body}");
            }
        }
    }

    private sealed record Answer(Issued? Issued, Uri? Location);

    private sealed record Pending([property: JsonPropertyName("location")] Uri Location);

    private sealed record EnrollRequest([property: JsonPropertyName("csr")] string Csr, [property: JsonPropertyName("model")] string Model);

    private sealed record Issued([property: JsonPropertyName("certificate")] string Certificate, [property: JsonPropertyName("token")] string? Token);

    // Every name is explicit; generated at compile time for Native AOT (web defaults, as JsonContent used).
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(Pending))]
    [JsonSerializable(typeof(EnrollRequest))]
    [JsonSerializable(typeof(Issued))]
    private sealed partial class EnrollmentJson : JsonSerializerContext;

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.CertificateEnrolled, LogLevel.Information, "{DeviceId} enrolled: certificate {Serial}, valid until {NotAfter:u}")]
        public static partial void Enrolled(ILogger logger, string deviceId, string serial, DateTimeOffset notAfter);

        [LoggerMessage(AgentLogEvents.CertificateRequestWaiting, LogLevel.Warning,
            "{DeviceId}: the certificate request waits for an admin's approval (compare the key SHA-256 {KeyFingerprint}); asking again at {Location}")]
        public static partial void Waiting(ILogger logger, string deviceId, string keyFingerprint, string location);
    }
}
