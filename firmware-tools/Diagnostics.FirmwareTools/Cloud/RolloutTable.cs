using System.Globalization;

namespace Diagnostics.FirmwareTools.Cloud;

/// <summary>A rollout printed for people: a summary, one row per wave, device counts by state.</summary>
public static class RolloutTable
{
    public static void Write(TextWriter output, RolloutView rollout)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rollout);
        var waves = rollout.Waves ?? [];
        output.WriteLine($"rollout   {rollout.Id}{(string.IsNullOrEmpty(rollout.Name) ? "" : $"  \"{rollout.Name}\"")}");
        output.WriteLine($"package   {rollout.PackageId}{(string.IsNullOrEmpty(rollout.Version) ? "" : $" ({rollout.Version})")}");
        output.WriteLine($"state     {rollout.State}{(waves.Count > 0 ? $", wave {rollout.CurrentWave} of {waves.Count}" : "")}");
        if (!string.IsNullOrEmpty(rollout.HaltReason))
            output.WriteLine($"halted    {rollout.HaltReason}");
        if (waves.Count > 0)
        {
            string[] headers = ["wave", "percent", "devices", "succeeded", "failed", "in progress"];
            var rows = waves.Select(wave => new[]
            {
                Invariant($"{wave.Index}{(wave.Index == rollout.CurrentWave ? " *" : "")}"),
                Invariant($"{wave.Percent}%"),
                Invariant($"{wave.Devices}"),
                Invariant($"{wave.Succeeded}"),
                Invariant($"{wave.Failed}"),
                Invariant($"{wave.InProgress}"),
            }).ToList();
            var widths = headers.Select((header, column) => Math.Max(header.Length, rows.Max(row => row[column].Length))).ToArray();
            output.WriteLine();
            output.WriteLine(string.Join("  ", headers.Select((header, column) => header.PadRight(widths[column]))).TrimEnd());
            foreach (var row in rows)
                output.WriteLine(string.Join("  ", row.Select((cell, column) => column == 0 ? cell.PadRight(widths[column]) : cell.PadLeft(widths[column]))).TrimEnd());
        }
        if (rollout.Counts is { Count: > 0 } counts)
        {
            output.WriteLine();
            output.WriteLine($"devices   {string.Join(", ", counts.OrderByDescending(count => count.Value).ThenBy(count => count.Key, StringComparer.Ordinal).Select(count => Invariant($"{count.Key} {count.Value}")))}");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
