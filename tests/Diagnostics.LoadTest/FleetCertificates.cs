using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Agent.Uplink;
using Diagnostics.Cloud.Broker.External;
using Diagnostics.Cloud.Certificates;
using Diagnostics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;

namespace Diagnostics.LoadTest;

/// <summary>
/// The fleet in the internet-facing production mode (<c>Broker:External:DeviceAccounts=MosquittoCertificates</c>):
/// every device enrolled with a client certificate from the cloud's device CA through the agent's own enrollment
/// (<see cref="HttpCertificateEnrollment"/>, with the device's token), its key and certificate kept the agent's way in a
/// folder per device under the run's scratch folder (so every size reuses the devices the largest one enrolled), and a
/// Mosquitto that knows no device: a TLS listener requiring a certificate from that CA, the CRL the cloud writes, one
/// ACL pattern file.
/// </summary>
internal static class FleetCertificates
{
    /// <summary>The cloud's device CA, kept for the whole run so the enrolled certificates stay valid for every step's cloud.</summary>
    public static string AuthorityDirectory(string runDirectory) => Path.Combine(runDirectory, "certificates");

    /// <summary>Where one device's <c>device.crt</c> and <c>device.key</c> are kept.</summary>
    public static string DeviceDirectory(string certificatesDirectory, string deviceId) => Path.Combine(certificatesDirectory, deviceId);

    /// <summary>
    /// Enrolls one registered device as the agent does (a P-256 key made here, its signing request posted with the
    /// device's token); a device already enrolled in <paramref name="certificatesDirectory"/> is read back, not asked again.
    /// </summary>
    public static async Task EnrollAsync(HttpClient http, Uri cloud, string certificatesDirectory, string deviceId, string token, CancellationToken ct)
    {
        var enrollment = new HttpCertificateEnrollment(http, cloud, enrollmentKey: "", token, TimeProvider.System, NullLogger.Instance);
        await enrollment.LoadOrEnrollAsync(DeviceDirectory(certificatesDirectory, deviceId), deviceId, "fleet-load", ct);
    }

    /// <summary>
    /// TLS as the agent speaks it to the broker (<see cref="BrokerTls"/>): the broker checked against
    /// <paramref name="serverCaPath"/>, the device's certificate presented. The certificate is read from the agent's
    /// files as it is, not through <see cref="DeviceCertificate.TryLoad"/>, whose PKCS#12 round trip (two PBKDF2
    /// derivations, for Windows' key storage) made a client process holding 1,250 devices spend 11.5 CPU-seconds (minutes
    /// at this machine's load) before its first connect.
    /// </summary>
    public static MqttClientTlsOptions DeviceTls(string serverCaPath, string certificatesDirectory, string deviceId)
    {
        var folder = DeviceDirectory(certificatesDirectory, deviceId);
        if (!DeviceCertificate.Exists(folder))
            throw new InvalidOperationException($"{deviceId} has no certificate in {certificatesDirectory}: enroll it first.");
        var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(folder, DeviceCertificate.CertificateFile), Path.Combine(folder, DeviceCertificate.KeyFile));
        return BrokerTls.Build(new BrokerOptions { Host = "127.0.0.1", UseTls = true, CaCertificatePath = serverCaPath }, certificate);
    }

    /// <summary>
    /// A cloud in External mode with certificate devices and its Mosquitto. The cloud starts first: it writes the CRL at
    /// start, which Mosquitto needs before it listens, and its health waits until it is connected to Mosquitto.
    /// Mosquitto also lets the cloud's account read <c>$SYS</c> (its heap count) and keeps no queue limit for the
    /// cloud's shared subscription (a connect storm's presence past the default 1,000 queued messages would be dropped).
    /// </summary>
    public static async Task<(CloudProcess Cloud, MosquittoWithDeviceCertificates Mosquitto)> StartCloudAndBrokerAsync(
        string stepDirectory, string runDirectory, IReadOnlyList<string> cloudArguments, IReadOnlyDictionary<string, string>? environment, string? cloudDll,
        CancellationToken ct)
    {
        var ports = MosquittoWithDeviceCertificates.ChoosePorts();
        var crl = Path.Combine(stepDirectory, "devices.crl");
        var cloudPassword = Guid.NewGuid().ToString("N");
        var starting = CloudProcess.StartAsync(ct, dataDirectory: stepDirectory, environment: environment, cloudDll: cloudDll, extraArguments:
        [
            .. cloudArguments,
            $"--Certificates:Directory={AuthorityDirectory(runDirectory)}",
            "--Broker:Mode=External", "--Broker:External:DeviceAccounts=MosquittoCertificates",
            "--Broker:External:Host=127.0.0.1", $"--Broker:External:Port={ports.Port.ToString(CultureInfo.InvariantCulture)}",
            $"--Broker:External:UserName={MosquittoWithDeviceCertificates.CloudUser}", $"--Broker:External:Password={cloudPassword}",
            $"--Broker:External:CrlPath={crl}",
        ]);
        while (!File.Exists(crl))
        {
            if (starting.IsCompleted)
            {
                await using var failed = await starting; // throws the start's own error; a cloud that started without writing the list is one too
                throw new InvalidOperationException($"The cloud started without writing {crl}:\n{failed.Process.Tail()}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
        var acl = MosquittoDeviceAcl.FileText(MosquittoWithDeviceCertificates.CloudUser)
            .Replace($"user {MosquittoWithDeviceCertificates.CloudUser}\n", $"user {MosquittoWithDeviceCertificates.CloudUser}\ntopic read $SYS/#\n", StringComparison.Ordinal);
        MosquittoWithDeviceCertificates? mosquitto = null;
        try
        {
            mosquitto = await MosquittoWithDeviceCertificates.StartAsync(ports, cloudPassword,
                Path.Combine(AuthorityDirectory(runDirectory), DeviceCertificateAuthority.CaCertificateFile), crl, acl, ct, ["max_queued_messages 0", "sys_interval 1"]);
            return (await starting, mosquitto);
        }
        catch
        {
            if (mosquitto is not null)
                await mosquitto.DisposeAsync();
            try
            {
                await (await starting).DisposeAsync();
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // The start's own failure is the one reported.
            }
            throw;
        }
    }
}
