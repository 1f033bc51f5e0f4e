namespace Diagnostics.Protocol;

/// <summary>
/// The MQTT topic tree, in one place. Device to cloud: <c>dx/{deviceId}/up/{kind}</c>; cloud to device:
/// <c>dx/{deviceId}/down/{kind}</c>; presence: <c>dx/{deviceId}/presence</c> (also the last will, "offline"; consumed
/// by the cloud, never retained). Only <see cref="RetainedDownlinks"/> are retained.
/// </summary>
public static class Topics
{
    public const string Root = "dx";
    public const string AllUplink = "dx/+/up/#";
    public const string SharedUplink = "$share/cloud/dx/+/up/#";
    public const string AckKind = "ack";
    public const string CommandKind = "command";
    /// <summary>Retained: the device's standing consents (<see cref="ConsentSet"/>).</summary>
    public const string ConsentKind = "consent";
    /// <summary>Retained: the update offered to the device now, or its withdrawal (<see cref="Updates.UpdateOffer"/>).</summary>
    public const string UpdateKind = "update";
    /// <summary>
    /// Device to cloud, not an envelope: a PKCS#10 certificate signing request (DER, RFC 2986) for the device's next
    /// client certificate, sent over the session its current one authenticated.
    /// </summary>
    public const string CertificateRequestKind = "csr";
    /// <summary>Cloud to device: the X.509 certificate (DER) issued for the device's last request.</summary>
    public const string CertificateKind = "certificate";

    /// <summary>Device ids are used in topics and file names, so they are restricted to a safe alphabet.</summary>
    public const int MaxDeviceIdLength = 64;

    public static string Uplink(string deviceId, UplinkKind kind) => $"dx/{deviceId}/up/{KindName(kind)}";

    public static string Downlink(string deviceId, string kind) => $"dx/{deviceId}/down/{kind}";

    /// <summary>Where a device sends the signing request for its next certificate (<see cref="CertificateRequestKind"/>).</summary>
    public static string CertificateRequest(string deviceId) => $"dx/{deviceId}/up/{CertificateRequestKind}";

    public static string DownlinkFilter(string deviceId) => $"dx/{deviceId}/down/#";

    public static string Presence(string deviceId) => $"dx/{deviceId}/presence";

    public static string KindName(UplinkKind kind) => kind switch
    {
        UplinkKind.Status => "status",
        UplinkKind.Event => "event",
        UplinkKind.Heartbeat => "heartbeat",
        UplinkKind.CommandResult => "result",
        UplinkKind.UpdateReport => "update",
        UplinkKind.HostReport => "host",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown uplink kind."),
    };

    public static UplinkKind? ParseKind(string name) => name switch
    {
        "status" => UplinkKind.Status,
        "event" => UplinkKind.Event,
        "heartbeat" => UplinkKind.Heartbeat,
        "result" => UplinkKind.CommandResult,
        "update" => UplinkKind.UpdateReport,
        "host" => UplinkKind.HostReport,
        _ => null,
    };

    /// <summary>Letters, digits, '-', '_' and '.', 1 to 64 characters, not starting with '.'.</summary>
    public static bool IsValidDeviceId(string? deviceId)
    {
        if (string.IsNullOrEmpty(deviceId) || deviceId.Length > MaxDeviceIdLength || deviceId[0] == '.')
            return false;
        foreach (var c in deviceId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                return false;
        }
        return true;
    }

    /// <summary>Splits a topic into its device id and the part after it, or explains why it is not one of ours.</summary>
    public static TopicParseResult Parse(string topic)
    {
        var parts = topic.Split('/');
        if (parts.Length < 3 || parts[0] != Root)
            return TopicParseResult.Fail($"Topic '{topic}' is not under '{Root}/{{deviceId}}/'.");
        var deviceId = parts[1];
        if (!IsValidDeviceId(deviceId))
            return TopicParseResult.Fail($"Topic '{topic}' does not carry a valid device id.");
        if (parts.Length == 3 && parts[2] == "presence")
            return new TopicParseResult(deviceId, TopicDirection.Presence, "presence", null);
        if (parts.Length != 4 || parts[3].Length == 0)
            return TopicParseResult.Fail($"Topic '{topic}' is not dx/{{deviceId}}/up|down/{{kind}}.");
        return parts[2] switch
        {
            "up" => new TopicParseResult(deviceId, TopicDirection.Up, parts[3], null),
            "down" => new TopicParseResult(deviceId, TopicDirection.Down, parts[3], null),
            _ => TopicParseResult.Fail($"Topic '{topic}' is neither 'up' nor 'down'."),
        };
    }
}

public enum TopicDirection
{
    Invalid = 0,
    Up,
    Down,
    Presence,
}

public sealed record TopicParseResult(string DeviceId, TopicDirection Direction, string Kind, string? Error)
{
    public bool IsValid => Error is null;

    internal static TopicParseResult Fail(string error) => new("", TopicDirection.Invalid, "", error);
}
