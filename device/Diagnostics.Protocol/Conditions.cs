using System.Collections.Frozen;
using System.Reflection;

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

    // Paper path and finishing (IPP printer-state-reasons, Host Resources error bits).
    public const string InputTrayMissing = "INPUT_TRAY_MISSING";
    public const string InputTrayEmpty = "INPUT_TRAY_EMPTY";
    public const string OutputTrayMissing = "OUTPUT_TRAY_MISSING";
    public const string OutputAreaAlmostFull = "OUTPUT_AREA_ALMOST_FULL";
    public const string OutputAreaFull = "OUTPUT_AREA_FULL";
    public const string MediaFeedFault = "MEDIA_FEED_FAULT";

    // Printer as a whole.
    public const string Paused = "PAUSED";
    public const string Shutdown = "SHUTDOWN";
    public const string SpoolAreaFull = "SPOOL_AREA_FULL";
    public const string ServiceRequested = "SERVICE_REQUESTED";
    public const string MaintenanceOverdue = "MAINTENANCE_OVERDUE";

    // Imaging parts and supplies.
    public const string MarkerSupplyMissing = "MARKER_SUPPLY_MISSING";
    public const string PhotoconductorNearEndOfLife = "OPC_NEAR_EOL";
    public const string PhotoconductorEndOfLife = "OPC_LIFE_OVER";
    public const string DeveloperLow = "DEVELOPER_LOW";
    public const string DeveloperEmpty = "DEVELOPER_EMPTY";

    // Boards and their surroundings (GPIO inputs, environment sensors).
    /// <summary>A cover or lid switch reports open (a printer's own door is <see cref="DoorOpen"/>).</summary>
    public const string CoverOpen = "COVER_OPEN";
    /// <summary>A hardware fault line (an "error" output of a board or power supply) is asserted.</summary>
    public const string HardwareFault = "HARDWARE_FAULT";
    public const string OverTemperature = "OVER_TEMPERATURE";
    public const string UnderTemperature = "UNDER_TEMPERATURE";
    public const string HumidityHigh = "HUMIDITY_HIGH";
    public const string HumidityLow = "HUMIDITY_LOW";
    /// <summary>A sensor the agent relies on does not answer or answers garbage, several times in a row.</summary>
    public const string SensorFault = "SENSOR_FAULT";

    // Hosts: the computers and print servers that print to a printer (an agent in the host role).
    /// <summary>A print queue on a host stopped (its driver or the connection to the printer failed a job).</summary>
    public const string PrintQueueStopped = "PRINT_QUEUE_STOPPED";

    /// <summary>Every normalized condition above, for checking names that come from outside (knowledge-base files, queries).</summary>
    public static readonly FrozenSet<string> All = typeof(Conditions)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral && field.FieldType == typeof(string))
        .Select(field => (string)field.GetRawConstantValue()!)
        .ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Conditions under which the device cannot print (or do its job) until someone acts, whatever severity the device
    /// gave them: a printer may report a jam as <c>media-jam-report</c> while idle (ippeveprinter does), yet the next job
    /// will not come out. The base is RFC 2790's hrPrinterDetectedErrorState table, which pairs noPaper, noToner,
    /// doorOpen, jammed and offline with hrDeviceStatus down(5), and RFC 8011's printer-state-reasons that stop a
    /// printer (media-jam, media-empty, cover-open, door-open, toner-empty, marker-supply-empty, paused, shutdown ...).
    /// The cloud counts them as problems for health, fixes and notifications; the device's own severity is kept.
    /// </summary>
    public static readonly FrozenSet<string> StopsPrinting = new[]
    {
        PaperJam, OutOfPaper, DoorOpen, CoverOpen, TonerEmpty, WasteTonerFull, MarkerSupplyMissing, OutputAreaFull,
        MediaFeedFault, FuserFault, DeveloperEmpty, Offline, Paused, Shutdown, SpoolAreaFull, DeviceUnreachable, HardwareFault,
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Conditions that use and consumables cause (paper, doors, trays, toner): they say nothing about the firmware, so
    /// an update's health check and a rollout's before-and-after comparison leave them out.
    /// </summary>
    public static readonly FrozenSet<string> CausedByUse = new[]
    {
        PaperJam, OutOfPaper, PaperLow, DoorOpen, CoverOpen, TonerLow, TonerEmpty, WasteTonerAlmostFull, WasteTonerFull,
        InputTrayMissing, InputTrayEmpty, OutputTrayMissing, OutputAreaAlmostFull, OutputAreaFull, MarkerSupplyMissing,
        PhotoconductorNearEndOfLife, PhotoconductorEndOfLife, DeveloperLow, DeveloperEmpty, Paused, SpoolAreaFull,
    }.ToFrozenSet(StringComparer.Ordinal);
}
