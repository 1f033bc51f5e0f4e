namespace Diagnostics.Protocol;

/// <summary>
/// Normalized conditions: one name for one problem, whatever vocabulary the device used for it
/// (<c>ipp:media-jam</c>, <c>prtAlert:8</c>, a vendor panel code). The knowledge base keys on both.
/// </summary>
public static class Conditions
{
    public const string PaperJam = "PAPER_JAM";
    public const string OutOfPaper = "OUT_OF_PAPER";
    public const string PaperLow = "PAPER_LOW";
    public const string DoorOpen = "DOOR_OPEN";
    public const string TonerLow = "TONER_LOW";
    public const string TonerEmpty = "TONER_EMPTY";
    public const string WasteTonerAlmostFull = "WASTE_TONER_ALMOST_FULL";
    public const string WasteTonerFull = "WASTE_TONER_FULL";
    public const string FuserFault = "FUSER_FAULT";
    public const string Offline = "OFFLINE";
    public const string DeviceUnreachable = "DEVICE_UNREACHABLE";
}
