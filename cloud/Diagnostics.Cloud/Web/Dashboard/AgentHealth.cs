namespace Diagnostics.Cloud.Web.Dashboard;

/// <summary>A metric that did not move over the stored reports, shown as one value.</summary>
public sealed record SteadyMetric(string Name, double Value, string Unit);

/// <summary>
/// The agent software's own counters (its uplink, collector, outbox, commands and updates) as opposed to what the
/// device measures (temperature, pages): support reads the device's first and opens the agent's when it suspects the
/// agent itself.
/// </summary>
public static class AgentHealth
{
    private static readonly string[] Prefixes = ["uplink-", "downlink-", "collector-", "outbox-", "commands-", "updates-"];

    public static bool IsAgentMetric(string name) => Prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));
}
