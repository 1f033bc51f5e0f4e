using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Cloud.Tests.Broker;

public sealed class PresenceTests
{
    [Theory, BothEngines]
    public async Task Device_is_online_while_connected_and_offline_after_disconnect(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = await host.SignedInClientAsync();
        var device = await host.ConnectDeviceAsync("presence-1");

        await Eventually.TrueAsync(async () => (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-1")).Presence == DevicePresence.Online, "online");

        await device.DisconnectAsync();
        await Eventually.TrueAsync(async () => (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-1")).Presence == DevicePresence.Offline, "offline");
        var details = await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-1");
        Assert.NotNull(details.LastSeen);
        await device.DisposeAsync();
    }

    [Theory, BothEngines]
    public async Task Presence_message_offline_marks_device_offline(StorageProvider engine)
    {
        await using var host = new CloudHost(engine: engine);
        var http = await host.SignedInClientAsync();
        await using var device = await host.ConnectDeviceAsync("presence-2");
        await Eventually.TrueAsync(async () => (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-2")).Presence == DevicePresence.Online, "online");

        await device.PublishAsync(Topics.Presence("presence-2"), WireCodec.Encode(new Presence { Online = false }), retain: true);

        await Eventually.TrueAsync(async () => (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-2")).Presence == DevicePresence.Offline, "offline");
    }

    [Theory, BothEngines]
    public async Task Device_that_misses_its_heartbeats_is_marked_offline(StorageProvider engine)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = new CloudHost(settings: new Dictionary<string, string?>
        {
            ["Presence:MissedHeartbeatsBeforeOffline"] = "3",
            ["Presence:CheckInterval"] = "01:00:00",
        }, time: time, engine: engine);
        var http = await host.SignedInClientAsync();
        await using var device = await host.ConnectDeviceAsync("presence-3");
        var heartbeat = device.NewEnvelope(heartbeat: new Heartbeat { IntervalSeconds = 10 });
        await device.SendAsync(heartbeat);
        await device.WaitForAckAsync(heartbeat.Sequence);
        var monitor = host.Services.GetServices<IHostedService>().OfType<PresenceMonitor>().Single();

        time.Advance(TimeSpan.FromSeconds(25));
        await monitor.CheckOnceAsync(TestContext.Current.CancellationToken);
        Assert.Equal(DevicePresence.Online, (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-3")).Presence);

        time.Advance(TimeSpan.FromSeconds(10));
        await monitor.CheckOnceAsync(TestContext.Current.CancellationToken);
        Assert.Equal(DevicePresence.Offline, (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-3")).Presence);
    }

    [Theory, BothEngines]
    public async Task Heartbeat_stored_after_a_disconnect_does_not_set_the_device_online_again(StorageProvider engine)
    {
        HeldTelemetryStore? store = null;
        await using var host = new CloudHost(services: HeldTelemetryStore.Install(s => store = s), engine: engine);
        var http = await host.SignedInClientAsync();
        var device = await host.ConnectDeviceAsync("presence-late");
        await Eventually.TrueAsync(async () => (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-late")).Presence == DevicePresence.Online, "online");

        // The broker takes the heartbeat, but the store is behind: it is written only after the device has gone.
        store!.Hold();
        var heartbeat = device.NewEnvelope(heartbeat: new Heartbeat { IntervalSeconds = 30 });
        await device.SendAsync(heartbeat);
        await store.WaitUntilABatchWaitsAsync();
        await device.DisconnectAsync();
        await device.DisposeAsync();
        await Eventually.TrueAsync(async () => (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-late")).Presence == DevicePresence.Offline, "offline");

        store.Release();
        await Eventually.TrueAsync(async () => (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-late")).HighestContiguousSequence == heartbeat.Sequence, "the late heartbeat stored");
        Assert.Equal(DevicePresence.Offline, (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-late")).Presence);
    }

    [Theory, BothEngines]
    public async Task Connected_device_whose_heartbeats_wait_for_the_store_is_not_marked_offline(StorageProvider engine)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        HeldTelemetryStore? store = null;
        await using var host = new CloudHost(settings: new Dictionary<string, string?>
        {
            ["Presence:MissedHeartbeatsBeforeOffline"] = "3",
            ["Presence:CheckInterval"] = "01:00:00",
        }, time: time, services: HeldTelemetryStore.Install(s => store = s), engine: engine);
        var http = await host.SignedInClientAsync();
        await using var device = await host.ConnectDeviceAsync("presence-behind");
        var first = device.NewEnvelope(heartbeat: new Heartbeat { IntervalSeconds = 10 });
        await device.SendAsync(first);
        await device.WaitForAckAsync(first.Sequence);
        var monitor = host.Services.GetServices<IHostedService>().OfType<PresenceMonitor>().Single();

        // Every heartbeat on time, none stored: 40 s after the last stored one, 10 s after the last one received.
        store!.Hold();
        var last = first;
        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            last = device.NewEnvelope(heartbeat: new Heartbeat { IntervalSeconds = 10 });
            await device.SendAsync(last);
        }
        time.Advance(TimeSpan.FromSeconds(10));
        await monitor.CheckOnceAsync(TestContext.Current.CancellationToken);
        Assert.Equal(DevicePresence.Online, (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-behind")).Presence);

        // Silent for real now (received nothing for 40 s): offline, whatever the store holds.
        time.Advance(TimeSpan.FromSeconds(30));
        await monitor.CheckOnceAsync(TestContext.Current.CancellationToken);
        Assert.Equal(DevicePresence.Offline, (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-behind")).Presence);
        store.Release();
        await device.WaitForAckAsync(last.Sequence);
    }
}
