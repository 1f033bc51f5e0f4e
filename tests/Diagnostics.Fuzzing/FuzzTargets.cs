using Diagnostics.Fuzzing.Targets;

namespace Diagnostics.Fuzzing;

/// <summary>Every parser that reads bytes from outside, by the name the command line and the smoke test use.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        WireTarget.Target,
        DeviceCollectorTargets.Ipp,
        DeviceCollectorTargets.Snmp,
        CloudTargets.Article,
        UpdateTargets.Manifest,
        UpdateTargets.Package,
        UpdateTargets.Delta,
        CloudTargets.ImageSniffing,
        CloudTargets.Bundle,
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(target => string.Equals(target.Name, name, StringComparison.OrdinalIgnoreCase));
}
