using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Cloud.Tests.Broker;

public sealed class PresenceTests
{
    [Fact]
    public async Task Device_is_online_while_connected_and_offline_after_disconnect()
    {
        await using var host = new CloudHost();
        var http = await host.SignedInClientAsync();
        var device = await host.ConnectDeviceAsync("presence-1");

        await Eventually.TrueAsync(async () => (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-1")).Presence == DevicePresence.Online, "online");

        await device.DisconnectAsync();
        await Eventually.TrueAsync(async () => (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-1")).Presence == DevicePresence.Offline, "offline");
        var details = await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-1");
        Assert.NotNull(details.LastSeen);
        await device.DisposeAsync();
    }

    [Fact]
    public async Task Presence_message_offline_marks_device_offline()
    {
        await using var host = new CloudHost();
        var http = await host.SignedInClientAsync();
        await using var device = await host.ConnectDeviceAsync("presence-2");
        await Eventually.TrueAsync(async () => (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-2")).Presence == DevicePresence.Online, "online");

        await device.PublishAsync(Topics.Presence("presence-2"), WireCodec.Encode(new Presence { Online = false }), retain: true);

        await Eventually.TrueAsync(async () => (await http.GetJsonAsync<DeviceDetails>("/api/devices/presence-2")).Presence == DevicePresence.Offline, "offline");
    }

    [Fact]
    public async Task Device_that_misses_its_heartbeats_is_marked_offline()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = new CloudHost(settings: new Dictionary<string, string?>
        {
            ["Presence:MissedHeartbeatsBeforeOffline"] = "3",
            ["Presence:CheckInterval"] = "01:00:00",
        }, time: time);
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
}
