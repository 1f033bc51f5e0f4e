using System.Globalization;

namespace Diagnostics.LoadTest;

/// <summary>What /proc says about a process of ours: CPU time used and resident memory.</summary>
internal static class ProcessStats
{
    /// <summary>User plus system CPU seconds of a process, from /proc/{pid}/stat (fields 14 and 15, in clock ticks).</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis are plain.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        const double ticksPerSecond = 100; // USER_HZ on Linux
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ticksPerSecond;
    }

    /// <summary>
    /// CPU seconds of a process and its children as they are now (PostgreSQL's postmaster and its backends): a child
    /// that exits between two readings takes its time with it, so read a server whose connections are pooled.
    /// </summary>
    public static double TreeCpuSeconds(int pid)
    {
        var total = CpuSeconds(pid);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var child) || child == pid)
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // Field 4, the parent's pid, is the second after the command name's closing parenthesis.
                if (int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture) == pid)
                    total += CpuSeconds(child);
            }
            catch (IOException)
            {
                // The process ended while the directory was read.
            }
        }
        return total;
    }

    /// <summary>Resident memory now (VmRSS) in bytes.</summary>
    public static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException("VmRSS not found in /proc status.");
    }

    /// <summary>The machine's 1-minute load average, to say how busy it was while measuring.</summary>
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
