using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>
/// Turns a Get-Printer-Attributes response into a <see cref="DeviceStatus"/>. Pure; condition start times
/// (<see cref="ActiveCondition.SinceUnixMs"/>) are left for the collector, which remembers them across reads.
/// </summary>
public static class IppStatusTranslator
{
    public const string UptimeCounter = "uptime-seconds";

    /// <summary>Percent at or below which a consumable is low when the printer gives no threshold of its own.</summary>
    public const int DefaultLowPercent = 10;

    /// <summary>Percent at or above which a receptacle (waste toner) is almost full.</summary>
    public const int ReceptacleAlmostFullPercent = 90;

    private static readonly (string Attribute, string Counter)[] CounterAttributes =
    [
        ("printer-impressions-completed", "impressions-completed"),
        ("printer-media-sheets-completed", "media-sheets-completed"),
        ("printer-pages-completed", "pages-completed"),
    ];

    public static DeviceStatus Translate(IppMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var state = response.Find("printer-state")?.Integers.FirstOrDefault() switch
        {
            3 => DeviceState.Idle,
            4 => DeviceState.Processing,
            5 => DeviceState.Stopped,
            _ => DeviceState.Unknown,
        };
        var stateMessage = First(response, "printer-state-message");
        var reasons = PrinterStateReasons.ParseAll(response.Find("printer-state-reasons")?.Strings ?? []);
        var conditions = new List<ActiveCondition>();
        foreach (var reason in reasons)
            conditions.Add(new ActiveCondition { Code = reason.Code, Condition = reason.Condition, Severity = reason.Severity, Message = reason.Label });

        var alertDescriptions = response.Find("printer-alert-description")?.Strings.ToList() ?? [];
        var alertIndex = 0;
        foreach (var value in response.Find("printer-alert")?.Strings ?? [])
        {
            var description = alertIndex < alertDescriptions.Count ? alertDescriptions[alertIndex] : "";
            alertIndex++;
            if (PrinterAlerts.Parse(value) is not { } alert || alert.IsEvent)
                continue;
            conditions.Add(new ActiveCondition
            {
                Code = alert.ConditionCode,
                Condition = alert.Condition,
                Severity = alert.Severity,
                Message = description.Length > 0 ? description : alert.CodeLabel,
            });
            foreach (var panel in PanelCodes.Find(description))
                conditions.Add(new ActiveCondition { Code = PanelCodes.Prefix + panel, Severity = alert.Severity, Message = description });
        }
        // A stopped printer's message names the fault; otherwise a panel code in it is at most a warning.
        foreach (var panel in PanelCodes.Find(stateMessage))
            conditions.Add(new ActiveCondition { Code = PanelCodes.Prefix + panel, Severity = state == DeviceState.Stopped ? Severity.Error : Severity.Warning, Message = stateMessage });

        var supplies = Supplies(response, reasons);
        supplies.AddRange(InputTrays(response, reasons));
        return new DeviceStatus
        {
            Model = First(response, "printer-make-and-model"),
            Serial = Serial(response),
            FirmwareVersion = FirmwareVersion(response),
            State = state,
            StateMessage = stateMessage,
            // One entry per code: the same alert code at two indexes (two trays jammed) is one condition, worst severity.
            Conditions = conditions.GroupBy(c => c.Code, StringComparer.Ordinal).Select(g => g.MaxBy(c => c.Severity)!).ToList(),
            Supplies = supplies,
            Counters = Counters(response),
        };
    }

    private static string First(IppMessage response, string name) => response.Find(name)?.Strings.FirstOrDefault() ?? "";

    private static string Serial(IppMessage response)
    {
        // IEEE 1284 device id: "MFG:Acme;MDL:LaserPro 500;SN:X123;".
        foreach (var part in First(response, "printer-device-id").Split(';', StringSplitOptions.TrimEntries))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && part[..colon].ToUpperInvariant() is "SN" or "SERN" or "SERIALNUMBER" && part.Length > colon + 1)
                return part[(colon + 1)..].Trim();
        }
        var uuid = First(response, "printer-uuid");
        return uuid.StartsWith("urn:uuid:", StringComparison.OrdinalIgnoreCase) ? uuid["urn:uuid:".Length..] : uuid;
    }

    private static string FirmwareVersion(IppMessage response)
    {
        var version = First(response, "printer-firmware-string-version");
        return version.Length > 0 ? version : First(response, "printer-firmware-version");
    }

    private static List<Counter> Counters(IppMessage response)
    {
        var counters = new List<Counter>();
        foreach (var (attribute, counter) in CounterAttributes)
        {
            if (response.Find(attribute)?.Integers.FirstOrDefault(-1) is >= 0 and var value)
                counters.Add(new Counter { Name = counter, Value = value });
        }
        if (Uptime(response.Find("printer-up-time")?.Integers.FirstOrDefault(-1) ?? -1) is { } uptime)
            counters.Add(new Counter { Name = UptimeCounter, Value = uptime });
        return counters;
    }

    /// <summary>
    /// An uptime of this many seconds or more (30 years: 2000-01-01 as Unix time) is a clock reading, not an uptime.
    /// RFC 8011 5.4.29 asks for seconds since the printer started, but cupsd sends its clock (Unix epoch seconds) there.
    /// </summary>
    public const long AbsoluteTimeThreshold = 946_684_800;

    /// <summary>
    /// The printer's uptime in seconds from printer-up-time, or null when it has none to give: a negative value, or a
    /// Unix time (cupsd). The uptime of a CUPS queue is not known over IPP, so none is reported rather than 57 years.
    /// </summary>
    public static long? Uptime(long printerUpTime) => printerUpTime is >= 0 and < AbsoluteTimeThreshold ? printerUpTime : null;

    private static List<SupplyLevel> Supplies(IppMessage response, IReadOnlyList<PrinterStateReason> reasons)
    {
        var supplies = new List<SupplyLevel>();
        var pwg = response.Find("printer-supply")?.Strings.ToList() ?? [];
        if (pwg.Count > 0)
        {
            var descriptions = response.Find("printer-supply-description")?.Strings.ToList() ?? [];
            for (var i = 0; i < pwg.Count; i++)
            {
                var fields = KeyValueList.Parse(pwg[i]);
                var type = fields.GetValueOrDefault("type", "");
                var receptacle = fields.GetValueOrDefault("class", "") == "receptacleThatIsFilled" || type.StartsWith("waste", StringComparison.OrdinalIgnoreCase);
                var level = KeyValueList.Integer(fields, "level") ?? -2;
                var max = KeyValueList.Integer(fields, "maxcapacity") ?? -2;
                var unit = fields.GetValueOrDefault("unit", "");
                var percent = level < 0 ? level
                    : unit == "percent" && max is -2 or 100 ? Math.Min(level, 100)
                    : max > 0 ? (int)Math.Round(level * 100.0 / max)
                    // A level in the printer's units without a capacity: none left is still none; otherwise "some remains".
                    : level == 0 ? 0 : -3;
                var supply = Supply(
                    i < descriptions.Count && descriptions[i].Length > 0 ? descriptions[i] : $"{type} {fields.GetValueOrDefault("index", (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))}",
                    type, fields.GetValueOrDefault("colorantname", ""), percent, receptacle, lowPercent: null, reasons);
                supply.Level = level;
                supply.MaxCapacity = max;
                supply.Unit = unit;
                supplies.Add(supply);
            }
            return supplies;
        }
        // CUPS's marker-* attributes: parallel lists, levels 0..100 or -1 unavailable, -2 unknown, -3 unknown but not empty.
        var names = response.Find("marker-names")?.Strings.ToList() ?? [];
        var levels = response.Find("marker-levels")?.Integers.ToList() ?? [];
        var types = response.Find("marker-types")?.Strings.ToList() ?? [];
        var colors = response.Find("marker-colors")?.Strings.ToList() ?? [];
        var lows = response.Find("marker-low-levels")?.Integers.ToList() ?? [];
        for (var i = 0; i < names.Count; i++)
        {
            var type = i < types.Count ? types[i] : "";
            var receptacle = type.StartsWith("waste", StringComparison.OrdinalIgnoreCase);
            supplies.Add(Supply(names[i], ToPwgType(type), i < colors.Count ? colors[i] : "", i < levels.Count ? levels[i] : -2, receptacle, i < lows.Count ? lows[i] : null, reasons));
        }
        return supplies;
    }

    // CUPS marker-types are dashed (waste-toner, toner-cartridge); PWG supply types are camelCase.
    private static string ToPwgType(string cupsType) => cupsType switch
    {
        "waste-toner" => "wasteToner",
        "waste-ink" => "wasteInk",
        "toner-cartridge" => "tonerCartridge",
        "ink-cartridge" => "inkCartridge",
        "opc" => "opc",
        _ => cupsType,
    };

    private static SupplyLevel Supply(string name, string type, string color, int percent, bool receptacle, int? lowPercent, IReadOnlyList<PrinterStateReason> reasons)
    {
        bool Has(params string[] bases) => reasons.Any(r => bases.Contains(r.Base, StringComparer.Ordinal));
        bool low, empty;
        if (receptacle)
        {
            // A receptacle's level is how full it is: "low" here means almost full, "empty" means full (no room left).
            low = percent >= ReceptacleAlmostFullPercent || Has("marker-waste-almost-full", "marker-waste-full");
            empty = percent >= 100 || Has("marker-waste-full");
        }
        else
        {
            var isMarker = type.Contains("toner", StringComparison.OrdinalIgnoreCase) || type.Contains("ink", StringComparison.OrdinalIgnoreCase);
            low = (percent >= 0 && percent <= (lowPercent is > 0 ? lowPercent.Value : DefaultLowPercent))
                || (isMarker && Has("toner-low", "marker-supply-low", "toner-empty", "marker-supply-empty"));
            empty = percent == 0 || (isMarker && Has("toner-empty", "marker-supply-empty"));
        }
        return new SupplyLevel { Name = name, Type = type, Color = color, LevelPercent = percent, Low = low, Empty = empty };
    }

    private static IEnumerable<SupplyLevel> InputTrays(IppMessage response, IReadOnlyList<PrinterStateReason> reasons)
    {
        foreach (var value in response.Find("printer-input-tray")?.Strings ?? [])
        {
            var fields = KeyValueList.Parse(value);
            var name = fields.GetValueOrDefault("name", "");
            // The "auto" pseudo-tray and manual feeds have no capacity: nothing to watch.
            var max = KeyValueList.Integer(fields, "maxcapacity") ?? -2;
            var level = KeyValueList.Integer(fields, "level") ?? -2;
            if (name.Length == 0 || name == "auto" || (max <= 0 && level < 0))
                continue;
            var percent = level < 0 ? level : max > 0 ? (int)Math.Round(level * 100.0 / max) : Math.Min(level, 100);
            yield return new SupplyLevel
            {
                Name = name,
                Type = "media",
                Color = "",
                LevelPercent = percent,
                Low = percent is >= 0 and <= DefaultLowPercent,
                Empty = percent == 0,
            };
        }
    }
}
