using System.Globalization;
using System.Resources;

namespace Diagnostics.Cloud.Web.Dashboard;

/// <summary>
/// Moments and spans as the reader's culture writes them (the request's culture: "12/6/2026 3:04 PM UTC",
/// "2026/12/06 15:04 UTC"), with the words from <c>Resources/Web/Dashboard/DashboardTime{,.zh-Hans,.ja}.resx</c>.
/// The dashboard shows UTC everywhere so that two agents in different countries read the same time.
/// </summary>
public static class DashboardTime
{
    private static readonly ResourceManager Texts = new("Diagnostics.Cloud.Resources.Web.Dashboard.DashboardTime", typeof(DashboardTime).Assembly);

    private static string Text(string name) => Texts.GetString(name, CultureInfo.CurrentUICulture) ?? name;

    // The format is the reader's language's, so it differs per request: nothing to cache.
    private static string Format(string name, string value) => string.Format(CultureInfo.CurrentCulture, Text(name), [value]);

    /// <summary>Date and time, short, in the reader's culture, in UTC; "never" without a moment.</summary>
    public static string At(DateTimeOffset? at) =>
        at is { } t ? Format("AtUtc", t.UtcDateTime.ToString("g", CultureInfo.CurrentCulture)) : Text("Never");

    /// <summary>How the reader's language says a moment is in UTC, with {0} for the moment ("{0} UTC", "{0}（UTC）"): for the charts' script, which writes the moment itself.</summary>
    public static string AtUtcFormat => Text("AtUtc");

    /// <summary>Date and time to the second, in the reader's culture, in UTC (events, reports); "never" without a moment.</summary>
    public static string Exact(DateTimeOffset? at) =>
        at is { } t ? Format("AtUtc", t.UtcDateTime.ToString("G", CultureInfo.CurrentCulture)) : Text("Never");

    /// <summary>How long ago, short, in the reader's language: "42 s ago" ("42 秒前"), "3 min ago", "5 h ago", "2 d ago", "just now" or "never".</summary>
    public static string Ago(DateTimeOffset? at, DateTimeOffset now)
    {
        if (at is not { } t)
            return Text("Never");
        var age = now - t;
        return age.TotalSeconds switch
        {
            < 5 => Text("JustNow"),
            < 60 => Format("SecondsAgo", ((int)age.TotalSeconds).ToString(CultureInfo.CurrentCulture)),
            < 3600 => Format("MinutesAgo", ((int)age.TotalMinutes).ToString(CultureInfo.CurrentCulture)),
            < 86400 => Format("HoursAgo", ((int)age.TotalHours).ToString(CultureInfo.CurrentCulture)),
            _ => Format("DaysAgo", ((int)age.TotalDays).ToString("N0", CultureInfo.CurrentCulture)),
        };
    }

    /// <summary>A span as people say it, in the reader's language: "90 seconds", "3 minutes", "2.5 hours".</summary>
    public static string Span(TimeSpan span) => span switch
    {
        { TotalSeconds: < 120 } => Format("Seconds", span.TotalSeconds.ToString("0", CultureInfo.CurrentCulture)),
        { TotalMinutes: < 120 } => Format("Minutes", span.TotalMinutes.ToString("0.#", CultureInfo.CurrentCulture)),
        _ => Format("Hours", span.TotalHours.ToString("0.#", CultureInfo.CurrentCulture)),
    };

    /// <summary>A whole number with the reader's digit grouping ("12,345", "12.345").</summary>
    public static string Number(long value) => value.ToString("N0", CultureInfo.CurrentCulture);

    /// <summary>A share of a whole as a percentage in the reader's culture ("87.5%", "87,5 %"), or "—" without a whole.</summary>
    public static string Percent(double? share) => share is { } s ? s.ToString("P1", CultureInfo.CurrentCulture) : "—";
}
