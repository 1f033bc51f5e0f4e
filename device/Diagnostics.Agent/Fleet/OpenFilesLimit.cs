using System.Runtime.InteropServices;

namespace Diagnostics.Agent.Fleet;

/// <summary>
/// The process's limit on open files (RLIMIT_NOFILE). A simulated device holds an MQTT socket and its outbox files, so
/// a fleet needs more than the usual soft limit of 1,024; the soft limit may be raised up to the hard one without
/// privileges, which is what the simulator does before it starts.
/// </summary>
internal static class OpenFilesLimit
{
    // Linux's RLIMIT_NOFILE, the same on x64 and arm64; rlim_t is 64 bits on both.
    private const int ResourceOpenFiles = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Soft;
        public ulong Hard;
    }

    // DllImport, not LibraryImport: the struct is blittable, and the generator would need unsafe code in the project.
    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetResourceLimit(int resource, out ResourceLimit limit);

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetResourceLimit(int resource, in ResourceLimit limit);

    /// <summary>Raises the soft limit to the hard one; returns the limit now in force (null where there is none to read).</summary>
    public static ulong? RaiseToHard()
    {
        if (!OperatingSystem.IsLinux() || GetResourceLimit(ResourceOpenFiles, out var limit) != 0)
            return null;
        if (limit.Soft < limit.Hard)
        {
            var raised = limit with { Soft = limit.Hard };
            if (SetResourceLimit(ResourceOpenFiles, raised) == 0)
                return raised.Soft;
        }
        return limit.Soft;
    }
}
