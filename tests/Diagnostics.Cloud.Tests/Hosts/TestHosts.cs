using System.Security.Cryptography;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Cloud.Tests.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Cloud.Tests.Hosts;

/// <summary>Agents in the host role as the cloud sees them: real MQTT clients sending host reports, and driver packages for them.</summary>
internal static class TestHosts
{
    public static PrintQueue Queue(string name, string version, string model = TestReleases.Model, string uuid = "", string serial = "", string uri = "", string mapped = "",
        QueueDriver driver = QueueDriver.Ppd) => new()
    {
        Name = name,
        DeviceUri = uri.Length > 0 ? uri : $"ipp://192.0.2.{Math.Abs(name.GetHashCode(StringComparison.Ordinal)) % 200 + 1}/ipp/print",
        MakeAndModel = $"{model} Driver {version}",
        PrinterModel = model,
        Driver = driver,
        DriverName = driver == QueueDriver.Ppd ? $"{model} Driver {version}" : "",
        DriverVersion = version,
        PrinterUuid = uuid,
        PrinterSerial = serial,
        MappedDeviceId = mapped,
        State = DeviceState.Idle,
        AcceptingJobs = true,
    };

    public static HostReport Report(string hostName, string os, params PrintQueue[] queues) => new()
    {
        System = new HostSystem
        {
            HostName = hostName,
            Os = os,
            OsName = os == HostPlatforms.Windows ? "Windows 11 Pro" : "Debian GNU/Linux 12 (bookworm)",
            OsVersion = os == HostPlatforms.Windows ? "10.0.22631" : "12",
            Architecture = "x64",
            PrintSystem = os == HostPlatforms.Windows ? "Windows print spooler" : "CUPS 2.4.2",
            DriverFormats = [.. HostPlatforms.DefaultFormats(os)],
        },
        PrintSystemReachable = true,
        Queues = [.. queues],
    };

    /// <summary>A host agent that has sent <paramref name="report"/> (stored before this returns; the inventory applies it soon after).</summary>
    public static async Task<DeviceClient> HostAsync(CloudHost host, string hostId, HostReport report)
    {
        var client = await host.ConnectDeviceAsync(hostId, "Print host");
        await ReportAsync(client, report);
        return client;
    }

    public static async Task ReportAsync(DeviceClient client, HostReport report)
    {
        var envelope = client.NewEnvelope();
        envelope.HostReport = report;
        await client.SendAsync(envelope);
        await client.WaitForAckAsync(envelope.Sequence);
    }

    /// <summary>Publishes a signed PPD driver package of <paramref name="version"/> for the test model and fails the test if the cloud refuses it.</summary>
    public static async Task<string> PublishDriverAsync(TestReleases releases, HttpClient supervisor, string version, string platform = "linux:cups-ppd")
    {
        var id = $"lp500-ppd-{version}";
        var payload = System.Text.Encoding.ASCII.GetBytes($"*PPD-Adobe: \"4.3\"\n*FileVersion: \"{version}\"\n*NickName: \"{TestReleases.Model} Driver {version}\"\n");
        var manifest = TestReleases.Manifest(id, version, payload);
        manifest.Kind = PackageKind.Driver;
        manifest.Platforms = [HostPlatforms.TryParse(platform, out _)!];
        manifest.ReleaseNotes = $"Driver {version}: duplex works again.";
        using var response = await TestReleases.PublishAsync(supervisor, await releases.PackageAsync(manifest, payload));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return id;
    }

    public static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
