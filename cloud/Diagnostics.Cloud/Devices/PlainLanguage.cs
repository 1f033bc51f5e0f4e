using System.Collections.Frozen;
using System.Globalization;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Devices;

/// <summary>A problem as a customer reads it: what is wrong, and one sentence saying what to do about it.</summary>
public sealed record PlainProblem(string Title, string Advice);

/// <summary>
/// The words the companion app uses for what devices report: one catalog from normalized condition to a title and a
/// "what to do", plus health, supplies and time in everyday language. Customers never see a raw keyword
/// ("media-jam") or a dashboard term ("critical") as the main text.
/// </summary>
public static class PlainLanguage
{
    // One row per name in Protocol's Conditions; a test checks that none is missing.
    private static readonly FrozenDictionary<string, PlainProblem> Catalog = new Dictionary<string, PlainProblem>(StringComparer.Ordinal)
    {
        [Conditions.PaperJam] = new("Paper jam", "Open the cover and gently remove the jammed paper."),
        [Conditions.OutOfPaper] = new("Out of paper", "Put paper in the paper tray."),
        [Conditions.PaperLow] = new("Paper is running low", "Add paper to the tray soon."),
        [Conditions.DoorOpen] = new("A door is open", "Close all doors and covers until they click."),
        [Conditions.TonerLow] = new("Toner is running low", "Order a replacement cartridge soon."),
        [Conditions.TonerEmpty] = new("Toner is empty", "Replace the empty toner cartridge."),
        [Conditions.WasteTonerAlmostFull] = new("Waste toner box is almost full", "Order a new waste toner box soon."),
        [Conditions.WasteTonerFull] = new("Waste toner box is full", "Replace the waste toner box."),
        [Conditions.FuserFault] = new("The heating unit has a fault", "Turn the printer off, wait ten minutes and turn it on again. If it happens again, contact support."),
        [Conditions.Offline] = new("Printer is offline", "Check that the printer is switched on and connected to the network."),
        [Conditions.DeviceUnreachable] = new("Cannot reach the printer", "Check that the printer is switched on and its network cable or Wi-Fi is connected."),
        [Conditions.InputTrayMissing] = new("A paper tray is missing", "Push the paper tray all the way back into the printer."),
        [Conditions.InputTrayEmpty] = new("A paper tray is empty", "Fill the empty paper tray."),
        [Conditions.OutputTrayMissing] = new("The output tray is missing", "Put the output tray back in place."),
        [Conditions.OutputAreaAlmostFull] = new("Output tray is almost full", "Take the printed pages out of the output tray."),
        [Conditions.OutputAreaFull] = new("Output tray is full", "Take the printed pages out of the output tray to continue printing."),
        [Conditions.MediaFeedFault] = new("Paper is not feeding", "Check the paper is straight in the tray and not creased, then try again."),
        [Conditions.Paused] = new("Printing is paused", "Resume printing from the printer's screen."),
        [Conditions.Shutdown] = new("Printer is shutting down", "Wait until it is off, then switch it on again if you need it."),
        [Conditions.SpoolAreaFull] = new("Printer memory is full", "Wait for current jobs to finish, or cancel some, then print again."),
        [Conditions.ServiceRequested] = new("Printer needs service", "Contact support to arrange a service visit."),
        [Conditions.MaintenanceOverdue] = new("Maintenance is overdue", "Contact support to book routine maintenance."),
        [Conditions.MarkerSupplyMissing] = new("A cartridge is missing", "Insert the missing cartridge."),
        [Conditions.PhotoconductorNearEndOfLife] = new("Imaging drum is wearing out", "Order a replacement drum soon."),
        [Conditions.PhotoconductorEndOfLife] = new("Imaging drum is worn out", "Replace the imaging drum."),
        [Conditions.DeveloperLow] = new("Developer is running low", "Order a replacement developer unit soon."),
        [Conditions.DeveloperEmpty] = new("Developer is empty", "Replace the developer unit."),
        [Conditions.CoverOpen] = new("A cover is open", "Close the cover until it clicks."),
        [Conditions.HardwareFault] = new("The device reports a fault", "Turn the device off and on again. If the problem stays, contact support."),
        [Conditions.OverTemperature] = new("The device is too hot", "Make sure nothing blocks its vents and move it away from heat."),
        [Conditions.UnderTemperature] = new("The device is too cold", "Move it to a warmer room or wait until the room warms up."),
        [Conditions.HumidityHigh] = new("The air is too humid", "Keep the device and its paper in a drier place."),
        [Conditions.HumidityLow] = new("The air is too dry", "Keep the device in a room with normal humidity."),
        [Conditions.SensorFault] = new("A sensor is not working", "Turn the device off and on again. If the problem stays, contact support."),
        [Conditions.PrintQueueStopped] = new("A print queue on this computer stopped", "Nothing prints from this computer until the queue is started again: approve the suggested fix, or resume the printer in the computer's printer settings."),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private const string GenericAdvice = "Check the device's screen for details. If the problem stays, contact support.";

    private static readonly FrozenDictionary<string, string> SupplyTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["toner"] = "toner",
        ["tonerCartridge"] = "toner",
        ["ink"] = "ink",
        ["inkCartridge"] = "ink",
        ["wasteToner"] = "waste toner box",
        ["wasteInk"] = "waste ink box",
        ["media"] = "paper",
        ["photoconductor"] = "drum",
        ["opc"] = "drum",
        ["developer"] = "developer",
        ["fuser"] = "heating unit",
        ["staples"] = "staples",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    // What to do when the agent cannot read the printer, by the cause class it reports (agent:unreachable-{class},
    // Protocol's UnreachableCauses). A test checks every class has a line.
    private static readonly FrozenDictionary<string, string> UnreachableAdvice = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["refused"] = "The printer is on but does not accept the connection: switch it off and on, and check that IPP printing is enabled.",
        ["timeout"] = "The printer does not answer in time: check that it is on and awake, and its network cable or Wi-Fi.",
        ["name-not-found"] = "The printer's network name is unknown: tell support its current IP address.",
        ["no-route"] = "There is no network path to the printer: check that it is on and connected to your network.",
        ["connection-lost"] = "The connection to the printer keeps dropping: switch it off and on, or use a network cable.",
        ["tls"] = "The printer's secure connection is not trusted: tell support if the printer was reset or updated.",
        ["http-error"] = "The printer's web service answers with an error: switch the printer off and on again.",
        ["not-ipp"] = "Another device answers at the printer's address: tell support the printer's current IP address.",
        ["truncated"] = "The printer's answers are cut off: switch it off and on; if it continues, it may need a firmware update.",
        ["oversized"] = "The printer sends far more than expected: switch it off and on, then tell support if it continues.",
        ["ipp-error"] = "The printer refuses the status request: tell support if you renamed the printer or added a password.",
        ["snmp-silent"] = "The printer does not answer status questions (SNMP): check that SNMP is on in the printer's settings.",
        ["snmp-error"] = "The printer answers status questions with an error: check the SNMP settings on the printer.",
        ["not-a-printer"] = "The device at the printer's address is not a printer: tell support the printer's current IP address.",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The cause classes with advice of their own (for the test that checks none the agent reports is missing).</summary>
    public static IReadOnlyCollection<string> UnreachableCausesAdvised => UnreachableAdvice.Keys;

    /// <summary>
    /// Why the agent cannot read the device, in the agent's plain words ("connection refused on port 631 ..."): an
    /// unreachable device's state message carries them. Null while the device can be read.
    /// </summary>
    public static string? UnreachableReason(DeviceState state, string stateMessage) =>
        state == DeviceState.Unreachable && !string.IsNullOrWhiteSpace(stateMessage) ? stateMessage : null;

    /// <summary>True when the catalog has words for this normalized condition.</summary>
    public static bool Knows(string condition) => Catalog.ContainsKey(condition);

    /// <summary>
    /// Title and advice for a condition; an unknown one gets a title built from the device's message (or its code) and
    /// generic advice, so the customer still reads a sentence rather than a keyword.
    /// </summary>
    public static PlainProblem Describe(string? condition, string? code, string? message)
    {
        if (condition is not null && Catalog.TryGetValue(condition, out var known))
        {
            // An unreachable printer: what to do depends on why (the cause class the agent reports in its code).
            if (UnreachableCauses.CauseOf(code) is { } cause && UnreachableAdvice.TryGetValue(cause, out var advice))
                return known with { Advice = advice };
            return known;
        }
        var title = Sentence(message) ?? Humanize(code) ?? Humanize(condition) ?? "The device reports a problem";
        return new PlainProblem(title, GenericAdvice);
    }

    public static PlainProblem Describe(ConditionView condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return Describe(condition.Condition, condition.Code, condition.Message);
    }

    /// <summary>The problem to show first: errors before warnings before reports, then the oldest.</summary>
    public static ConditionView? MainProblem(IEnumerable<ConditionView> conditions) =>
        conditions.OrderByDescending(c => c.Severity).ThenBy(c => c.Since ?? DateTimeOffset.MaxValue).FirstOrDefault();

    public static string Health(DeviceHealth health) => health switch
    {
        DeviceHealth.Healthy => "Working normally",
        DeviceHealth.Warning => "Needs attention",
        DeviceHealth.Critical => "Not working",
        _ => "Waiting for first report",
    };

    /// <summary>"Black toner", "Waste toner box", "Paper": the supply's own name when it already says what it is.</summary>
    public static string SupplyName(SupplyView supply)
    {
        ArgumentNullException.ThrowIfNull(supply);
        var type = SupplyTypes.TryGetValue(supply.Type, out var word) ? word : Humanize(supply.Type)?.ToLowerInvariant();
        var name = supply.Name.Trim();
        if (name.Length == 0)
            return Capitalize(type ?? "supply");
        if (type is null || name.Contains(type, StringComparison.OrdinalIgnoreCase))
            return Capitalize(name);
        // "Waste" of type waste toner: the type says it better.
        if (type.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            return Capitalize(type);
        return Capitalize($"{name} {type}");
    }

    /// <summary>"Black toner: 12 % — order a replacement soon".</summary>
    public static string Supply(SupplyView supply)
    {
        ArgumentNullException.ThrowIfNull(supply);
        var name = SupplyName(supply);
        var level = supply.LevelPercent.ToString(CultureInfo.InvariantCulture);
        if (supply.IsReceptacle)
        {
            // A waste box fills up: "empty" is the good end.
            if (supply.Empty || supply.LevelPercent >= 100)
                return $"{name}: full — replace it now";
            if (supply.LevelPercent < 0)
                return $"{name}: level unknown";
            return supply.Low ? $"{name}: {level} % full — order a replacement soon" : $"{name}: {level} % full";
        }
        if (supply.Empty || supply.LevelPercent == 0)
            return $"{name}: empty — replace it now";
        if (supply.CapacityUnknown)
            return string.Create(CultureInfo.InvariantCulture, $"{name}: {supply.Level} {supply.Unit} left, capacity unknown");
        if (supply.LevelPercent < 0)
            return $"{name}: level unknown";
        return supply.Low ? $"{name}: {level} % — order a replacement soon" : $"{name}: {level} %";
    }

    /// <summary>One line for a card: the supply that most needs action, or that all is fine.</summary>
    public static string SuppliesSummary(IReadOnlyList<SupplyView> supplies)
    {
        ArgumentNullException.ThrowIfNull(supplies);
        if (supplies.Count == 0)
            return "No supply levels reported";
        var worst = supplies
            .Where(s => s.Empty || s.Low)
            .OrderByDescending(s => s.Empty)
            .ThenBy(s => s.LevelPercent < 0 ? int.MaxValue : s.LevelPercent)
            .FirstOrDefault();
        return worst is null ? "Supplies are fine" : Supply(worst);
    }

    // Presence and relative times in the reader's language (the request's UI culture), from
    // Resources/Devices/PlainLanguage{,.zh-Hans,.ja}.resx; the rest of this catalog is English still (issue 19).
    private static readonly System.Resources.ResourceManager Texts =
        new("Diagnostics.Cloud.Resources.Devices.PlainLanguage", typeof(PlainLanguage).Assembly);

    private static string Text(string name) => Texts.GetString(name, CultureInfo.CurrentUICulture) ?? name;

    /// <summary>"Online" or "Offline", in the reader's language.</summary>
    public static string Presence(DevicePresence presence) => Text(presence == DevicePresence.Online ? "Online" : "Offline");

    /// <summary>"just now", "2 minutes ago", "3 hours ago", "5 days ago", or "never" without a time, in the reader's language.</summary>
    public static string Ago(DateTimeOffset? when, DateTimeOffset now)
    {
        if (when is not { } at)
            return Text("Never");
        var elapsed = now - at;
        if (elapsed < TimeSpan.FromMinutes(1))
            return Text("JustNow");
        if (elapsed < TimeSpan.FromHours(1))
            return Count((int)elapsed.TotalMinutes, "Minute");
        if (elapsed < TimeSpan.FromDays(1))
            return Count((int)elapsed.TotalHours, "Hour");
        return Count((int)elapsed.TotalDays, "Day");

        static string Count(int n, string unit) => n == 1
            ? Text(unit + "Ago")
            : string.Format(CultureInfo.CurrentCulture, Text(unit + "sAgo"), n.ToString(CultureInfo.CurrentCulture));
    }

    /// <summary>The device's message as a sentence title, without a trailing full stop.</summary>
    private static string? Sentence(string? message)
    {
        var text = message?.Trim().TrimEnd('.');
        return string.IsNullOrEmpty(text) ? null : Capitalize(text);
    }

    /// <summary>"ipp:media-needed" → "Media needed", "SOME_CONDITION" → "Some condition".</summary>
    private static string? Humanize(string? keyword)
    {
        if (string.IsNullOrWhiteSpace(keyword))
            return null;
        var colon = keyword.LastIndexOf(':');
        var words = keyword[(colon + 1)..].Replace('-', ' ').Replace('_', ' ').Trim();
        if (words.Length == 0)
            return null;
        // camelCase → separate words.
        var spaced = new System.Text.StringBuilder(words.Length + 8);
        for (var i = 0; i < words.Length; i++)
        {
            if (i > 0 && char.IsUpper(words[i]) && char.IsLower(words[i - 1]))
                spaced.Append(' ');
            spaced.Append(words[i]);
        }
        return Capitalize(spaced.ToString().ToLowerInvariant());
    }

    private static string Capitalize(string text) =>
        text.Length == 0 ? text : string.Concat(char.ToUpperInvariant(text[0]).ToString(), text[1..]);
}
