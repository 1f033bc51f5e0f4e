using System.Security.Cryptography;
using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Agent.Fleet;
using Diagnostics.Agent.Tests.Provisioning;
using Diagnostics.Agent.Tests.Uplink;
using Diagnostics.Agent.Updates;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diagnostics.Agent.Tests.Updates;

/// <summary>The simulated fleet (the cloud's demo) takes updates: each device with its own slots, each at its own pace.</summary>
public sealed class FleetUpdatesTests : IAsyncDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly FakeCloud _cloud = new();
    private readonly PayloadServer _server = new();
    private readonly ECDsa _releaseKey = ManifestSigning.CreateKey();

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        _server.Dispose();
        _releaseKey.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_fleet_device_installs_an_offered_release_into_its_own_slots_while_the_others_keep_their_version()
    {
        await _cloud.StartAsync();
        var options = new SimulatedFleetOptions
        {
            Count = 2,
            Prefix = "demo",
            DataDirectory = _directory.Path,
            CloudUrl = _server.BaseUrl,
            PollInterval = TimeSpan.FromMilliseconds(50),
            Broker = new() { Host = "127.0.0.1", Port = _cloud.Port, ReconnectMinDelay = TimeSpan.FromMilliseconds(50), ReconnectMaxDelay = TimeSpan.FromMilliseconds(200) },
            Simulator = new() { Model = UpdateRig.Model, FirmwareVersion = UpdateRig.FactoryVersion, JobsPerHour = 0, JamsPerHour = 0, DoorOpensPerHour = 0 },
            Updates = new() { TrustedKeys = [_releaseKey.ExportSubjectPublicKeyInfoPem()], HealthCheckStableFor = TimeSpan.FromMilliseconds(300), CheckInterval = TimeSpan.FromMilliseconds(50) },
        };
        await using var fleet = await SimulatedFleet.StartAsync(options, new CredentialStoreTests.CountingProvisioner(), NullLoggerFactory.Instance, TimeProvider.System,
            TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => fleet.Devices.All(d => d.Uplink.IsConnected), "the fleet connected");
        var release = Release.Make(_releaseKey, _server, "demo-0001", "2.3.0", "rollout-1-demo-0001");

        await _cloud.SendDownlinkAsync("demo-0001", Topics.UpdateKind, WireCodec.Encode(release.Offer), retain: true);

        await Eventually.TrueAsync(() => _cloud.Received.Any(e => e.DeviceId == "demo-0001" && e.UpdateReport?.Phase == UpdatePhase.Succeeded),
            "demo-0001 reports Succeeded", TimeSpan.FromSeconds(20));
        Assert.Equal("2.3.0", ((SimulatedPrinter)fleet.Devices[0].Collector).FirmwareVersion);
        Assert.Equal(UpdateRig.FactoryVersion, ((SimulatedPrinter)fleet.Devices[1].Collector).FirmwareVersion);
        Assert.Equal(SlotStore.SlotB, SlotStore.Open(Path.Combine(_directory.Path, "demo-0001")).ReadPointer()!.Active);
        Assert.Equal(SlotStore.SlotA, SlotStore.Open(Path.Combine(_directory.Path, "demo-0002")).ReadPointer()!.Active);
    }
}
