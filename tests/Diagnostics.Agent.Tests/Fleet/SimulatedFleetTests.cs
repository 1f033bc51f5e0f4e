using Diagnostics.Agent.Fleet;
using Diagnostics.Agent.Tests.Provisioning;
using Diagnostics.Agent.Tests.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diagnostics.Agent.Tests.Fleet;

public sealed class SimulatedFleetTests : IAsyncDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly FakeCloud _cloud = new();

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        _directory.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SimulatedFleetOptions Options(int count) => new()
    {
        Count = count,
        Prefix = "fleet",
        DataDirectory = _directory.Path,
        Seed = 9,
        PollInterval = TimeSpan.FromMilliseconds(50),
        Broker = new() { Host = "127.0.0.1", Port = _cloud.Port, ReconnectMinDelay = TimeSpan.FromMilliseconds(50), ReconnectMaxDelay = TimeSpan.FromMilliseconds(200) },
        Simulator = new() { TimeScale = 100 },
    };

    [Fact]
    public async Task Each_device_connects_with_its_own_identity_and_reports_to_the_cloud()
    {
        await _cloud.StartAsync();
        var provisioner = new CredentialStoreTests.CountingProvisioner();

        await using (var fleet = await SimulatedFleet.StartAsync(Options(3), provisioner, NullLoggerFactory.Instance, TimeProvider.System, Ct))
        {
            Assert.Equal(["fleet-0001", "fleet-0002", "fleet-0003"], fleet.Devices.Select(d => d.DeviceId));
            await Eventually.TrueAsync(
                () => _cloud.Received.Where(e => e.Heartbeat is not null).Select(e => e.DeviceId).Distinct().Count() == 3,
                "every device sent a heartbeat");
        }

        Assert.Equal(3, provisioner.Calls);
        foreach (var id in new[] { "fleet-0001", "fleet-0002", "fleet-0003" })
            Assert.Contains((id, id, $"token-{id}-" + _cloud.Connections.First(c => c.ClientId == id).Password.Split('-')[^1]), _cloud.Connections);
    }

    [Fact]
    public async Task A_restarted_fleet_reuses_its_credentials_and_continues_its_sequences()
    {
        await _cloud.StartAsync();
        var provisioner = new CredentialStoreTests.CountingProvisioner();
        await using (var fleet = await SimulatedFleet.StartAsync(Options(2), provisioner, NullLoggerFactory.Instance, TimeProvider.System, Ct))
            await Eventually.TrueAsync(() => _cloud.Received.Count(e => e.DeviceId == "fleet-0001") >= 2, "the first run reported");
        var lastOfFirstRun = _cloud.Received.Where(e => e.DeviceId == "fleet-0001").Max(e => e.Sequence);
        var receivedInFirstRun = _cloud.Received.Count;

        await using (var fleet = await SimulatedFleet.StartAsync(Options(2), provisioner, NullLoggerFactory.Instance, TimeProvider.System, Ct))
            await Eventually.TrueAsync(() => _cloud.Received.Skip(receivedInFirstRun).Any(e => e.DeviceId == "fleet-0001" && e.Sequence > lastOfFirstRun), "the second run reported");

        Assert.Equal(2, provisioner.Calls);
    }

    [Fact]
    public async Task Flood_mode_enqueues_and_delivers_the_extra_events()
    {
        await _cloud.StartAsync();
        var options = Options(2);
        options.FloodEvents = 2_000;

        await using var fleet = await SimulatedFleet.StartAsync(options, new CredentialStoreTests.CountingProvisioner(), NullLoggerFactory.Instance, TimeProvider.System, Ct);

        await Eventually.TrueAsync(
            () => _cloud.Received.Count(e => e.Event?.Code == "load:flood") >= 4_000,
            "both devices delivered their flood", TimeSpan.FromSeconds(30));
        Assert.All(_cloud.Received.GroupBy(e => e.DeviceId), device =>
        {
            var sequences = device.Select(e => e.Sequence).Distinct().ToList();
            Assert.Equal(sequences.Order(), sequences);
        });
    }
}
