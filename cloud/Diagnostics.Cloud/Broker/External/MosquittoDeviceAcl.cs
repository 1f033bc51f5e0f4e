using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Broker.External;

/// <summary>
/// Mosquitto's <c>acl_file</c> for <see cref="ExternalDeviceAccounts.MosquittoCertificates"/>: <see cref="TopicAcl"/>'s
/// rules as one set of patterns for every device (<c>%u</c> is the user name, which the device listener takes from the
/// certificate's CN, the device id) and the cloud's own account's rights. Mosquitto 2.0's acl_file checks publishes
/// (write) and deliveries (read); it grants every SUBSCRIBE (marked unfinished in its source), so a device may subscribe to another
/// device's downlink filter but nothing on it is ever delivered to it.
/// </summary>
public static class MosquittoDeviceAcl
{
    /// <summary>The file's text for the cloud's account <paramref name="cloudUserName"/>.</summary>
    public static string FileText(string cloudUserName)
    {
        ArgumentException.ThrowIfNullOrEmpty(cloudUserName);
        const string device = "%u";
        var lines = new List<string>
        {
            "# Diagnostics: written from TopicAcl (MosquittoDeviceAcl.FileText). The cloud's account:",
            $"user {cloudUserName}",
            $"topic write {TopicAcl.CloudPublishPattern}",
            // Deliveries through the shared subscriptions are checked against the message's own topic.
            $"topic read {Topics.Root}/+/up/#",
            $"topic read {Topics.Presence("+")}",
            "",
            "# Every device, by its certificate's CN:",
        };
        lines.AddRange(TopicAcl.DevicePublishPatterns(device).Select(p => $"pattern write {p}"));
        lines.Add($"pattern read {TopicAcl.DeviceSubscribePattern(device)}");
        return string.Join('\n', lines) + "\n";
    }
}
