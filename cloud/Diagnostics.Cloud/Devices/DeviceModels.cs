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
    int ActiveConditions);

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
public sealed record DeviceQuery(DeviceHealth? Health, string? Model, string? Condition, bool? Online, int Page, int PageSize);

/// <summary>What is stored to check a device's token: never the token itself.</summary>
public sealed record DeviceCredentials(string DeviceId, byte[] TokenHash, byte[] TokenSalt);

public sealed record NewDevice(string DeviceId, string Model, byte[] TokenHash, byte[] TokenSalt, DateTimeOffset RegisteredAt);
