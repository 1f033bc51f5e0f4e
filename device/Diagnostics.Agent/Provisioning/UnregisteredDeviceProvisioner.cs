namespace Diagnostics.Agent.Provisioning;

/// <summary>For an open broker without a cloud API (a bare Mosquitto): issues the device id itself as its token.</summary>
public sealed class UnregisteredDeviceProvisioner : IDeviceProvisioner
{
    public Task<DeviceCredentials> ProvisionAsync(string deviceId, string model, CancellationToken cancellationToken) =>
        Task.FromResult(new DeviceCredentials(deviceId, "unregistered-" + deviceId));
}
