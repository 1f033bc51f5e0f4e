using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors;

/// <summary>
/// A collector that also measures gauges (temperature, humidity): values that are neither conditions nor
/// ever-growing counters. The telemetry pump sends them as heartbeat metrics (its <c>extraMetrics</c> hook).
/// </summary>
public interface IMetricSource
{
    /// <summary>The latest values; empty when there is no trustworthy reading.</summary>
    IReadOnlyList<Metric> CurrentMetrics();
}
