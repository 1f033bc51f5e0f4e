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

    public Task<UpdateDetail?> BootAtStartAsync(CancellationToken cancellationToken) => Task.FromResult<UpdateDetail?>(null);

    public Task<UpdateDetail?> StageAsync(string imagePath, UpdateManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return RunAsync("install", options.InstallCommand, new Dictionary<string, string>
        {
            [UpdateOptions.ImagePlaceholder] = imagePath,
            ["{version}"] = manifest.Version,
        }, cancellationToken);
    }

    /// <summary>The installer switched the boot loader when it installed (RAUC and SWUpdate do).</summary>
    public Task<UpdateDetail?> ActivateAsync(UpdateManifest manifest, CancellationToken cancellationToken) => Task.FromResult<UpdateDetail?>(null);

    /// <summary>Unknown from here: an install the agent was stopped in is run again (installers allow that).</summary>
    public bool IsActivated(string version) => false;

    public async Task<UpdateDetail?> RebootAsync(CancellationToken cancellationToken) =>
        options.RebootCommand.Length > 0
            ? await RunAsync("reboot", options.RebootCommand, [], cancellationToken)
            : await restartProcess(cancellationToken) is { } problem ? UpdateDetail.Words(problem) : null;

    public Task<UpdateDetail?> CommitAsync(CancellationToken cancellationToken) => RunAsync("mark-good", options.MarkGoodCommand, [], cancellationToken);

    public Task<UpdateDetail?> RollBackAsync(CancellationToken cancellationToken) => RunAsync("rollback", options.RollbackCommand, [], cancellationToken);

    /// <summary>Runs a hook: its output is the installer's words, verbatim.</summary>
    private async Task<UpdateDetail?> RunAsync(string hook, string commandLine, Dictionary<string, string> placeholders, CancellationToken cancellationToken)
    {
        if (commandLine.Length == 0)
            return null;
        var result = await InstallerHook.RunAsync(commandLine, placeholders, options.CommandTimeout, cancellationToken);
        UpdateLog.HookRan(logger, deviceId, hook, result.ExitCode, result.Output);
        return result.Succeeded ? null : UpdateDetail.Words($"the {hook} command ({InstallerHook.Split(commandLine)[0]}) exited with code {result.ExitCode}: {result.Output}");
    }
}
