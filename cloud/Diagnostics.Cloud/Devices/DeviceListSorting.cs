namespace Diagnostics.Cloud.Devices;

/// <summary>The names of <see cref="DeviceSort"/>, sort directions and <see cref="DeviceFleetFilter"/> in URLs, shared by the API and the dashboard.</summary>
public static class DeviceListSorting
{
    private static readonly Dictionary<string, DeviceSort> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = DeviceSort.Id,
        ["model"] = DeviceSort.Model,
        ["health"] = DeviceSort.Health,
        ["lastSeen"] = DeviceSort.LastSeen,
        ["conditions"] = DeviceSort.ActiveConditions,
    };

    public static string SortNames => string.Join(", ", ByName.Keys);

    public static string Name(this DeviceSort sort) => ByName.First(pair => pair.Value == sort).Key;

    /// <summary>Empty means the default (by id).</summary>
    public static bool TryParseSort(string? value, out DeviceSort sort)
    {
        sort = DeviceSort.Id;
        return string.IsNullOrEmpty(value) || ByName.TryGetValue(value, out sort);
    }

    /// <summary>Empty means ascending.</summary>
    public static bool TryParseOrder(string? value, out bool descending)
    {
        descending = string.Equals(value, "desc", StringComparison.OrdinalIgnoreCase);
        return string.IsNullOrEmpty(value) || descending || string.Equals(value, "asc", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary><c>in-service</c> or empty (the default), <c>decommissioned</c> or <c>all</c>.</summary>
    public static bool TryParseFleet(string? value, out DeviceFleetFilter fleet)
    {
        fleet = value?.ToLowerInvariant() switch
        {
            null or "" or "in-service" => DeviceFleetFilter.InService,
            "decommissioned" => DeviceFleetFilter.Decommissioned,
            "all" => DeviceFleetFilter.All,
            _ => (DeviceFleetFilter)(-1),
        };
        return Enum.IsDefined(fleet);
    }
}
