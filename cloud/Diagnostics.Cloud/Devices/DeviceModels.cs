using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Devices;

/// <summary>How a device is doing now: no status yet, fine, some warning condition, some error condition.</summary>
public enum DeviceHealth
{
    Unknown,
    Healthy,
    Warning,
    Critical,
}

public enum DevicePresence
{
    Offline,
    Online,
}

/// <summary>
/// How much a device's conditions weigh, in one place for health, fixes and notifications (see Devices/README.md,
/// "When a condition is a problem"): the device's own severity, except that a normalized condition that stops
/// printing (<see cref="Conditions.StopsPrinting"/>: a jam, no paper, a door open, toner empty ...) weighs as an
/// error whatever suffix the printer gave it. The condition itself keeps the device's severity.
/// </summary>
public static class DeviceHealthRules
{
    public static DeviceHealth From(DeviceStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (status.Conditions.Any(c => Weight(c.Severity, c.Condition) == Severity.Error))
            return DeviceHealth.Critical;
        if (status.Conditions.Any(c => Weight(c.Severity, c.Condition) == Severity.Warning))
            return DeviceHealth.Warning;
        return DeviceHealth.Healthy;
    }

    /// <summary>The severity a condition counts with: at least Error when it stops printing, else the device's own.</summary>
    public static Severity Weight(Severity reported, string? condition) =>
        condition is not null && Conditions.StopsPrinting.Contains(condition) && reported < Severity.Error ? Severity.Error : reported;

    /// <summary>True when a raised condition is a problem: it proposes a fix and notifies the owner.</summary>
    public static bool IsProblem(Severity reported, string? condition) => Weight(reported, condition) is Severity.Warning or Severity.Error;

    public static string ToStorage(this DeviceHealth health) => health switch
    {
        DeviceHealth.Healthy => "healthy",
        DeviceHealth.Warning => "warning",
        DeviceHealth.Critical => "critical",
        _ => "unknown",
    };

    public static DeviceHealth ParseStorage(string value) => value switch
    {
        "healthy" => DeviceHealth.Healthy,
        "warning" => DeviceHealth.Warning,
        "critical" => DeviceHealth.Critical,
        _ => DeviceHealth.Unknown,
    };
}

public sealed record RegisterDeviceRequest(string? DeviceId, string? Model);

public sealed record RegisteredDevice(string DeviceId, string Token);

public sealed record DeviceSummary(
    string DeviceId,
    string Model,
    DeviceHealth Health,
    DevicePresence Presence,
    DateTimeOffset? LastSeen,
    int ActiveConditions,
    string Serial = "",
    string Firmware = "")
{
    /// <summary>The active conditions by name (a raw code where there is no name), most severe first.</summary>
    public IReadOnlyList<string> ConditionNames { get; init; } = [];

    /// <summary>The e-mail address of the customer who paired the device; null when nobody has.</summary>
    public string? Owner { get; init; }

    /// <summary>The name its owner gave it ("Office printer"); null until they name it.</summary>
    public string? Nickname { get; init; }

    /// <summary>Where it is: the device's <c>site-…</c> label without its prefix ("site-berlin" → "berlin"); null without one.</summary>
    public string? Site { get; init; }

    /// <summary>Taken out of service (its credentials revoked): no longer part of the fleet's figures.</summary>
    public bool Decommissioned { get; init; }
}

public sealed record ConditionView(string Code, string Condition, Severity Severity, string Message, DateTimeOffset? Since);

/// <summary>
/// One supply as the device reported it. For a receptacle (a waste toner box) the level is how full it is, Low means
/// almost full and Empty means full (no room left), as the agent's collectors report it. <see cref="Level"/>,
/// <see cref="MaxCapacity"/> and <see cref="Unit"/> are the device's own figures when it sent them (0 and "" otherwise).
/// </summary>
/// <param name="CapacityUnknown">The device knows the level in its own units but not the capacity (<see cref="SupplyLevel.CapacityUnknown"/>).</param>
public sealed record SupplyView(string Name, string Type, string Color, int LevelPercent, bool Low, bool Empty, int Level = 0, int MaxCapacity = 0, string Unit = "", bool CapacityUnknown = false)
{
    /// <summary>A receptacle fills as the printer works (waste toner, waste ink): its level is how full it is.</summary>
    public bool IsReceptacle => Type.StartsWith("waste", StringComparison.OrdinalIgnoreCase);

    public static SupplyView Of(SupplyLevel supply)
    {
        ArgumentNullException.ThrowIfNull(supply);
        return new(supply.Name, supply.Type, supply.Color, supply.LevelPercent, supply.Low, supply.Empty, supply.Level, supply.MaxCapacity, supply.Unit, supply.CapacityUnknown);
    }
}

public sealed record CounterView(string Name, long Value);

public sealed record DeviceDetails(
    string DeviceId,
    string Model,
    string Serial,
    string Firmware,
    DeviceState State,
    string StateMessage,
    DeviceHealth Health,
    DevicePresence Presence,
    DateTimeOffset? LastSeen,
    DateTimeOffset RegisteredAt,
    ulong? HighestContiguousSequence,
    IReadOnlyList<ConditionView> ActiveConditions,
    IReadOnlyList<SupplyView> Supplies,
    IReadOnlyList<CounterView> Counters);

public sealed record EventView(
    ulong Sequence,
    EventKind Kind,
    string Code,
    string Condition,
    Severity Severity,
    string Message,
    DateTimeOffset DeviceTime,
    DateTimeOffset ReceivedTime);

public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

public sealed record ConditionCount(string Condition, long Devices);

public sealed record FleetSummary(
    long Total,
    IReadOnlyDictionary<string, long> ByHealth,
    IReadOnlyDictionary<string, long> ByPresence,
    IReadOnlyList<ConditionCount> TopConditions);

/// <summary>Filters and paging for the device list; null filters match everything.</summary>
public sealed record DeviceQuery(DeviceHealth? Health, string? Model, string? Condition, bool? Online, int Page, int PageSize)
{
    /// <summary>Part of the device id, serial or model (case-insensitive).</summary>
    public string? Search { get; init; }

    /// <summary>Exact firmware version.</summary>
    public string? Firmware { get; init; }

    public DeviceSort Sort { get; init; } = DeviceSort.Id;

    public bool Descending { get; init; }

    /// <summary>Devices in service (the default), decommissioned ones only, or both.</summary>
    public DeviceFleetFilter Fleet { get; init; } = DeviceFleetFilter.InService;
}

/// <summary>Which devices a list holds by whether they are still in service.</summary>
public enum DeviceFleetFilter
{
    /// <summary>Devices whose credentials are valid: the fleet.</summary>
    InService,
    /// <summary>Devices taken out of service (credentials revoked, e.g. by <c>demo reset</c>).</summary>
    Decommissioned,
    All,
}

/// <summary>What the device list is ordered by; ties are broken by device id.</summary>
public enum DeviceSort
{
    Id,
    Model,
    /// <summary>Worst first when descending: critical, warning, healthy, unknown.</summary>
    Health,
    LastSeen,
    ActiveConditions,
}

/// <summary>How many devices have one value (a firmware version, a model).</summary>
public sealed record ValueCount(string Value, long Devices);

/// <summary>How many devices have one raw error code active, with the normalized condition it maps to and its worst severity.</summary>
public sealed record CodeCount(string Code, string Condition, long Devices, Severity Severity = Severity.Unspecified);

/// <summary>The fleet broken down for charts and list filters; every list is ordered by count, largest first.</summary>
public sealed record FleetBreakdown(
    IReadOnlyList<CodeCount> TopCodes,
    IReadOnlyList<ValueCount> Firmware,
    IReadOnlyList<ValueCount> Models,
    IReadOnlyList<ValueCount> Conditions);

/// <summary>One reading of a supply at the time of a stored status.</summary>
public sealed record SupplySample(DateTimeOffset At, string Name, string Color, int LevelPercent);

/// <summary>One heartbeat metric (an environment reading, an uplink counter) at the time of a stored heartbeat.</summary>
public sealed record MetricSample(DateTimeOffset At, string Name, double Value, string Unit);

/// <summary>Recent telemetry of one device decoded from the stored envelopes, oldest first.</summary>
public sealed record DeviceTelemetryHistory(IReadOnlyList<SupplySample> Supplies, IReadOnlyList<MetricSample> Metrics);
