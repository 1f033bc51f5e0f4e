using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using Diagnostics.Testing;

namespace Diagnostics.EndToEnd.Tests.Updates;

/// <summary>
/// A printer driver's whole path with real processes: a private cupsd with a queue on an old PPD that prints to a real
/// IPP printer (ippeveprinter); that printer watched by an agent over IPP, the computer by an agent in the host role; a
/// release engineer packs, signs, publishes and rolls out a new PPD with fwtool; the cloud ties the queue to the
/// printer by its printer-uuid, offers the driver to the host, and the host installs it, proves it with a test job and
/// reports the new version.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class DriverRolloutEndToEndTests
{
    private const string PrinterId = "e2e-office-printer";
    private const string HostId = "e2e-laptop-7";

    [Fact(Timeout = 300_000)]
    public async Task A_driver_rolled_out_with_fwtool_is_installed_by_the_host_agent_and_the_cloud_shows_the_new_version()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cups = await CupsServer.StartAsync();
        await using var printer = await IppEvePrinter.StartAsync();
        var work = Directory.CreateTempSubdirectory("dx-driver-e2e-").FullName;
        var oldPpd = Path.Combine(work, "lp500-1.0.ppd");
        await File.WriteAllBytesAsync(oldPpd, TestPpds.Ppd("1.0"), ct);
        await cups.AddQueueAsync("office", printer.Uri.AbsoluteUri, oldPpd);
        var key = Path.Combine(work, "release");
        Assert.Equal(0, (await FwtoolReleaseTests.FwtoolAsync(ct, "keygen", "--out", key)).ExitCode);

        await using var cloud = await CloudProcess.StartAsync(ct, extraArguments:
            [$"--Updates:TrustedKeys:0={key}.pub.pem", "--Updates:CheckInterval=00:00:00.500", "--Updates:HealthObservation=00:00:01", "--Hosts:CheckInterval=00:00:01"]);
        await using var printerAgent = StartAgent(cloud, PrinterId, "ipp", [$"--Ipp:PrinterUri={printer.Uri.AbsoluteUri}"]);
        await using var hostAgent = StartAgent(cloud, HostId, "host",
        [
            $"--Host:CupsUri={cups.Uri}", $"--Host:CupsCertificateDirectory={cups.CertificateDirectory}", $"--Host:CupsServerBin={cups.ServerBin}",
            "--Host:HostName=LAPTOP-7", "--Host:RefreshInterval=00:00:00.500", $"--Updates:TrustedKeys:0={key}.pub.pem", "--Updates:CheckInterval=00:00:00.200",
        ]);
        var admin = await cloud.AdminHttpAsync(ct);
        // The cloud ties the host's queue to the printer: the queue's printer-uuid is the uuid the printer reports.
        var hosts = await HostsOfPrinterAsync(admin, row => row.GetProperty("driverVersion").GetString() == "1.0", $"the host's queue tied to the printer\n{hostAgent.Tail()}\n{printerAgent.Tail()}");
        Assert.Equal(("LAPTOP-7", "office", "printer-uuid"), (hosts.GetProperty("hostName").GetString(), hosts.GetProperty("queue").GetString(), hosts.GetProperty("matchedBy").GetString()));

        var newPpd = Path.Combine(work, "lp500-2.0.ppd");
        await File.WriteAllBytesAsync(newPpd, TestPpds.Ppd("2.0"), ct);
        var package = Path.Combine(work, "lp500-ppd-2.0.dxpkg");
        string[] cloudArguments = ["--cloud", cloud.BaseAddress.ToString(), "--email", CloudProcess.SupervisorEmail];
        foreach (var step in new[]
        {
            new[] { "pack", "--payload", newPpd, "--id", "e2e-lp500-ppd-2.0", "--kind", "driver", "--version", "2.0", "--model", TestPpds.Model, "--platform", "linux:cups-ppd", "--out", package },
            ["sign", package, "--key", $"{key}.key.pem"],
            ["verify", package, "--trusted", $"{key}.pub.pem", "--model", TestPpds.Model, "--running-version", "1.0", "--host", "linux/x64"],
            ["publish", package, .. cloudArguments],
        })
        {
            var result = await FwtoolReleaseTests.FwtoolAsync(ct, step);
            Assert.True(result.ExitCode == 0, result.Output);
        }
        var created = await FwtoolReleaseTests.FwtoolAsync(ct, ["rollout", "create", .. cloudArguments, "--package", "e2e-lp500-ppd-2.0", "--waves", "100", "--wave-window", "1s", "--auto-approve-by-policy"]);
        Assert.True(created.ExitCode == 0, created.Output);
        var rolloutId = System.Text.RegularExpressions.Regex.Match(created.Output, @"ro-\d{8}-[0-9a-f]{8}").Value;

        var watched = await FwtoolReleaseTests.FwtoolAsync(ct, ["rollout", "status", rolloutId, .. cloudArguments, "--watch"]);
        Assert.True(watched.ExitCode == 0 && watched.Output.Contains("completed", StringComparison.Ordinal), $"{watched.Output}\n{hostAgent.Tail()}");
        Assert.Equal(TestPpds.Ppd("2.0"), await cups.PpdAsync("office"));
        var updated = await HostsOfPrinterAsync(admin, row => row.GetProperty("driverVersion").GetString() == "2.0", "the host reports the new driver");
        Assert.Equal("Acme LaserPro 500 Diagnostics Driver 2.0", updated.GetProperty("driverName").GetString());
        var spread = await admin.GetFromJsonAsync<List<JsonElement>>($"api/drivers/spread?model={Uri.EscapeDataString(TestPpds.Model)}", ct);
        Assert.Equal(["2.0"], spread!.Single().GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("driverVersion").GetString()));
        var update = (await admin.GetFromJsonAsync<List<JsonElement>>($"api/devices/{HostId}/updates", ct))!.Single();
        Assert.Equal(("succeeded", "2.0"), (update.GetProperty("state").GetString(), update.GetProperty("runningVersion").GetString()));

        async Task<JsonElement> HostsOfPrinterAsync(HttpClient http, Func<JsonElement, bool> until, string what)
        {
            JsonElement found = default;
            await Eventually.TrueAsync(async () =>
            {
                var rows = await http.GetFromJsonAsync<List<JsonElement>>($"api/devices/{PrinterId}/hosts", ct);
                found = rows!.FirstOrDefault(until);
                return found.ValueKind == JsonValueKind.Object;
            }, what, TimeSpan.FromSeconds(90));
            return found;
        }
    }

    private static ChildProcess StartAgent(CloudProcess cloud, string deviceId, string collectors, IEnumerable<string> settings) =>
        ChildProcess.StartDotnet($"agent {deviceId}", RepositoryLayout.AgentDll,
        [
            "run",
            $"--Agent:DeviceId={deviceId}",
            $"--Agent:CloudUrl={cloud.BaseAddress}",
            $"--Agent:EnrollmentKey={CloudProcess.EnrollmentKey}",
            $"--Agent:DataDirectory={Directory.CreateTempSubdirectory("dx-agent-").FullName}",
            $"--Agent:Collectors={collectors}",
            "--Agent:PollInterval=00:00:00.500",
            "--Agent:HeartbeatInterval=00:00:05",
            "--Broker:Host=127.0.0.1",
            $"--Broker:Port={cloud.MqttPort}",
            "--Broker:ReconnectMinDelay=00:00:00.200",
            "--Broker:ReconnectMaxDelay=00:00:01",
            .. settings,
        ]);
}
