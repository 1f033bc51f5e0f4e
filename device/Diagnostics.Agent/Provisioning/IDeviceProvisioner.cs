namespace Diagnostics.Agent.Provisioning;

/// <summary>Registers a device with the cloud and returns the credentials it will connect with.</summary>
public interface IDeviceProvisioner
{
    Task<DeviceCredentials> ProvisionAsync(string deviceId, string model, CancellationToken cancellationToken);
}

/// <summary>Provisioning failed in a way retrying will not fix (the id is taken, the cloud said no).</summary>
public sealed class DeviceProvisioningException(string message, Exception? innerException = null) : Exception(message, innerException);
