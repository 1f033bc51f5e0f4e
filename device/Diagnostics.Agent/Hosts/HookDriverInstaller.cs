using Diagnostics.Agent.Updates;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Hosts;

/// <summary>
/// Installs a driver form the agent cannot install by itself (a Windows INF package, a macOS pkg, a Printer
/// Application) through the host's installer hook, <see cref="HostOptions.DriverInstallCommand"/>, run as a process
/// without a shell like the firmware hooks (<see cref="InstallerHook"/>). The hook's exit code is the answer: the
/// system installers it wraps (<c>pnputil</c>, <c>installer</c>) change all or nothing, so there is nothing for the
/// agent to put back.
/// </summary>
public sealed partial class HookDriverInstaller(DriverFormat format, HostOptions options, ILogger logger) : IDriverInstaller
{
    public DriverFormat Format => format;

    public async Task<DriverInstallResult> InstallAsync(DriverInstallRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Installers judge a file by its extension (installer -pkg wants .pkg; the INF package travels as a .zip).
        Directory.CreateDirectory(request.WorkDirectory);
        var payload = Path.Combine(request.WorkDirectory, $"{request.Manifest.PackageId}{Extension(format)}");
        File.Copy(request.PayloadPath, payload, overwrite: true);
        try
        {
            var result = await InstallerHook.RunAsync(options.DriverInstallCommand, new Dictionary<string, string>
            {
                [HostOptions.PayloadPlaceholder] = payload,
                [HostOptions.VersionPlaceholder] = request.Manifest.Version,
                [HostOptions.QueuesPlaceholder] = string.Join(",", request.Queues.Select(q => q.Name)),
            }, options.DriverInstallTimeout, cancellationToken);
            Log.HookRan(logger, request.Manifest.PackageId, result.ExitCode, result.Output);
            var tool = InstallerHook.Split(options.DriverInstallCommand)[0];
            return result.Succeeded
                ? DriverInstallResult.Installed(UpdateDetail.DriverHookInstalled(format, request.Manifest.Version, tool, [.. request.Queues.Select(q => q.Name)]))
                : DriverInstallResult.Failed(UpdateFailure.InstallFailed, UpdateDetail.DriverHookFailed(tool, result.ExitCode, result.Output));
        }
        finally
        {
            Directory.Delete(request.WorkDirectory, recursive: true);
        }
    }

    /// <summary>The system installer either finished or left the old driver: nothing of the agent's to put back.</summary>
    public Task<DriverInstallResult?> RecoverAsync(string workDirectory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(workDirectory))
            Directory.Delete(workDirectory, recursive: true);
        return Task.FromResult<DriverInstallResult?>(null);
    }

    private static string Extension(DriverFormat format) => format switch
    {
        DriverFormat.MacPackage => ".pkg",
        DriverFormat.WindowsInf => ".zip",
        DriverFormat.CupsPpd => ".ppd",
        _ => ".bin",
    };

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.DriverHookRan, LogLevel.Information, "Driver install command for {PackageId} exited with {ExitCode}: {Output}")]
        public static partial void HookRan(ILogger logger, string packageId, int exitCode, string output);
    }
}
