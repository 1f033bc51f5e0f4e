using System.Collections.Frozen;
using System.Globalization;
using Diagnostics.Cloud.Localization;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Devices;

/// <summary>A problem as a customer reads it: what is wrong, and one sentence saying what to do about it.</summary>
public sealed record PlainProblem(string Title, string Advice);

/// <summary>
/// The words the companion app uses for what devices report: one catalog from normalized condition to a title and a
/// "what to do", plus health, supplies and time in everyday language. Customers never see a raw keyword
/// ("media-jam") or a dashboard term ("critical") as the main text.
/// </summary>
public static partial class PlainLanguage
{
    // The conditions with words of their own: "{name}.Title" and "{name}.Advice" in
    // Resources/Devices/PlainLanguage{,.zh-Hans,.ja}.resx. One per name in Protocol's Conditions; a test checks that none is missing.
    private static readonly FrozenSet<string> Catalog = new[]
    {
        Conditions.PaperJam, Conditions.OutOfPaper, Conditions.PaperLow, Conditions.DoorOpen, Conditions.TonerLow, Conditions.TonerEmpty,
        Conditions.WasteTonerAlmostFull, Conditions.WasteTonerFull, Conditions.FuserFault, Conditions.Offline, Conditions.DeviceUnreachable,
        Conditions.InputTrayMissing, Conditions.InputTrayEmpty, Conditions.OutputTrayMissing, Conditions.OutputAreaAlmostFull,
        Conditions.OutputAreaFull, Conditions.MediaFeedFault, Conditions.Paused, Conditions.Shutdown, Conditions.SpoolAreaFull,
        Conditions.ServiceRequested, Conditions.MaintenanceOverdue, Conditions.MarkerSupplyMissing, Conditions.PhotoconductorNearEndOfLife,
        Conditions.PhotoconductorEndOfLife, Conditions.DeveloperLow, Conditions.DeveloperEmpty, Conditions.CoverOpen, Conditions.HardwareFault,
        Conditions.OverTemperature, Conditions.UnderTemperature, Conditions.HumidityHigh, Conditions.HumidityLow, Conditions.SensorFault,
        Conditions.PrintQueueStopped,
    }.ToFrozenSet(StringComparer.Ordinal);

    // Supply types as printers name them (RFC 3805 prtMarkerSuppliesType and IPP's marker-types), to the resource word
    // "Supply.{word}" ("toner", "waste toner box"); the English word also tells whether the printer's own name already says it.
    private static readonly FrozenDictionary<string, (string Key, string English)> SupplyTypes = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase)
    {
        ["toner"] = ("toner", "toner"),
        ["tonerCartridge"] = ("toner", "toner"),
        ["ink"] = ("ink", "ink"),
        ["inkCartridge"] = ("ink", "ink"),
        ["wasteToner"] = ("wasteToner", "waste toner box"),
        ["wasteInk"] = ("wasteInk", "waste ink box"),
        ["media"] = ("media", "paper"),
        ["photoconductor"] = ("drum", "drum"),
        ["opc"] = ("drum", "drum"),
        ["developer"] = ("developer", "developer"),
        ["fuser"] = ("fuser", "heating unit"),
        ["staples"] = ("staples", "staples"),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    // What to do when the agent cannot read the printer, by the cause class it reports (agent:unreachable-{class},
    // Protocol's UnreachableCauses): "Unreachable.{class}" in the resources. A test checks every class has a line.
    private static readonly FrozenSet<string> UnreachableAdvice = new[]
    {
        "refused", "timeout", "name-not-found", "no-route", "connection-lost", "tls", "http-error", "not-ipp", "truncated",
        "oversized", "ipp-error", "snmp-silent", "snmp-error", "not-a-printer",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The cause classes with advice of their own (for the test that checks none the agent reports is missing).</summary>
    public static IReadOnlyCollection<string> UnreachableCausesAdvised => UnreachableAdvice;

    /// <summary>
    /// Why the agent cannot read the device, in the agent's plain words ("connection refused on port 631 ..."): an
    /// unreachable device's state message carries them. Null while the device can be read.
    /// </summary>
    public static string? UnreachableReason(DeviceState state, string stateMessage) =>
        state == DeviceState.Unreachable && !string.IsNullOrWhiteSpace(stateMessage) ? stateMessage : null;

    /// <summary>True when the catalog has words for this normalized condition.</summary>
    public static bool Knows(string condition) => Catalog.Contains(condition);

    /// <summary>
    /// Title and advice for a condition; an unknown one gets a title built from the device's message (or its code) and
    /// generic advice, so the customer still reads a sentence rather than a keyword.
    /// </summary>
    public static PlainProblem Describe(string? condition, string? code, string? message)
    {
        if (condition is not null && Catalog.Contains(condition))
        {
            // An unreachable printer: what to do depends on why (the cause class the agent reports in its code).
            var advice = UnreachableCauses.CauseOf(code) is { } cause && UnreachableAdvice.Contains(cause)
                ? Text("Unreachable." + cause)
                : Text(condition + ".Advice");
            return new PlainProblem(Text(condition + ".Title"), advice);
        }
        // The device's own words are shown as it sent them (a printer speaks one language); only ours are translated.
        var title = Sentence(message) ?? Humanize(code) ?? Humanize(condition) ?? Text("GenericProblem");
        return new PlainProblem(title, Text("GenericAdvice"));
    }

    /// <summary>Support asks the owner for a diagnostics report (a proposal without a condition of the device's).</summary>
    public static PlainProblem DiagnosticsRequest() => new(Text("SupportRequest.Diagnostics.Title"), Text("SupportRequest.Diagnostics.Advice"));

    /// <summary>A fix support proposed in a chat: the article's title when it has one (the article's own language), else ours.</summary>
    public static PlainProblem SupportSuggestion(string? articleTitle) =>
        new(articleTitle ?? Text("SupportRequest.Fix.Title"), Text("SupportRequest.Fix.Advice"));

    public static PlainProblem Describe(ConditionView condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return Describe(condition.Condition, condition.Code, condition.Message);
    }

    /// <summary>The problem to show first: errors before warnings before reports, then the oldest.</summary>
    public static ConditionView? MainProblem(IEnumerable<ConditionView> conditions) =>
        conditions.OrderByDescending(c => c.Severity).ThenBy(c => c.Since ?? DateTimeOffset.MaxValue).FirstOrDefault();

    public static string Health(DeviceHealth health) => Text(health switch
    {
        DeviceHealth.Healthy => "Health.Healthy",
        DeviceHealth.Warning => "Health.Warning",
        DeviceHealth.Critical => "Health.Critical",
        _ => "Health.Unknown",
    });

    /// <summary>"Black toner", "Waste toner box", "Paper": the supply's own name when it already says what it is.</summary>
    public static string SupplyName(SupplyView supply)
    {
        ArgumentNullException.ThrowIfNull(supply);
        var known = SupplyTypes.TryGetValue(supply.Type, out var found) ? found : ((string Key, string English)?)null;
        var type = known is { } k ? Text("Supply." + k.Key) : Humanize(supply.Type)?.ToLowerInvariant();
        var english = known?.English ?? type;
        var name = supply.Name.Trim();
        if (name.Length == 0)
            return Capitalize(type ?? Text("Supply.generic"));
        if (known is { } readable && InTheReadersWords(supply, name, type!, readable.English) is { } translated)
            return translated;
        // The printer's own name (in its own language) when it already says what the supply is.
        if (type is null || english is null || name.Contains(english, StringComparison.OrdinalIgnoreCase) || name.Contains(type, StringComparison.OrdinalIgnoreCase))
            return Capitalize(name);
        // "Waste" of type waste toner: the type says it better.
        if (english.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            return Capitalize(type);
        return Capitalize(Texts.Format("SupplyNamed", name, type));
    }

    /// <summary>
    /// A supply of a known type named by the printer, reworded for a reader who does not read English: printers name their
    /// supplies in English ("Black Toner Cartridge", "Tray 1") whatever the customer reads, so a Chinese reader gets the
    /// type in their words with the colour ("黑色碳粉") or the tray's number ("纸盒 1 的纸张"). Null for an English reader, who
    /// reads the printer's own name, and for a name that is not the printer's English (a tray it calls "手差し").
    /// </summary>
    private static string? InTheReadersWords(SupplyView supply, string name, string type, string english)
    {
        // English, or the invariant culture whose texts are the English ones.
        if (CultureInfo.CurrentUICulture.TwoLetterISOLanguageName is "en" or "iv" || !name.All(char.IsAscii))
            return null;
        if (TrayNumber().Match(name) is { Success: true } tray)
            return Capitalize(Texts.Format("SupplyInTray", tray.Groups["number"].Value, type));
        if (supply.Type.Equals("media", StringComparison.OrdinalIgnoreCase))
            return null;
        // The colour the device gave, else the one its name says ("Black" of an older agent that sent none).
        var words = name.Split([' ', '-', '_', '/'], StringSplitOptions.RemoveEmptyEntries);
        var color = new[] { supply.Color }.Concat(words)
            .Select(word => Texts.Manager.GetString("Color." + word.ToLowerInvariant(), CultureInfo.CurrentUICulture))
            .FirstOrDefault(word => !string.IsNullOrEmpty(word));
        if (color is not null)
            return Capitalize(Texts.Format("SupplyNamed", color, type));
        // "Waste Toner Box": the type alone says it; a name that does not say the type ("XL") stays beside it.
        return name.Contains(english, StringComparison.OrdinalIgnoreCase) || english.StartsWith(name, StringComparison.OrdinalIgnoreCase)
            ? Capitalize(type) : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:Tray|Cassette|Drawer)\s*(?<number>\d{1,2})$", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.ExplicitCapture)]
    private static partial System.Text.RegularExpressions.Regex TrayNumber();

    /// <summary>"Black toner: 12 % — order a replacement soon", in the reader's language and number format.</summary>
    public static string Supply(SupplyView supply)
    {
        ArgumentNullException.ThrowIfNull(supply);
        var name = SupplyName(supply);
        var level = supply.LevelPercent;
        if (supply.IsReceptacle)
        {
            // A waste box fills up: "empty" is the good end.
            if (supply.Empty || supply.LevelPercent >= 100)
                return Texts.Format("SupplyReceptacleFull", name);
            if (supply.LevelPercent < 0)
                return Texts.Format("SupplyUnknown", name);
            return Texts.Format(supply.Low ? "SupplyReceptacleLow" : "SupplyReceptacleLevel", name, level);
        }
        if (supply.Empty || supply.LevelPercent == 0)
            return Texts.Format("SupplyEmpty", name);
        if (supply.CapacityUnknown)
            return Texts.Format("SupplyCapacityUnknown", name, supply.Level, supply.Unit);
        if (supply.LevelPercent < 0)
            return Texts.Format("SupplyUnknown", name);
        return Texts.Format(supply.Low ? "SupplyLow" : "SupplyLevel", name, level);
    }

    /// <summary>One line for a card: the supply that most needs action, or that all is fine.</summary>
    public static string SuppliesSummary(IReadOnlyList<SupplyView> supplies)
    {
        ArgumentNullException.ThrowIfNull(supplies);
        if (supplies.Count == 0)
            return Text("NoSupplyLevels");
        var worst = supplies
            .Where(s => s.Empty || s.Low)
            .OrderByDescending(s => s.Empty)
            .ThenBy(s => s.LevelPercent < 0 ? int.MaxValue : s.LevelPercent)
            .FirstOrDefault();
        return worst is null ? Text("SuppliesFine") : Supply(worst);
    }

    // Every text in the reader's language (the request's UI culture), from Resources/Devices/PlainLanguage{,.zh-Hans,.ja}.resx.
    private static readonly LocalizedTexts Texts = new("Devices.PlainLanguage");

    private static string Text(string name) => Texts.Text(name);

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
            : Texts.Format(unit + "sAgo", n.ToString(CultureInfo.CurrentCulture));
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
