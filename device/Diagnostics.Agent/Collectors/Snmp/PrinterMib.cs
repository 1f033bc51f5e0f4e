using Diagnostics.Protocol;
using Diagnostics.Agent.Collectors.Snmp.Ber;

namespace Diagnostics.Agent.Collectors.Snmp;

/// <summary>The objects the printer collector reads: MIB-II system, Host Resources (RFC 2790) and Printer-MIB (RFC 3805).</summary>
internal static class PrinterMib
{
    public static readonly Oid SysDescr = Oid.Parse("1.3.6.1.2.1.1.1.0");

    /// <summary>hrDeviceStatus.{hrDeviceIndex}: unknown 1, running 2, warning 3, testing 4, down 5.</summary>
    public static readonly Oid HrDeviceStatus = Oid.Parse("1.3.6.1.2.1.25.3.2.1.5");

    /// <summary>hrPrinterStatus.{hrDeviceIndex}: other 1, unknown 2, idle 3, printing 4, warmup 5.</summary>
    public static readonly Oid HrPrinterStatus = Oid.Parse("1.3.6.1.2.1.25.3.5.1.1");

    public static readonly Oid HrPrinterDetectedErrorState = Oid.Parse("1.3.6.1.2.1.25.3.5.1.2");

    public static readonly Oid PrtGeneralSerialNumber = Oid.Parse("1.3.6.1.2.1.43.5.1.1.17");

    /// <summary>prtMarkerLifeCount.{hrDeviceIndex}.{prtMarkerIndex}: impressions over the printer's life.</summary>
    public static readonly Oid PrtMarkerLifeCount = Oid.Parse("1.3.6.1.2.1.43.10.2.1.4");

    public static readonly Oid PrtInputEntry = Oid.Parse("1.3.6.1.2.1.43.8.2.1");
    public const uint PrtInputMaxCapacity = 9;
    public const uint PrtInputCurrentLevel = 10;
    public const uint PrtInputName = 13;

    public static readonly Oid PrtMarkerSuppliesEntry = Oid.Parse("1.3.6.1.2.1.43.11.1.1");
    public const uint PrtMarkerSuppliesColorantIndex = 3;
    public const uint PrtMarkerSuppliesClass = 4;
    public const uint PrtMarkerSuppliesType = 5;
    public const uint PrtMarkerSuppliesDescription = 6;
    public const uint PrtMarkerSuppliesSupplyUnit = 7;
    public const uint PrtMarkerSuppliesMaxCapacity = 8;
    public const uint PrtMarkerSuppliesLevel = 9;

    /// <summary>prtMarkerColorantEntry; column 4 is prtMarkerColorantValue ("black", "cyan" ...), indexed by prtMarkerColorantIndex.</summary>
    public static readonly Oid PrtMarkerColorantEntry = Oid.Parse("1.3.6.1.2.1.43.12.1.1");
    public const uint PrtMarkerColorantValue = 4;

    /// <summary>
    /// PrtMarkerSuppliesClassTC (RFC 3805): other(1), supplyThatIsConsumed(3), receptacleThatIsFilled(4). A consumed
    /// supply's level is what remains in it (toner, ink); a receptacle's level is the space that remains in it (a waste
    /// toner box: prtMarkerSuppliesLevel is "the remaining space if this supply is a receptacle").
    /// </summary>
    public const long SupplyThatIsConsumed = 3;

    /// <inheritdoc cref="SupplyThatIsConsumed"/>
    public const long ReceptacleThatIsFilled = 4;

    /// <summary>PrtMarkerSuppliesSupplyUnitTC (RFC 3805) as its keyword; percent(19) makes a level a percentage whatever the capacity says.</summary>
    public static string SupplyUnit(long? unit) => unit switch
    {
        3 => "tenThousandthsOfInches",
        4 => "micrometers",
        7 => "impressions",
        8 => "sheets",
        11 => "hours",
        12 => "thousandthsOfOunces",
        13 => "tenthsOfGrams",
        14 => "hundrethsOfFluidOunces",
        15 => "tenthsOfMilliliters",
        16 => "feet",
        17 => "meters",
        18 => "items",
        19 => PercentUnit,
        1 => "other",
        _ => "unknown",
    };

    public const string PercentUnit = "percent";

    public static readonly Oid PrtAlertEntry = Oid.Parse("1.3.6.1.2.1.43.18.1.1");
    public const uint PrtAlertSeverityLevel = 2;
    public const uint PrtAlertCode = 7;
    public const uint PrtAlertDescription = 8;

    /// <summary>PrtMarkerSuppliesTypeTC as the PWG 5100.13 supply type keyword.</summary>
    public static string SupplyType(long? type) => type switch
    {
        3 => "toner",
        4 => "wasteToner",
        5 => "ink",
        6 => "inkCartridge",
        7 => "inkRibbon",
        8 => "wasteInk",
        9 => "opc",
        10 => "developer",
        11 => "fuserOil",
        12 => "solidWax",
        13 => "ribbonWax",
        14 => "wasteWax",
        15 => "fuser",
        16 => "coronaWire",
        17 => "fuserOilWick",
        18 => "cleanerUnit",
        19 => "fuserCleaningPad",
        20 => "transferUnit",
        21 => "tonerCartridge",
        22 => "fuserOiler",
        1 => "other",
        _ => "unknown",
    };

    /// <summary>PrtAlertCodeTC values that name a normalized condition; others keep an empty condition.</summary>
    public static string AlertCondition(long code) => code switch
    {
        3 or 5 or 501 => Protocol.Conditions.DoorOpen,
        8 => Protocol.Conditions.PaperJam,
        801 => Conditions.InputTrayMissing,
        807 => Protocol.Conditions.PaperLow,
        808 => Protocol.Conditions.OutOfPaper,
        901 => Conditions.OutputTrayMissing,
        902 => Conditions.OutputAreaAlmostFull,
        903 => Conditions.OutputAreaFull,
        >= 1001 and <= 1004 => Protocol.Conditions.FuserFault,
        1101 => Protocol.Conditions.TonerEmpty,
        1104 => Protocol.Conditions.TonerLow,
        1107 => Protocol.Conditions.WasteTonerAlmostFull,
        1109 => Protocol.Conditions.WasteTonerFull,
        1115 => Conditions.MarkerSupplyMissing,
        _ => "",
    };

    /// <summary>prtAlertSeverityLevel: other 1, critical 3, warning 4, warningBinaryChangeEvent 5.</summary>
    public static Protocol.Severity AlertSeverity(long? level) => level switch
    {
        3 => Protocol.Severity.Error,
        4 => Protocol.Severity.Warning,
        _ => Protocol.Severity.Report,
    };
}
