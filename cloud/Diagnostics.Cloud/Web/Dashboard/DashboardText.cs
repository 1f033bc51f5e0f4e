using System.Globalization;
using System.Resources;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Fixes;
using Diagnostics.Cloud.Support;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Web.Dashboard;

/// <summary>
/// How the dashboard words conditions, health, presence, states and supplies for support agents, in the reader's
/// language (<c>Resources/Web/Dashboard/DashboardText{,.zh-Hans,.ja}.resx</c>). The agent's words are shorter and more
/// technical than the customer's (<see cref="PlainLanguage"/>): "Output bin full", not "The output tray is full: take
/// out the printed pages". Times and spans are <see cref="DashboardTime"/>'s.
/// </summary>
public static class DashboardText
{
    private static readonly ResourceManager Texts = new("Diagnostics.Cloud.Resources.Web.Dashboard.DashboardText", typeof(DashboardText).Assembly);

    private static string Text(string name) => Texts.GetString(name, CultureInfo.CurrentUICulture) ?? name;

    // A value's word ("FixState.proposed"); a value newer than the resources reads as stored rather than as its key.
    private static string Word(string group, string value) => Texts.GetString(group + "." + value, CultureInfo.CurrentUICulture) ?? value;

    private static string Format(string name, params object?[] args) => string.Format(CultureInfo.CurrentCulture, Text(name), args);

    /// <summary>
    /// "PAPER_JAM" reads "Paper jam" ("卡纸", "紙詰まり"): every normalized condition has a name, <c>Condition.{name}</c>
    /// (a test checks none is missing). A raw code without a normalized name ("vendor:42") is shown as it is; a new
    /// normalized name no translation knows yet reads as words in English and as the code elsewhere.
    /// </summary>
    public static string ConditionName(string condition)
    {
        if (string.IsNullOrEmpty(condition))
            return Text("Unnamed");
        if (Texts.GetString("Condition." + condition, CultureInfo.CurrentUICulture) is { } name)
            return name;
        if (condition.Any(c => !(char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_'))
            || CultureInfo.CurrentUICulture.TwoLetterISOLanguageName != "en")
            return condition;
        var words = condition.Replace('_', ' ').ToLowerInvariant();
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary>True when the condition has a name of its own in the resources (for the test that none is missing).</summary>
    public static bool Names(string condition) => Texts.GetString("Condition." + condition, CultureInfo.InvariantCulture) is not null;

    /// <summary>"healthy", "warning", "critical", "unknown" in the reader's language; CSS classes use <c>ToStorage()</c>.</summary>
    public static string Text(this DeviceHealth health) => Word("Health", health.ToStorage());

    public static string Text(this DevicePresence presence) => Word("Presence", presence.CssName());

    /// <summary>The presence as CSS and tests name it, the same in every language.</summary>
    public static string CssName(this DevicePresence presence) => presence == DevicePresence.Online ? "online" : "offline";

    /// <summary>"idle", "printing", "stopped", "unreachable" as the agent reads the device's state.</summary>
    public static string Text(this DeviceState state) => Word("DeviceState", state.ToString());

    /// <summary>Whether an event raised a condition or cleared it.</summary>
    public static string Text(this EventKind kind) => Word("EventKind", kind.ToString());

    public static string Text(this SessionState state) => Word("SessionState", state.ToStorage());

    public static string Text(this SessionResolution resolution) => Word("Resolution", resolution.ToStorage());

    public static string Text(this FixState state) => Word("FixState", state.ToStorage());

    /// <summary>A closing category (stored in English, the same for every agent) in the reader's language; an unknown one as stored.</summary>
    public static string CategoryName(string? category) => global::Diagnostics.Cloud.Support.SessionCategoryWords.ForReader(category);

    /// <summary>A supply gauge's words: "7% low", "95% full almost full" reads badly, so receptacles say full / almost full; "160 impressions, capacity unknown".</summary>
    public static string SupplyLevel(SupplyView supply)
    {
        ArgumentNullException.ThrowIfNull(supply);
        if (supply.LevelPercent < 0)
            return supply.CapacityUnknown ? Format("Supply.CapacityUnknown", DashboardTime.Number(supply.Level), supply.Unit) : Text("Supply.Unknown");
        var level = (supply.LevelPercent / 100.0).ToString("P0", CultureInfo.CurrentCulture);
        if (supply.IsReceptacle)
            return supply.Empty ? Format("Supply.ReceptacleFull", level) : supply.Low ? Format("Supply.ReceptacleAlmostFull", level) : level;
        return supply.Empty ? Format("Supply.Empty", level) : supply.Low ? Format("Supply.Low", level) : level;
    }

    public static string SeverityText(Severity severity) => Word("Severity", SeverityName(severity));

    /// <summary>The severity as CSS names it, the same in every language.</summary>
    public static string SeverityName(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        Severity.Report => "report",
        _ => "unspecified",
    };

    /// <summary>
    /// A reading or counter the device reports ("pages-printed", "ambient-temperature") as words ("Pages printed",
    /// "Room temperature"); a name the resources do not know (an agent's own counters, a new collector's) as reported.
    /// </summary>
    public static string ReadingName(string name) => Word("Reading", name);

    /// <summary>A reading's unit as people write it ("celsius" reads "°C"); an unknown unit as reported.</summary>
    public static string UnitName(string unit) => string.IsNullOrEmpty(unit) ? "" : Word("Unit", unit);

    public static string FirmwareLabel(string firmware) => string.IsNullOrEmpty(firmware) ? Text("NotReported") : firmware;
}
