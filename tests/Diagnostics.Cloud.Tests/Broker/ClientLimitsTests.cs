using Diagnostics.Cloud.Broker;
using Diagnostics.Cloud.Observability;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;

namespace Diagnostics.Cloud.Tests.Broker;

/// <summary>
/// Per-device limits, probed with real MQTTnet clients over TCP. Reason codes are MQTT 5's (section 2.4, table 2-6):
/// 0x9F Connection rate exceeded on CONNACK, 0x97 Quota exceeded on PUBACK (PUBACK has no "message rate" code).
/// Time is a fake clock, so no allowance comes back unless a test moves it.
/// </summary>
public sealed class ClientLimitsTests
{
    private const int ConnectionRateExceeded = 0x9F;
    private const int QuotaExceeded = 0x97;

    [Fact]
    public async Task Device_connecting_more_often_than_allowed_is_refused_with_connection_rate_exceeded_and_others_still_connect()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = new CloudHost(time: time, settings: new Dictionary<string, string?>
        {
            ["Broker:Limits:ConnectBurst"] = "2",
            ["Broker:Limits:ConnectsPerMinute"] = "1",
        });
        var token = await host.RegisterAsync("reconnecter");
        for (var i = 0; i < 2; i++)
            await (await DeviceClient.ConnectAsync(host.BrokerPort, "reconnecter", token)).DisposeAsync();

        var code = await DeviceClient.ConnectRefusedAsync(host.BrokerPort, "reconnecter", "reconnecter", token);

        Assert.Equal(ConnectionRateExceeded, (int)code);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.ConnectRate));
        Assert.Equal(0, host.Metrics.RejectedTotal(RejectReason.AuthFailed));
        Assert.True(host.Logged(BrokerEventIds.ClientLimited, "reconnecter"));
        await using (var other = await host.ConnectDeviceAsync("calm-neighbour"))
            Assert.True(other.IsConnected);

        time.Advance(TimeSpan.FromMinutes(1));
        await using var later = await DeviceClient.ConnectAsync(host.BrokerPort, "reconnecter", token);
        Assert.True(later.IsConnected);
    }

    [Fact]
    public async Task Wrong_tokens_do_not_use_up_the_devices_connect_allowance()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = new CloudHost(time: time, settings: new Dictionary<string, string?> { ["Broker:Limits:ConnectBurst"] = "1" });
        var token = await host.RegisterAsync("guessed-at");
        for (var i = 0; i < 3; i++)
            await DeviceClient.ConnectRefusedAsync(host.BrokerPort, "guessed-at", "guessed-at", "a-guess");

        // Only a verified device is counted, so nobody can lock a device out by using its id.
        await using var device = await DeviceClient.ConnectAsync(host.BrokerPort, "guessed-at", token);
        Assert.True(device.IsConnected);
        Assert.Equal(0, host.Metrics.RejectedTotal(RejectReason.ConnectRate));
    }

    [Fact]
    public async Task Device_publishing_faster_than_allowed_is_refused_with_quota_exceeded_while_another_device_is_served()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = new CloudHost(time: time, settings: new Dictionary<string, string?>
        {
            ["Broker:Limits:PublishBurst"] = "3",
            ["Broker:Limits:PublishesPerSecond"] = "1",
        });
        await using var flooder = await host.ConnectDeviceAsync("flooder");
        await using var neighbour = await host.ConnectDeviceAsync("neighbour");
        for (var i = 0; i < 3; i++)
            Assert.True((await flooder.SendAsync(flooder.NewEnvelope(heartbeat: new Heartbeat()))).IsSuccess);

        var refused = flooder.NewEnvelope(heartbeat: new Heartbeat());
        var result = await flooder.SendAsync(refused);

        Assert.Equal(QuotaExceeded, (int)result.ReasonCode);
        Assert.Equal("message rate too high", result.ReasonString);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.PublishRate));
        Assert.True(host.Logged(BrokerEventIds.ClientLimited, "flooder"));
        var neighbours = neighbour.NewEnvelope(heartbeat: new Heartbeat());
        Assert.True((await neighbour.SendAsync(neighbours)).IsSuccess);
        await neighbour.WaitForAckAsync(neighbours.Sequence);
        Assert.DoesNotContain(refused.Sequence, await host.StoredSequencesAsync("flooder"));

        // A second later the allowance has come back by one: the device resends what was refused.
        var resend = flooder.SendAsync(refused);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await resend).IsSuccess);
        await flooder.WaitForAckAsync(refused.Sequence);
    }

    [Fact]
    public async Task Device_with_as_many_uplinks_waiting_to_be_stored_as_allowed_is_refused_with_quota_exceeded_until_they_are()
    {
        HeldTelemetryStore? store = null;
        await using var host = new CloudHost(
            settings: new Dictionary<string, string?> { ["Broker:Limits:MaxInFlightPerDevice"] = "2" },
            services: HeldTelemetryStore.Install(s => store = s));
        await using var busy = await host.ConnectDeviceAsync("busy");
        await using var neighbour = await host.ConnectDeviceAsync("busy-neighbour");
        store!.Hold();
        var first = busy.NewEnvelope(heartbeat: new Heartbeat());
        var second = busy.NewEnvelope(heartbeat: new Heartbeat());
        Assert.True((await busy.SendAsync(first)).IsSuccess);
        Assert.True((await busy.SendAsync(second)).IsSuccess);

        var third = busy.NewEnvelope(heartbeat: new Heartbeat());
        var result = await busy.SendAsync(third);

        Assert.Equal(QuotaExceeded, (int)result.ReasonCode);
        Assert.Equal("too many uplinks waiting to be stored", result.ReasonString);
        Assert.Equal(1, host.Metrics.RejectedTotal(RejectReason.InFlight));
        Assert.True((await neighbour.SendAsync(neighbour.NewEnvelope(heartbeat: new Heartbeat()))).IsSuccess);

        store.Release();
        await busy.WaitForAckAsync(second.Sequence);
        Assert.True((await busy.SendAsync(third)).IsSuccess);
        await busy.WaitForAckAsync(third.Sequence);
    }
}
