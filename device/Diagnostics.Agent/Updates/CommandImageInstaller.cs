using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Updates;

/// <summary>
/// Hands the image to the device's own installer (RAUC, SWUpdate, a vendor script), which owns the slots and the boot
/// loader: <see cref="UpdateOptions.InstallCommand"/> stages it, <see cref="UpdateOptions.RebootCommand"/> boots it,
/// <see cref="UpdateOptions.MarkGoodCommand"/> commits it, <see cref="UpdateOptions.RollbackCommand"/> gives it up. A
/// hook that exits non-zero fails the step with its exit code and the end of its output.
/// </summary>
public sealed class CommandImageInstaller(UpdateOptions options, Func<CancellationToken, Task<string?>> restartProcess, string deviceId, ILogger logger) : IImageInstaller
{
    /// <summary>The installer keeps the running image to itself: deltas cannot be applied here.</summary>
    public string? RunningImagePath => null;

    public Task<string?> BootAtStartAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    public Task<string?> StageAsync(string imagePath, UpdateManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return RunAsync("install", options.InstallCommand, new Dictionary<string, string>
        {
            [UpdateOptions.ImagePlaceholder] = imagePath,
            ["{version}"] = manifest.Version,
        }, cancellationToken);
    }

    /// <summary>The installer switched the boot loader when it installed (RAUC and SWUpdate do).</summary>
    public Task<string?> ActivateAsync(UpdateManifest manifest, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>Unknown from here: an install the agent was stopped in is run again (installers allow that).</summary>
    public bool IsActivated(string version) => false;

    public Task<string?> RebootAsync(CancellationToken cancellationToken) =>
        options.RebootCommand.Length > 0 ? RunAsync("reboot", options.RebootCommand, [], cancellationToken) : restartProcess(cancellationToken);

    public Task<string?> CommitAsync(CancellationToken cancellationToken) => RunAsync("mark-good", options.MarkGoodCommand, [], cancellationToken);

    public Task<string?> RollBackAsync(CancellationToken cancellationToken) => RunAsync("rollback", options.RollbackCommand, [], cancellationToken);

    private async Task<string?> RunAsync(string hook, string commandLine, Dictionary<string, string> placeholders, CancellationToken cancellationToken)
    {
        if (commandLine.Length == 0)
            return null;
        var result = await InstallerHook.RunAsync(commandLine, placeholders, options.CommandTimeout, cancellationToken);
        UpdateLog.HookRan(logger, deviceId, hook, result.ExitCode, result.Output);
        return result.Succeeded ? null : $"the {hook} command ({InstallerHook.Split(commandLine)[0]}) exited with code {result.ExitCode}: {result.Output}";
    }
}
