using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Demo;

/// <summary>
/// <c>demo reset</c>: retires the simulated printers of an earlier demo run, so a cloud started without the demo (or with
/// fewer printers) does not count them in the fleet's health. Each printer with a folder in the demo's data directory is
/// decommissioned — its credentials revoked, its history kept, out of the fleet's figures — and the folder is deleted, so
/// a later demo run starts afresh (a retired id registers again with new credentials). Real devices are not touched:
/// only ids the demo itself keeps a folder for are retired.
/// </summary>
public static class DemoCli
{
    private const string Usage = "usage: demo reset [--Storage:Path=<file>] [--Demo:DataDirectory=<folder>]";

    public static bool IsCommand(string[] args) => args is ["demo", ..];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args is not ["demo", "reset", ..] || args[2..].Any(a => !a.StartsWith("--", StringComparison.Ordinal)))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        using var host = await StoreOnlyHost.StartAsync(args[2..], builder => builder.AddDevices(), cancellationToken);
        var configuration = host.Services.GetRequiredService<IConfiguration>();
        var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new();
        var demo = configuration.GetSection(DemoFleetOptions.Section).Get<DemoFleetOptions>() ?? new();
        var directory = demo.ResolveDataDirectory(storage.Path);
        if (!Directory.Exists(directory))
        {
            await output.WriteLineAsync($"No demo fleet in {directory}: nothing to retire.");
            return 0;
        }
        var registry = host.Services.GetRequiredService<DeviceRegistry>();
        var retired = 0;
        foreach (var deviceId in PrintersIn(directory))
        {
            if (await registry.RevokeAsync(deviceId, Actor, cancellationToken))
                retired++;
        }
        Directory.Delete(directory, recursive: true);
        await output.WriteLineAsync($"Retired {retired} simulated printer(s): decommissioned, history kept, no longer counted in the fleet's health.");
        await output.WriteLineAsync($"Deleted {directory}; the next demo run starts afresh.");
        return 0;
    }

    /// <summary>The simulated printers a demo run left in its data directory: one folder each, named by device id.</summary>
    public static IReadOnlyList<string> PrintersIn(string directory) =>
        Directory.Exists(directory)
            ? [.. Directory.EnumerateDirectories(directory).Select(Path.GetFileName).OfType<string>().Where(Protocol.Topics.IsValidDeviceId).Order(StringComparer.Ordinal)]
            : [];

    private static string Actor => $"demo reset ({Environment.UserName})";
}
