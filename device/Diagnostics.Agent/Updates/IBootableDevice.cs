namespace Diagnostics.Agent.Updates;

/// <summary>
/// A device whose firmware runs inside the agent's process (the simulated printer): a "reboot" boots it from an image
/// file, so A/B slots, health checks and rollbacks are exercised end to end without hardware.
/// </summary>
public interface IBootableDevice
{
    /// <summary>The version the device runs now.</summary>
    string FirmwareVersion { get; }

    /// <summary>The image the device left the factory with, stored in the first slot when the device has none yet.</summary>
    byte[] CreateFactoryImage();

    /// <summary>Restarts the device on <paramref name="image"/>; throws <see cref="InvalidDataException"/> when it cannot boot it.</summary>
    Task BootAsync(Stream image, CancellationToken cancellationToken);
}
