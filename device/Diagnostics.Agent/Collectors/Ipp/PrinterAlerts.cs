using System.Globalization;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>One printer-alert value (PWG 5100.9), e.g. <c>code=jam;index=1;severity=critical;group=mediaPath</c>.</summary>
/// <param name="Code">PrtAlertCodeTC number when the label is known or the printer sent a number, else the label as sent.</param>
public sealed record PrinterAlert(string Code, string CodeLabel, Severity Severity, string Condition, IReadOnlyDictionary<string, string> Fields)
{
    public string ConditionCode => "prtAlert:" + Code;

    /// <summary>A unary change event (power up, a configuration change ...): something that happened, not a condition (<see cref="PrtAlertEvents"/>).</summary>
    public bool IsEvent => long.TryParse(Code, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && PrtAlertEvents.IsEvent(number);
}

/// <summary>Parses printer-alert values; Printer-MIB (RFC 3805) PrtAlertCodeTC labels map to their numbers.</summary>
public static class PrinterAlerts
{
    // The PrtAlertCodeTC values that mean a condition we name; others keep their number (or label) without one.
    private static readonly Dictionary<string, (int Number, string Condition)> KnownCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["other"] = (1, ""),
        ["unknown"] = (2, ""),
        ["coverOpen"] = (3, Conditions.DoorOpen),
        ["coverClosed"] = (4, ""),
        ["interlockOpen"] = (5, Conditions.DoorOpen),
        ["interlockClosed"] = (6, ""),
        ["configurationChange"] = (7, ""),
        ["jam"] = (8, Conditions.PaperJam),
        ["subunitMissing"] = (9, ""),
        ["subunitLifeAlmostOver"] = (10, ""),
        ["subunitLifeOver"] = (11, ""),
        ["subunitAlmostEmpty"] = (12, ""),
        ["subunitEmpty"] = (13, ""),
        ["subunitAlmostFull"] = (14, ""),
        ["subunitFull"] = (15, ""),
        ["subunitOverTemperature"] = (36, ""),
        ["doorOpen"] = (501, Conditions.DoorOpen),
        ["doorClosed"] = (502, ""),
        ["powerUp"] = (503, ""),
        ["powerDown"] = (504, ""),
        ["printerNMSReset"] = (505, ""),
        ["printerManualReset"] = (506, ""),
        ["printerReadyToPrint"] = (507, ""),
        ["alertRemovalOfBinaryChangeEntry"] = (1801, ""),
        ["inputMediaTrayMissing"] = (801, Conditions.InputTrayMissing),
        ["inputMediaSupplyLow"] = (807, Conditions.PaperLow),
        ["inputMediaSupplyEmpty"] = (808, Conditions.OutOfPaper),
        ["outputMediaTrayMissing"] = (901, Conditions.OutputTrayMissing),
        ["outputMediaTrayAlmostFull"] = (902, Conditions.OutputAreaAlmostFull),
        ["outputMediaTrayFull"] = (903, Conditions.OutputAreaFull),
        ["markerFuserUnderTemperature"] = (1001, Conditions.FuserFault),
        ["markerFuserOverTemperature"] = (1002, Conditions.FuserFault),
        ["markerFuserTimingFailure"] = (1003, Conditions.FuserFault),
        ["markerFuserThermistorFailure"] = (1004, Conditions.FuserFault),
        ["markerTonerEmpty"] = (1101, Conditions.TonerEmpty),
        ["markerInkEmpty"] = (1102, Conditions.TonerEmpty),
        ["markerTonerAlmostEmpty"] = (1104, Conditions.TonerLow),
        ["markerInkAlmostEmpty"] = (1105, Conditions.TonerLow),
        ["markerWasteTonerReceptacleAlmostFull"] = (1107, Conditions.WasteTonerAlmostFull),
        ["markerWasteInkReceptacleAlmostFull"] = (1108, Conditions.WasteTonerAlmostFull),
        ["markerWasteTonerReceptacleFull"] = (1109, Conditions.WasteTonerFull),
        ["markerWasteInkReceptacleFull"] = (1110, Conditions.WasteTonerFull),
        ["markerOpcLifeAlmostOver"] = (1111, Conditions.PhotoconductorNearEndOfLife),
        ["markerOpcLifeOver"] = (1112, Conditions.PhotoconductorEndOfLife),
        ["markerDeveloperAlmostEmpty"] = (1113, Conditions.DeveloperLow),
        ["markerDeveloperEmpty"] = (1114, Conditions.DeveloperEmpty),
    };

    private static readonly Dictionary<int, string> ConditionByNumber =
        KnownCodes.Values.Where(v => v.Condition.Length > 0).GroupBy(v => v.Number).ToDictionary(g => g.Key, g => g.First().Condition);

    /// <summary>The alert, or null when the value has no <c>code=</c> (the only required field).</summary>
    public static PrinterAlert? Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var fields = KeyValueList.Parse(value);
        if (!fields.TryGetValue("code", out var label) || label.Length == 0)
            return null;
        string code, condition;
        if (KnownCodes.TryGetValue(label, out var known))
            (code, condition) = (known.Number.ToString(CultureInfo.InvariantCulture), known.Condition);
        else if (int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            (code, condition) = (label, ConditionByNumber.GetValueOrDefault(number, ""));
        else
            (code, condition) = (label, "");
        var severity = fields.GetValueOrDefault("severity", "") switch
        {
            "critical" => Severity.Error,
            "warning" or "warningBinaryChangeEvent" => Severity.Warning,
            _ => Severity.Report,
        };
        return new PrinterAlert(code, label, severity, condition, fields);
    }
}

/// <summary>The <c>key=value;key=value;</c> form of printer-alert, printer-supply and printer-input-tray values.</summary>
internal static class KeyValueList
{
    public static Dictionary<string, string> Parse(string value)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
                fields.TryAdd(part[..equals].Trim(), part[(equals + 1)..].Trim());
        }
        return fields;
    }

    public static int? Integer(IReadOnlyDictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;
}
