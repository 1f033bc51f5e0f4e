using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>
/// Normalized condition names the IPP collector needs beyond <see cref="Conditions"/>. Candidates for the Protocol
/// project; until then they travel as plain strings and the knowledge base keys on them the same way.
/// </summary>
public static class IppConditions
{
    public const string InputTrayMissing = "INPUT_TRAY_MISSING";
    public const string OutputTrayMissing = "OUTPUT_TRAY_MISSING";
    public const string OutputAreaAlmostFull = "OUTPUT_AREA_ALMOST_FULL";
    public const string OutputAreaFull = "OUTPUT_AREA_FULL";
    public const string Paused = "PAUSED";
    public const string Shutdown = "SHUTDOWN";
    public const string SpoolAreaFull = "SPOOL_AREA_FULL";
    public const string PhotoconductorNearEndOfLife = "OPC_NEAR_EOL";
    public const string PhotoconductorEndOfLife = "OPC_LIFE_OVER";
    public const string DeveloperLow = "DEVELOPER_LOW";
    public const string DeveloperEmpty = "DEVELOPER_EMPTY";
    public const string MediaFeedFault = "MEDIA_FEED_FAULT";

    /// <summary>printer-state-reasons base keyword → normalized condition.</summary>
    internal static readonly IReadOnlyDictionary<string, string> ByReason = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["media-jam"] = Conditions.PaperJam,
        ["media-empty"] = Conditions.OutOfPaper,
        ["media-needed"] = Conditions.OutOfPaper,
        ["media-low"] = Conditions.PaperLow,
        ["cover-open"] = Conditions.DoorOpen,
        ["door-open"] = Conditions.DoorOpen,
        ["interlock-open"] = Conditions.DoorOpen,
        ["toner-low"] = Conditions.TonerLow,
        ["marker-supply-low"] = Conditions.TonerLow,
        ["toner-empty"] = Conditions.TonerEmpty,
        ["marker-supply-empty"] = Conditions.TonerEmpty,
        ["marker-waste-almost-full"] = Conditions.WasteTonerAlmostFull,
        ["marker-waste-full"] = Conditions.WasteTonerFull,
        ["fuser-over-temp"] = Conditions.FuserFault,
        ["fuser-under-temp"] = Conditions.FuserFault,
        ["offline"] = Conditions.Offline,
        ["connecting-to-device"] = Conditions.Offline,
        ["timed-out"] = Conditions.Offline,
        ["input-tray-missing"] = InputTrayMissing,
        ["output-tray-missing"] = OutputTrayMissing,
        ["output-area-almost-full"] = OutputAreaAlmostFull,
        ["output-area-full"] = OutputAreaFull,
        ["paused"] = Paused,
        ["shutdown"] = Shutdown,
        ["spool-area-full"] = SpoolAreaFull,
        ["opc-near-eol"] = PhotoconductorNearEndOfLife,
        ["opc-life-over"] = PhotoconductorEndOfLife,
        ["developer-low"] = DeveloperLow,
        ["developer-empty"] = DeveloperEmpty,
        ["input-media-tray-feed-error"] = MediaFeedFault,
        ["media-path-input-feed-error"] = MediaFeedFault,
    };
}
