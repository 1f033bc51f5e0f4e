using System.Collections.Frozen;

namespace Diagnostics.Agent.Collectors;

/// <summary>
/// Printer-MIB alert codes (RFC 3805 prtAlertTable, IANA-PRINTER-MIB PrtAlertCodeTC; carried over IPP as PWG 5100.9
/// printer-alert) that report something that happened rather than a state that holds. RFC 3805 (2.2.13) keeps two
/// kinds of rows: a binary change event (cover open, jam) is added when the state begins and removed when it ends, so
/// it is a condition while it is in the table; a unary change event (power up, a configuration change, the removal of
/// a binary entry, code 1801) is added once and stays until the table needs room. Such a row must not become a
/// condition that stays active for as long as the printer keeps it.
/// </summary>
public static class PrtAlertEvents
{
    private static readonly FrozenSet<long> UnaryCodes = new long[]
    {
        4,    // coverClosed
        6,    // interlockClosed
        7,    // configurationChange
        19,   // subunitClosed
        20,   // subunitTurnedOn
        27,   // subunitResourceAdded
        28,   // subunitResourceRemoved
        502,  // doorClosed
        503,  // powerUp
        504,  // powerDown
        505,  // printerNMSReset
        506,  // printerManualReset
        507,  // printerReadyToPrint
        802,  // inputMediaSizeChange
        803,  // inputMediaWeightChange
        804,  // inputMediaTypeChange
        805,  // inputMediaColorChange
        806,  // inputMediaFormPartsChange
        1501, // interpreterMemoryIncrease
        1502, // interpreterMemoryDecrease
        1503, // interpreterCartridgeAdded
        1504, // interpreterCartridgeDeleted
        1505, // interpreterResourceAdded
        1506, // interpreterResourceDeleted
        1801, // alertRemovalOfBinaryChangeEntry
    }.ToFrozenSet();

    /// <summary>True when the alert code is a unary change event: it happened, it is not a state.</summary>
    public static bool IsEvent(long code) => UnaryCodes.Contains(code);
}
