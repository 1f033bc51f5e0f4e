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

public static class DeviceHealthRules
{
    public static DeviceHealth From(DeviceStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (status.Conditions.Any(c => c.Severity == Severity.Error))
            return DeviceHealth.Critical;
        if (status.Conditions.Any(c => c.Severity == Severity.Warning))
            return DeviceHealth.Warning;
        return DeviceHealth.Healthy;
    }

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
    string Firmware = "");

public sealed record ConditionView(string Code, string Condition, Severity Severity, string Message, DateTimeOffset? Since);

public sealed record SupplyView(string Name, string Type, string Color, int LevelPercent, bool Low, bool Empty);

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
