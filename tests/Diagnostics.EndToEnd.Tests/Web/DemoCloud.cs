using Diagnostics.Testing;

namespace Diagnostics.EndToEnd.Tests.Web;

/// <summary>
/// One cloud process with a small living demo fleet, shared by the browser tests that only look: the demo customer
/// owns the first three printers, and time runs fast enough that the fleet shows jams, low paper and notifications.
/// </summary>
public sealed class DemoCloud : IAsyncLifetime
{
    public const int Devices = 12;

    /// <summary>Paired with customer@demo.test by the demo seed.</summary>
    public const string FirstCustomersDevice = "sim-0001";

    private CloudProcess? _cloud;

    public CloudProcess Cloud => _cloud ?? throw new InvalidOperationException("The demo cloud has not started.");

    public async ValueTask InitializeAsync()
    {
        _cloud = await CloudProcess.StartAsync(TestContext.Current.CancellationToken, extraArguments:
        [
            $"--Demo:Devices={Devices}",
            "--Demo:TimeScale=60",
            // Pairing codes reach the cloud with heartbeats: frequent ones let a test pair a demo printer at once.
            "--Demo:HeartbeatInterval=00:00:02",
        ]);
    }

    /// <summary>Waits until every demo printer has connected, so pages show the whole fleet.</summary>
    public Task AllOnlineAsync() =>
        Eventually.TrueAsync(async () => await Cloud.OnlineDevicesAsync(TestContext.Current.CancellationToken) >= Devices,
            $"all {Devices} demo printers to be online", TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        if (_cloud is not null)
            await _cloud.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SharesDemoCloud : ICollectionFixture<DemoCloud>
{
    public const string Name = "Demo cloud in a browser";
}
