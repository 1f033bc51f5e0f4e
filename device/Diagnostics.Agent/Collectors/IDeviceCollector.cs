using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors;

/// <summary>Reads the watched device's current state as a normalized snapshot. One per device.</summary>
public interface IDeviceCollector
{
    /// <summary>A short name for logs: "simulated", "ipp" ...</summary>
    string Name { get; }

    ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken);
}
