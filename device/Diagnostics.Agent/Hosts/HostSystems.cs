using System.Runtime.InteropServices;
using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Hosts;

/// <summary>What the host is: its name, operating system and version (from <c>/etc/os-release</c> on Linux), architecture.</summary>
public static class HostSystems
{
    public static HostSystem Read(HostOptions options, string printSystem)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (name, version) = OsRelease();
        return new HostSystem
        {
            HostName = options.HostName.Length > 0 ? options.HostName : Environment.MachineName,
            Os = HostPlatforms.CurrentOs,
            OsName = name.Length > 0 ? name : RuntimeInformation.OSDescription,
            OsVersion = version.Length > 0 ? version : Environment.OSVersion.Version.ToString(),
            Architecture = HostPlatforms.CurrentArchitecture,
            PrintSystem = printSystem,
            DriverFormats = [.. options.InstalledFormats()],
        };
    }

    /// <summary>PRETTY_NAME and VERSION_ID of os-release(5), or empty where there is none.</summary>
    private static (string Name, string Version) OsRelease()
    {
        if (!OperatingSystem.IsLinux())
            return ("", "");
        foreach (var path in new[] { "/etc/os-release", "/usr/lib/os-release" })
        {
            try
            {
                var values = File.ReadLines(path)
                    .Select(line => line.Split('=', 2))
                    .Where(parts => parts.Length == 2)
                    .GroupBy(parts => parts[0].Trim(), StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.First()[1].Trim().Trim('"'), StringComparer.Ordinal);
                return (values.GetValueOrDefault("PRETTY_NAME", ""), values.GetValueOrDefault("VERSION_ID", ""));
            }
            catch (IOException)
            {
                // Try the next; a host without either is named by the runtime.
            }
        }
        return ("", "");
    }
}
