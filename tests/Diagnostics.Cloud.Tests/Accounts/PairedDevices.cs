using System.Net.Http.Json;
using Diagnostics.Cloud.Tests.Infrastructure;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Tests.Accounts;

/// <summary>Test devices that announce a pairing code in a heartbeat, as the agent does.</summary>
internal static class PairedDevices
{
    /// <summary>Connects a device that has reported <paramref name="pairingCode"/> (stored before this returns).</summary>
    public static async Task<DeviceClient> ConnectAnnouncingAsync(CloudHost host, string deviceId, string pairingCode)
    {
        var device = await host.ConnectDeviceAsync(deviceId);
        var heartbeat = device.NewEnvelope(heartbeat: new Heartbeat { IntervalSeconds = 30, PairingCode = pairingCode });
        await device.SendAsync(heartbeat);
        await device.WaitForAckAsync(heartbeat.Sequence);
        return device;
    }

    /// <summary>Pairs the device through the API as the given customer and fails the test if that does not work.</summary>
    public static async Task PairAsync(HttpClient customer, string pairingCode)
    {
        using var response = await customer.PostAsJsonAsync("/api/me/devices/pair", new { code = pairingCode }, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
