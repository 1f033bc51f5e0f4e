using Microsoft.Extensions.DependencyInjection;
using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Demo;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;

namespace Diagnostics.Cloud.Tests.Demo;

public sealed class DemoCliTests
{
    [Theory, BothEngines]
    public async Task Demo_reset_retires_the_simulated_printers_from_the_fleet_and_keeps_real_devices(StorageProvider engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine);
        var path = database.Path;
        var cancellationToken = TestContext.Current.CancellationToken;
        foreach (var (id, model) in new[] { ("sim-0001", "Demo"), ("sim-0002", "Demo"), ("printer-1", "M9") })
            Assert.Equal(0, await DevicesCli.RunAsync(["devices", "register", "--id", id, "--model", model, .. database.CliArguments], TextWriter.Null, TextWriter.Null, BrokerExtensions.ForDeviceCommands, cancellationToken));
        // What a demo run leaves beside the store: one folder per simulated printer, and its release key.
        var demoFolder = Path.Combine(Path.GetDirectoryName(path)!, "demo-fleet");
        Directory.CreateDirectory(Path.Combine(demoFolder, "sim-0001"));
        Directory.CreateDirectory(Path.Combine(demoFolder, "sim-0002"));
        await File.WriteAllTextAsync(Path.Combine(demoFolder, "release.key.pem"), "key", cancellationToken);
        Assert.Equal(3, (await SummaryAsync(database, cancellationToken)).Total);

        using var output = new StringWriter();
        Assert.Equal(0, await DemoCli.RunAsync(["demo", "reset", .. database.CliArguments], output, TextWriter.Null, cancellationToken));

        Assert.Contains("Retired 2", output.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(demoFolder));
        var summary = await SummaryAsync(database, cancellationToken);
        Assert.Equal(1, summary.Total);
        using var host = await StoreOnlyHost.StartAsync(database.CliArguments, builder => builder.AddDevices(), cancellationToken);
        var breakdown = await host.Services.GetRequiredService<IDeviceStore>().GetFleetBreakdownAsync(10, cancellationToken);
        Assert.Equal(["M9"], breakdown.Models.Select(m => m.Value));
        // Retired, not forgotten: the history stays and the device list still finds it.
        Assert.NotNull(await host.Services.GetRequiredService<IDeviceStore>().GetAsync("sim-0001", cancellationToken));
    }

    [Theory, BothEngines]
    public async Task Demo_reset_without_a_demo_run_changes_nothing(StorageProvider engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine);
        using var output = new StringWriter();
        Assert.Equal(0, await DemoCli.RunAsync(["demo", "reset", .. database.CliArguments], output, TextWriter.Null, TestContext.Current.CancellationToken));
        Assert.Contains("nothing to retire", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_with_an_unknown_verb_prints_usage()
    {
        using var error = new StringWriter();
        Assert.Equal(2, await DemoCli.RunAsync(["demo", "wipe"], TextWriter.Null, error, TestContext.Current.CancellationToken));
        Assert.Contains("usage: demo reset", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Cloud_data_defaults_to_one_folder_independent_of_the_working_directory()
    {
        var storage = new StorageOptions();
        Assert.True(Path.IsPathFullyQualified(storage.Path));
        Assert.Equal(StorageOptions.DefaultDataFolder, storage.DataFolder);
        Assert.StartsWith(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), StorageOptions.DefaultDataFolder, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(StorageOptions.DefaultDataFolder, "demo-fleet"), new DemoFleetOptions().ResolveDataDirectory(storage.Path));
    }

    private static async Task<FleetSummary> SummaryAsync(TestDatabase database, CancellationToken cancellationToken)
    {
        using var host = await StoreOnlyHost.StartAsync(database.CliArguments, builder => builder.AddDevices(), cancellationToken);
        return await host.Services.GetRequiredService<IDeviceStore>().GetFleetSummaryAsync(5, cancellationToken);
    }
}
