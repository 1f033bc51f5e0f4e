using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;

namespace Diagnostics.Cloud.Tests.Devices;

public sealed class DevicesCliTests
{
    [Theory, BothEngines]
    public async Task Register_command_stores_the_device_and_prints_a_token_that_connects(StorageProvider engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await DevicesCli.RunAsync(
            ["devices", "register", "--id", "cli-1", "--model", "M9", .. database.CliArguments], output, error, BrokerExtensions.ForDeviceCommands, TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        var token = output.ToString().Split('\n').Single(l => l.StartsWith("token:", StringComparison.Ordinal))["token:".Length..].Trim();
        await using var host = new CloudHost(database: database);
        _ = host.Services; // starts the host and its broker
        await using var device = await DeviceClient.ConnectAsync(host.BrokerPort, "cli-1", token);
        Assert.True(device.IsConnected);
    }

    [Theory, BothEngines]
    public async Task Register_command_refuses_an_existing_id(StorageProvider engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine);
        string[] args = ["devices", "register", "--id", "cli-2", .. database.CliArguments];
        Assert.Equal(0, await DevicesCli.RunAsync(args, TextWriter.Null, TextWriter.Null, BrokerExtensions.ForDeviceCommands, TestContext.Current.CancellationToken));

        using var error = new StringWriter();
        Assert.Equal(1, await DevicesCli.RunAsync(args, TextWriter.Null, error, BrokerExtensions.ForDeviceCommands, TestContext.Current.CancellationToken));
        Assert.Contains("already exists", error.ToString(), StringComparison.Ordinal);
    }
}
