using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>What each registered printer-state-reasons keyword means in the normalized vocabulary of <see cref="Conditions"/>.</summary>
public static class IppConditions
{
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
        ["input-tray-missing"] = Conditions.InputTrayMissing,
        ["output-tray-missing"] = Conditions.OutputTrayMissing,
        ["output-area-almost-full"] = Conditions.OutputAreaAlmostFull,
        ["output-area-full"] = Conditions.OutputAreaFull,
        ["paused"] = Conditions.Paused,
        ["shutdown"] = Conditions.Shutdown,
        ["spool-area-full"] = Conditions.SpoolAreaFull,
        ["opc-near-eol"] = Conditions.PhotoconductorNearEndOfLife,
        ["opc-life-over"] = Conditions.PhotoconductorEndOfLife,
        ["developer-low"] = Conditions.DeveloperLow,
        ["developer-empty"] = Conditions.DeveloperEmpty,
        ["input-media-tray-feed-error"] = Conditions.MediaFeedFault,
        ["media-path-input-feed-error"] = Conditions.MediaFeedFault,
    };
}
