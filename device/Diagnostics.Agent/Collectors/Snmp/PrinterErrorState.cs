using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors.Snmp;

/// <summary>One bit of Host Resources hrPrinterDetectedErrorState (RFC 2790 / RFC 3805), with what it means.</summary>
public sealed record PrinterErrorBit(int Bit, string Name, string Condition, Severity Severity)
{
    /// <summary>The condition code as the device reports it: <c>hrPrinter:jammed</c>.</summary>
    public string Code => $"hrPrinter:{Name}";
}

/// <summary>Decodes hrPrinterDetectedErrorState: a BITS value where bit 0 is the most significant bit of the first octet.</summary>
public static class PrinterErrorState
{
    /// <summary>
    /// All bits RFC 3805 defines, in bit order. "Low"/"near" states are warnings: the printer still prints. RFC 2790's
    /// table pairs each of the first eight with an hrDeviceStatus: lowPaper, lowToner and serviceRequested with
    /// warning(3), the others with down(5); a printer that is down with serviceRequested set raises it to an error
    /// (see <see cref="SeverityOf"/>).
    /// </summary>
    public static IReadOnlyList<PrinterErrorBit> Bits { get; } =
    [
        new(0, "lowPaper", Conditions.PaperLow, Severity.Warning),
        new(1, "noPaper", Conditions.OutOfPaper, Severity.Error),
        new(2, "lowToner", Conditions.TonerLow, Severity.Warning),
        new(3, "noToner", Conditions.TonerEmpty, Severity.Error),
        new(4, "doorOpen", Conditions.DoorOpen, Severity.Error),
        new(5, "jammed", Conditions.PaperJam, Severity.Error),
        new(6, "offline", Conditions.Offline, Severity.Error),
        new(7, "serviceRequested", Conditions.ServiceRequested, Severity.Warning),
        new(8, "inputTrayMissing", Conditions.InputTrayMissing, Severity.Error),
        new(9, "outputTrayMissing", Conditions.OutputTrayMissing, Severity.Error),
        new(10, "markerSupplyMissing", Conditions.MarkerSupplyMissing, Severity.Error),
        new(11, "outputNearFull", Conditions.OutputAreaAlmostFull, Severity.Warning),
        new(12, "outputFull", Conditions.OutputAreaFull, Severity.Error),
        new(13, "inputTrayEmpty", Conditions.InputTrayEmpty, Severity.Warning),
        new(14, "overduePreventMaint", Conditions.MaintenanceOverdue, Severity.Warning),
    ];

    /// <summary>
    /// The bit's severity given hrDeviceStatus: RFC 2790 lists serviceRequested both under "non critical alert active"
    /// (warning(3)) and "critical alert active" (down(5)), so it is an error only when the printer says it is down.
    /// </summary>
    public static Severity SeverityOf(PrinterErrorBit bit, long? hrDeviceStatus)
    {
        ArgumentNullException.ThrowIfNull(bit);
        return bit.Name == "serviceRequested" && hrDeviceStatus == HrDeviceStatusDown ? Severity.Error : bit.Severity;
    }

    /// <summary>hrDeviceStatus down(5).</summary>
    public const long HrDeviceStatusDown = 5;

    /// <summary>The bits set in <paramref name="octets"/>; bits past the defined ones (vendor or future) are ignored.</summary>
    public static IReadOnlyList<PrinterErrorBit> Decode(IReadOnlyList<byte> octets)
    {
        ArgumentNullException.ThrowIfNull(octets);
        var set = new List<PrinterErrorBit>();
        foreach (var bit in Bits)
        {
            var octet = bit.Bit / 8;
            if (octet < octets.Count && (octets[octet] & (0x80 >> (bit.Bit % 8))) != 0)
                set.Add(bit);
        }
        return set;
    }
}
