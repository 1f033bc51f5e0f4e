namespace Diagnostics.LoadTest.Tests;

/// <summary>
/// The <c>fleet</c> run's certificate path, end to end and small: devices registered and enrolled through the agent's
/// own enrollment, a cloud in <c>Broker:External:DeviceAccounts=MosquittoCertificates</c> with a real Mosquitto that
/// requires the client certificate, the load tool's <c>fleet-client</c> processes holding the devices over TLS, the probe
/// timing publish → ack, and the whole fleet killed at the end. If any part of it were wrong (a certificate the broker
/// refuses, an ACL that drops the acks, presence the cloud does not see) the figures the run reports would be too.
/// </summary>
public sealed class FleetCertificateTests
{
    private const int Devices = 20;

    [Fact]
    public async Task Certificate_devices_on_Mosquitto_all_come_online_get_their_heartbeats_acked_and_read_offline_after_a_power_cut()
    {
        var step = await FleetRun.MeasureOnceAsync(Devices, FleetRun.Broker.MosquittoCertificates, clientProcesses: 2, heartbeatSeconds: 2, windowSeconds: 3,
            TestContext.Current.CancellationToken);

        Assert.Equal(Devices, step.ConnectedAtEnd);
        Assert.Equal(0, step.ConnectFailures);
        // Every device's own heartbeats acked on its own downlink (the cloud's ack reached it through Mosquitto's ACL).
        Assert.Equal(Devices, step.DevicesAcked);
        Assert.True(step.StoredPerSecond > 0, $"stored {step.StoredPerSecond}/s of {step.OfferedPerSecond}/s offered");
        // Presence: every connected device shown online by the cloud, and none once the client processes are killed (last wills).
        Assert.Equal(Devices, step.OnlineAtEnd);
        Assert.Equal(0, step.OnlineAfterKill);
        // The probe, also a certificate device enrolled through the cloud in that mode, had its events acked.
        Assert.True(step.AckP50 > 0);
        // The broker's own process was the one measured.
        Assert.True(step.BrokerResidentMiB > 0, $"Mosquitto RSS {step.BrokerResidentMiB} MiB");
    }
}
