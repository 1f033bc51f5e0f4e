using System.Text.Json;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;

namespace Diagnostics.Cloud.Tests.Demo;

public sealed class DemoFleetHostTests
{
    [Theory, BothEngines]
    public async Task Demo_fleet_registers_its_printers_and_they_report_health_over_the_broker(StorageProvider engine)
    {
        var fleetDirectory = Directory.CreateTempSubdirectory("dx-demo-").FullName;
        await using var host = new CloudHost(settings: new Dictionary<string, string?>
        {
            ["Demo:Devices"] = "3",
            ["Demo:DataDirectory"] = fleetDirectory,
            ["Demo:TimeScale"] = "60",
        }, engine: engine);
        var http = await host.SignedInClientAsync();

        await Eventually.TrueAsync(async () =>
        {
            using var summary = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/fleet/summary", UriKind.Relative), TestContext.Current.CancellationToken));
            var root = summary.RootElement;
            return root.GetProperty("total").GetInt64() == 3
                && root.GetProperty("byPresence").GetProperty("online").GetInt64() == 3
                && root.GetProperty("byHealth").GetProperty("unknown").GetInt64() == 0;
        }, "three demo printers online with a reported health", TimeSpan.FromSeconds(30));

        Assert.True(File.Exists(Path.Combine(fleetDirectory, "sim-0001", CredentialStore.FileName)));
        Assert.True(host.Logged(900, "over TLS"), "demo printers connect over TLS, pinning the development CA");
        Assert.NotEmpty(await host.StoredSequencesAsync("sim-0003"));
    }

    [Theory, BothEngines]
    public async Task Demo_device_whose_saved_token_the_registry_does_not_know_starts_over(StorageProvider engine)
    {
        var fleetDirectory = Directory.CreateTempSubdirectory("dx-demo-").FullName;
        var staleDevice = Path.Combine(fleetDirectory, "sim-0001");
        Directory.CreateDirectory(staleDevice);
        await File.WriteAllTextAsync(Path.Combine(staleDevice, CredentialStore.FileName),
            JsonSerializer.Serialize(new DeviceCredentials("sim-0001", "token-from-a-deleted-database")), TestContext.Current.CancellationToken);
        await using var host = new CloudHost(settings: new Dictionary<string, string?>
        {
            ["Demo:Devices"] = "1",
            ["Demo:DataDirectory"] = fleetDirectory,
        }, engine: engine);
        _ = host.Services; // starts the host

        await Eventually.TrueAsync(async () => (await host.StoredSequencesAsync("sim-0001")).Count > 0,
            "the re-registered demo device to have telemetry stored", TimeSpan.FromSeconds(30));
        Assert.True(host.Logged(901, "sim-0001"));
    }
}
