using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Diagnostics.Cloud.Updates;

/// <summary>
/// The arithmetic of a rollout, pure so it can be tested alone: which device goes in which wave, when each starts,
/// and whether a wave is healthy enough to go on.
/// </summary>
public static class RolloutPlanning
{
    /// <summary>
    /// Spreads devices over waves by cumulative percentages (1, 10, 50, 100: the first wave takes 1 %, the second up to
    /// 10 % ...). The order is a shuffle seeded by the rollout id, so waves mix models, sites and customers, and the same
    /// rollout always plans the same way. Every wave with a share gets at least one device while devices remain.
    /// </summary>
    public static IReadOnlyList<(string DeviceId, int Wave)> AssignWaves(string rolloutId, IReadOnlyList<string> deviceIds, IReadOnlyList<double> cumulativePercents)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        ArgumentNullException.ThrowIfNull(cumulativePercents);
        var order = deviceIds.Distinct(StringComparer.Ordinal).OrderBy(id => Seed(rolloutId, id)).ThenBy(id => id, StringComparer.Ordinal).ToList();
        var assigned = new List<(string, int)>(order.Count);
        var taken = 0;
        for (var wave = 0; wave < cumulativePercents.Count && taken < order.Count; wave++)
        {
            var upTo = wave == cumulativePercents.Count - 1
                ? order.Count
                : Math.Max(taken + 1, (int)Math.Ceiling(order.Count * cumulativePercents[wave] / 100.0));
            for (; taken < Math.Min(upTo, order.Count); taken++)
                assigned.Add((order[taken], wave));
        }
        return assigned;
    }

    /// <summary>Problems in a wave list in the reader's language, or null: cumulative percentages, rising, ending at 100.</summary>
    public static string? DescribeWaveProblem(IReadOnlyList<double> cumulativePercents)
    {
        ArgumentNullException.ThrowIfNull(cumulativePercents);
        if (cumulativePercents.Count is 0 or > 20)
            return UpdateExplanations.Text("WaveCount");
        for (var i = 0; i < cumulativePercents.Count; i++)
        {
            if (cumulativePercents[i] is <= 0 or > 100 || (i > 0 && cumulativePercents[i] <= cumulativePercents[i - 1]))
                return UpdateExplanations.Text("WavesRise", string.Join(",", cumulativePercents.Select(p => p.ToString(CultureInfo.InvariantCulture))));
        }
        return cumulativePercents[^1] == 100 ? null : UpdateExplanations.Text("LastWave");
    }

    /// <summary>
    /// When a device of a wave may start: a moment in the wave's window picked from the offer id (so it is spread, and
    /// the same on every re-plan), then moved to the customer's maintenance window if it falls outside it.
    /// </summary>
    public static DateTimeOffset StartTime(string offerKey, DateTimeOffset waveStartedAt, TimeSpan waveWindow, DateTimeOffset now, MaintenanceWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var fraction = (Seed("pace", offerKey) % 1_000_000) / 1_000_000.0;
        var planned = waveStartedAt + waveWindow * fraction;
        return NextOpening(planned < now ? now : planned, window);
    }

    /// <summary>The first moment at or after <paramref name="at"/> that lies in the maintenance window.</summary>
    public static DateTimeOffset NextOpening(DateTimeOffset at, MaintenanceWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (window.IsAlwaysOpen)
            return at;
        var zone = FindZone(window.TimeZone);
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var minute = local.Hour * 60 + local.Minute;
        var open = window.FromMinute < window.ToMinute
            ? minute >= window.FromMinute && minute < window.ToMinute
            : minute >= window.FromMinute || minute < window.ToMinute;
        if (open)
            return at;
        var opening = new DateTimeOffset(local.Year, local.Month, local.Day, 0, 0, 0, local.Offset).AddMinutes(window.FromMinute);
        if (opening <= local)
            opening = opening.AddDays(1);
        // Re-read the offset at the opening itself: a change of summer time in between moves it.
        return new DateTimeOffset(opening.DateTime, zone.GetUtcOffset(opening.DateTime)).ToUniversalTime();
    }

    public static bool TryFindZone(string id, out TimeZoneInfo zone)
    {
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception exception) when (exception is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }

    private static TimeZoneInfo FindZone(string id) => TryFindZone(id, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>
    /// Whether the devices that installed are worse than before: the errors they raised since they finished, per
    /// device-hour, against their own rate in as long a time before they began, and against the devices not yet updated
    /// over the same time. Null when healthy (or too little to judge), else the reason for halting in English, to store
    /// (<see cref="RolloutNotes"/>).
    /// </summary>
    /// <param name="currentWave">The wave the devices installed in, counted from 0 as <see cref="Rollout.CurrentWave"/>.</param>
    public static string? DescribeRegression(int currentWave, ErrorRates updated, ErrorRates updatedBefore, ErrorRates notUpdated, int minimumErrors, double factor)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(updatedBefore);
        ArgumentNullException.ThrowIfNull(notUpdated);
        if (updated.Errors < minimumErrors || updated.DeviceHours <= 0)
            return null;
        var after = updated.PerDeviceHour;
        var before = updatedBefore.PerDeviceHour;
        var others = notUpdated.PerDeviceHour;
        // The updated devices must be worse than both references; a fleet-wide bad day (paper season) is not the release.
        var worseThanBefore = after > factor * before;
        var worseThanOthers = notUpdated.DeviceHours <= 0 || after > factor * others;
        if (!worseThanBefore || !worseThanOthers)
            return null;
        return notUpdated.DeviceHours > 0
            ? RolloutNotes.Write("Halt.RegressionAgainstOthers", currentWave + 1, updated.Errors, RolloutNotes.Number(after), RolloutNotes.Number(before), RolloutNotes.Number(others))
            : RolloutNotes.Write("Halt.Regression", currentWave + 1, updated.Errors, RolloutNotes.Number(after), RolloutNotes.Number(before));
    }

    /// <summary>A row's next version time: rows must move forward even when two writes land in one millisecond (the store checks them).</summary>
    public static DateTimeOffset Later(DateTimeOffset previous, DateTimeOffset now) => now > previous ? now : previous.AddMilliseconds(1);

    private static ulong Seed(string a, string b)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(a + "\n" + b), hash);
        return BitConverter.ToUInt64(hash);
    }
}

/// <summary>Errors raised by a group of devices over some device-hours.</summary>
public sealed record ErrorRates(int Errors, double DeviceHours)
{
    public double PerDeviceHour => DeviceHours <= 0 ? 0 : Errors / DeviceHours;
}
