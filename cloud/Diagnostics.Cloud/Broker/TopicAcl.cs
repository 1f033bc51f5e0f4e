using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Broker;

/// <summary>
/// Who may publish and subscribe where: a device <c>{id}</c> publishes only under <c>dx/{id}/up/...</c> and on
/// <c>dx/{id}/presence</c>, and subscribes only to <c>dx/{id}/down/#</c> or a filter below it. Pure, no I/O.
/// </summary>
public static class TopicAcl
{
    public static bool MayPublish(string clientId, string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var parsed = Topics.Parse(topic);
        return parsed.IsValid
            && parsed.DeviceId == clientId
            && parsed.Direction is TopicDirection.Up or TopicDirection.Presence;
    }

    public static bool MaySubscribe(string clientId, string topicFilter)
    {
        ArgumentNullException.ThrowIfNull(topicFilter);
        var prefix = $"{Topics.Root}/{clientId}/down/";
        if (topicFilter == $"{Topics.Root}/{clientId}/down/#")
            return true;
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
}
