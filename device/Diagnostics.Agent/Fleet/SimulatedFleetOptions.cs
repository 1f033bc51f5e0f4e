using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Agent.Updates;
using Diagnostics.Agent.Uplink;

namespace Diagnostics.Agent.Fleet;

/// <summary>A fleet of simulated printers run in one process, each a full agent with its own identity, outbox and connection.</summary>
public sealed class SimulatedFleetOptions
{
    public int Count { get; set; } = 10;

    /// <summary>Device ids are <c>{Prefix}-{index:D4}</c>, from 1.</summary>
    public string Prefix { get; set; } = "sim";

    /// <summary>Each device keeps its outbox and credentials in <c>{DataDirectory}/{deviceId}</c>.</summary>
    public string DataDirectory { get; set; } = "data/fleet";

    /// <summary>Fleet seed; device i uses a seed derived from it, so the same seed replays the same fleet.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Events each device enqueues as fast as it can on top of normal behaviour (load mode); 0 for none.</summary>
    public int FloodEvents { get; set; }

    /// <summary>The model sent when provisioning; the simulator reports <see cref="SimulatorOptions.Model"/>.</summary>
    public string Model => Simulator.Model;

    /// <summary>The cloud's base address, where devices upload diagnostics reports; empty when the fleet has none.</summary>
    public string CloudUrl { get; set; } = "";

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    public BrokerOptions Broker { get; set; } = new();

    /// <summary>
    /// Simulated devices survive a killed process, not a power cut: fast enough for a load test. Their outbox files are the
    /// process's alone (two open files per device instead of three).
    /// </summary>
    public OutboxOptions Outbox { get; set; } = new() { Durability = OutboxDurability.ProcessCrash, ExclusiveFile = true };

    /// <summary>Index of the first device (<c>{Prefix}-{FirstIndex:D4}</c>): a fleet split over processes gives each its own range.</summary>
    public int FirstIndex { get; set; } = 1;

    /// <summary>Devices provisioned (registered with the cloud, or their saved credentials read) at once.</summary>
    public int ProvisioningParallelism { get; set; } = 16;

    public SimulatorOptions Simulator { get; set; } = new();

    /// <summary>
    /// How the devices take updates: each boots its printer from A/B slots in its own data directory; the release keys
    /// in <see cref="UpdateOptions.TrustedKeys"/> decide which offers they accept (none: every offer is refused).
    /// </summary>
    public UpdateOptions Updates { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        if (Count < 1)
            yield return $"Count must be 1 or more (was {Count}).";
        if (!Diagnostics.Protocol.Topics.IsValidDeviceId(Prefix + "-0000"))
            yield return $"Prefix '{Prefix}' does not make valid device ids.";
        if (FirstIndex < 1)
            yield return $"FirstIndex must be 1 or more (was {FirstIndex}).";
        if (ProvisioningParallelism < 1)
            yield return $"ProvisioningParallelism must be 1 or more (was {ProvisioningParallelism}).";
        if (FloodEvents < 0)
            yield return "FloodEvents must not be negative.";
        foreach (var error in Broker.Validate().Concat(Outbox.Validate()).Concat(Simulator.Validate()).Concat(Updates.Validate()))
            yield return error;
    }
}
