using System.Globalization;
using Diagnostics.Cloud.Devices;
using Diagnostics.Protocol;

namespace Diagnostics.Cloud.Web.Dashboard;

/// <summary>How the dashboard words conditions, health, presence and times for support agents.</summary>
public static class DashboardText
{
    // Where the generic "PAPER_JAM" -> "Paper jam" would read badly.
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        [Conditions.PhotoconductorNearEndOfLife] = "Photoconductor near end of life",
        [Conditions.PhotoconductorEndOfLife] = "Photoconductor end of life",
        [Conditions.OutputAreaAlmostFull] = "Output bin almost full",
        [Conditions.OutputAreaFull] = "Output bin full",
        [Conditions.DeviceUnreachable] = "Printer not answering",
        [Conditions.MaintenanceOverdue] = "Maintenance overdue",
        [Conditions.SpoolAreaFull] = "Spool storage full",
    };

    /// <summary>"PAPER_JAM" reads "Paper jam"; a raw code without a normalized name ("vendor:42") is shown as it is.</summary>
    public static string ConditionName(string condition)
    {
        if (string.IsNullOrEmpty(condition))
            return "(unnamed)";
        if (Names.TryGetValue(condition, out var name))
            return name;
        if (condition.Any(c => !(char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_')))
            return condition;
        var words = condition.Replace('_', ' ').ToLowerInvariant();
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    public static string Text(this DeviceHealth health) => health.ToStorage();

    public static string Text(this DevicePresence presence) => presence == DevicePresence.Online ? "online" : "offline";

    /// <summary>A supply gauge's words: "7% low", "95% full almost full" reads badly, so receptacles say full / almost full; "160 impressions, capacity unknown".</summary>
    public static string SupplyLevel(SupplyView supply)
    {
        ArgumentNullException.ThrowIfNull(supply);
        var level = supply.LevelPercent >= 0 ? $"{supply.LevelPercent.ToString(System.Globalization.CultureInfo.InvariantCulture)}%"
            : supply.CapacityUnknown ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{supply.Level} {supply.Unit}, capacity unknown")
            : "unknown";
        if (supply.IsReceptacle)
            return level + (supply.Empty ? " full" : supply.Low ? " almost full" : "");
        return level + (supply.Empty ? " empty" : supply.Low ? " low" : "");
    }

    public static string SeverityText(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        Severity.Report => "report",
        _ => "unspecified",
    };

    public static string Absolute(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "never";

    /// <summary>"42 s ago", "3 min ago", "5 h ago", "2 d ago" or "never".</summary>
    public static string Ago(DateTimeOffset? at, DateTimeOffset now)
    {
        if (at is not { } t)
            return "never";
        var age = now - t;
        return age.TotalSeconds switch
        {
            < 5 => "just now",
            < 60 => $"{(int)age.TotalSeconds} s ago",
            < 3600 => $"{(int)age.TotalMinutes} min ago",
            < 86400 => $"{(int)age.TotalHours} h ago",
            _ => $"{(int)age.TotalDays} d ago",
        };
    }

    public static string FirmwareLabel(string firmware) => string.IsNullOrEmpty(firmware) ? "(not reported)" : firmware;

    /// <summary>A span as people say it: "3 minutes", "90 seconds", "2 hours".</summary>
    public static string Duration(TimeSpan span) => span switch
    {
        { TotalSeconds: < 120 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0} seconds"),
        { TotalMinutes: < 120 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.#} minutes"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#} hours"),
    };
}
