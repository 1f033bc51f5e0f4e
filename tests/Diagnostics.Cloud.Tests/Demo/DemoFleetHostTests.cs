using System.Net.Http.Json;
using System.Text.Json;
using Diagnostics.Agent.Provisioning;
using Diagnostics.Cloud.Demo;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using static Diagnostics.Cloud.Tests.Web.RenderedPage;

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

    [Fact]
    public async Task A_cloud_started_without_the_demo_after_a_demo_run_says_how_to_retire_the_old_printers()
    {
        // What a demo run leaves: one folder per simulated printer (and the release key, which is no printer).
        var fleetDirectory = Directory.CreateTempSubdirectory("dx-demo-").FullName;
        Directory.CreateDirectory(Path.Combine(fleetDirectory, "sim-0001"));
        Directory.CreateDirectory(Path.Combine(fleetDirectory, "sim-0002"));
        await File.WriteAllTextAsync(Path.Combine(fleetDirectory, "release.key.pem"), "key", TestContext.Current.CancellationToken);
        await using var host = new CloudHost(settings: new Dictionary<string, string?> { ["Demo:DataDirectory"] = fleetDirectory });
        _ = host.Services; // starts the host

        await Eventually.TrueAsync(() => Task.FromResult(host.Logged(903, "2 simulated printers")),
            "the left-over demo printers to be reported at start", TimeSpan.FromSeconds(30));
        Assert.True(host.Logged(903, "demo reset"));
    }

    [Fact]
    public async Task The_demo_customers_printers_have_nicknames_so_three_of_one_model_read_apart()
    {
        await using var host = new CloudHost(settings: new Dictionary<string, string?>
        {
            ["Demo:Devices"] = "4",
            ["Demo:DataDirectory"] = Directory.CreateTempSubdirectory("dx-demo-").FullName,
        });
        var customer = host.CreateClient();
        using (var login = await customer.PostAsJsonAsync("/api/auth/login",
            new { email = $"customer@{DemoAccounts.Domain}", password = "diagnostics-demo" }, TestContext.Current.CancellationToken))
            login.EnsureSuccessStatusCode();

        var page = "";
        await Eventually.TrueAsync(async () => CountTestId(page = await GetPageAsync(customer, "/app"), "device-name") == 3,
            "the demo customer's three printers to be listed", TimeSpan.FromSeconds(30));

        // Three printers of the same model: the nicknames tell their cards (and their alerts) apart.
        Assert.Equal(["Office printer", "Reception printer", "Home office printer"], TestIdTexts(page, "device-name"));
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
