using Diagnostics.Cloud.Broker.External;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Broker;

/// <summary>
/// Who may publish and subscribe where — the one place these rules live, for the embedded broker (checked here), the
/// HTTP hooks an external broker calls (checked here) and Mosquitto's dynamic-security roles (the patterns below). A
/// device <c>{id}</c> publishes only under <c>dx/{id}/up/...</c> and on <c>dx/{id}/presence</c>, and subscribes only to
/// <c>dx/{id}/down/#</c> or a filter below it; the cloud publishes any device's downlink and takes the uplinks and
/// presence through its shared subscriptions. Pure, no I/O.
/// </summary>
public static class TopicAcl
{
    /// <summary>What a device may publish, as MQTT topic filters.</summary>
    public static IReadOnlyList<string> DevicePublishPatterns(string deviceId) => [$"{Topics.Root}/{deviceId}/up/#", Topics.Presence(deviceId)];

    /// <summary>What a device may subscribe to, as one MQTT topic filter (any filter below it is allowed too).</summary>
    public static string DeviceSubscribePattern(string deviceId) => Topics.DownlinkFilter(deviceId);

    /// <summary>What the cloud publishes: every device's downlink.</summary>
    public const string CloudPublishPattern = Topics.Root + "/+/down/#";

    /// <summary>What the cloud subscribes to: the shared uplink and presence filters of its group.</summary>
    public static IReadOnlyList<string> CloudSubscribePatterns(string shareGroup) =>
        [DeviceTrafficSubscriber.SharedUplinkFilter(shareGroup), DeviceTrafficSubscriber.SharedPresenceFilter(shareGroup)];

    public static bool MayPublish(string clientId, string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        // A topic name never holds a wildcard (MQTT 5.0 §4.7.1); a broker that passes one on must not get a yes here.
        if (HasWildcardOrNull(topic))
            return false;
        var parsed = Topics.Parse(topic);
        return parsed.IsValid
            && parsed.DeviceId == clientId
            && parsed.Direction is TopicDirection.Up or TopicDirection.Presence;
    }

    public static bool MaySubscribe(string clientId, string topicFilter)
    {
        ArgumentNullException.ThrowIfNull(topicFilter);
        if (topicFilter.Contains('\0', StringComparison.Ordinal))
            return false;
        if (topicFilter == DeviceSubscribePattern(clientId))
            return true;
        var prefix = $"{Topics.Root}/{clientId}/down/";
        if (!topicFilter.StartsWith(prefix, StringComparison.Ordinal) || topicFilter.Length == prefix.Length)
            return false;
        // Below down/: any concrete kind, '+' or a trailing '#', as long as no level escapes the device.
        var rest = topicFilter[prefix.Length..].Split('/');
        for (var i = 0; i < rest.Length; i++)
        {
            var level = rest[i];
            if (level.Length == 0)
                return false;
            if (level == "#" && i != rest.Length - 1)
                return false;
            if (level != "#" && level != "+" && (level.Contains('#') || level.Contains('+')))
                return false;
        }
        return true;
    }

    /// <summary>The cloud's own account publishing: a device's downlink (one device, no wildcard).</summary>
    public static bool CloudMayPublish(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return !HasWildcardOrNull(topic) && Topics.Parse(topic) is { IsValid: true, Direction: TopicDirection.Down };
    }

    /// <summary>
    /// The cloud's own account subscribing: its group's shared filters exactly, or the same filters without the
    /// <c>$share/{group}/</c> prefix (a broker may check the topic filter after taking the share part off).
    /// </summary>
    public static bool CloudMaySubscribe(string shareGroup, string topicFilter)
    {
        ArgumentNullException.ThrowIfNull(topicFilter);
        var shared = CloudSubscribePatterns(shareGroup);
        var prefix = $"$share/{shareGroup}/";
        return shared.Contains(topicFilter, StringComparer.Ordinal)
            || shared.Any(s => s[prefix.Length..] == topicFilter);
    }

    private static bool HasWildcardOrNull(string topic) => topic.AsSpan().IndexOfAny('+', '#', '\0') >= 0;
}
