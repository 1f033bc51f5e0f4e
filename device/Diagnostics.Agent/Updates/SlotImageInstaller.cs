using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Updates;

/// <summary>
/// Installs into the agent's A/B slots (<see cref="SlotStore"/>). A device running inside the agent
/// (<see cref="IBootableDevice"/>, the simulated printer) boots from the slot the pointer names; a slot that does not
/// check out (missing, half written, altered) is never booted: the other one is. Other devices reboot through
/// <see cref="UpdateOptions.RebootCommand"/>, or the agent exits for its service manager to restart it.
/// </summary>
public sealed class SlotImageInstaller(
    SlotStore slots, IBootableDevice? device, UpdateOptions options, Func<CancellationToken, Task<string?>> restartProcess, TimeProvider time, string deviceId, ILogger logger)
    : IImageInstaller
{
    public SlotStore Slots => slots;

    public string? RunningImagePath => slots.ReadPointer() is { } pointer && slots.ReadInfo(pointer.Active) is not null ? slots.ImagePath(pointer.Active) : null;

    public async Task<UpdateDetail?> BootAtStartAsync(CancellationToken cancellationToken)
    {
        if (device is null)
            return null;
        if (slots.ReadPointer() is null)
        {
            // First start: the image the device left the factory with becomes slot a.
            var factory = device.CreateFactoryImage();
            var sha256 = System.Security.Cryptography.SHA256.HashData(factory);
            await slots.WriteSlotAsync(SlotStore.SlotA, new MemoryStream(factory),
                new SlotInfo(device.FirmwareVersion, "factory", factory.Length, Convert.ToHexStringLower(sha256), Now), cancellationToken);
            await slots.SwitchAsync(new BootPointer(SlotStore.SlotA, "", Trial: false, Now), cancellationToken);
        }
        return await BootActiveAsync(cancellationToken);
    }

    public async Task<UpdateDetail?> StageAsync(string imagePath, UpdateManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var slot = slots.Inactive();
        await using var image = File.OpenRead(imagePath);
        await slots.WriteSlotAsync(slot, image,
            new SlotInfo(manifest.Version, manifest.PackageId, manifest.ImageSize, Convert.ToHexStringLower(manifest.ImageSha256), Now), cancellationToken);
        return await slots.CheckSlotAsync(slot, cancellationToken);
    }

    public async Task<UpdateDetail?> ActivateAsync(UpdateManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var current = slots.ReadPointer();
        var staged = current is null ? SlotStore.SlotA : SlotStore.Other(current.Active);
        if (slots.ReadInfo(staged) is not { } info || info.Version != manifest.Version)
            return UpdateDetail.SlotNotHolding(staged, manifest.Version);
        await slots.SwitchAsync(new BootPointer(staged, current?.Active ?? "", Trial: true, Now), cancellationToken);
        return null;
    }

    public bool IsActivated(string version) =>
        slots.ReadPointer() is { Trial: true } pointer && slots.ReadInfo(pointer.Active)?.Version == version;

    public async Task<UpdateDetail?> RebootAsync(CancellationToken cancellationToken)
    {
        if (device is not null)
            return await BootActiveAsync(cancellationToken);
        if (options.RebootCommand.Length > 0)
        {
            var result = await InstallerHook.RunAsync(options.RebootCommand, new Dictionary<string, string>(), options.CommandTimeout, cancellationToken);
            UpdateLog.HookRan(logger, deviceId, "reboot", result.ExitCode, result.Output);
            // The reboot command's output is the external program's words, verbatim.
            return result.Succeeded ? null : UpdateDetail.Words($"the reboot command exited with code {result.ExitCode}: {result.Output}");
        }
        return await restartProcess(cancellationToken) is { } problem ? UpdateDetail.Words(problem) : null;
    }

    public async Task<UpdateDetail?> CommitAsync(CancellationToken cancellationToken)
    {
        if (slots.ReadPointer() is { Trial: true } pointer)
            await slots.SwitchAsync(pointer with { Trial = false, SwitchedUnixMs = Now }, cancellationToken);
        return null;
    }

    public async Task<UpdateDetail?> RollBackAsync(CancellationToken cancellationToken)
    {
        if (slots.ReadPointer() is not { } pointer)
            return UpdateDetail.SlotNoneSet();
        if (!pointer.Trial)
        {
            // Already switched back (a restart in the middle of a rollback): nothing more to do.
            return null;
        }
        var problem = pointer.Previous.Length == 0 ? UpdateDetail.SlotNoPrevious() : await slots.CheckSlotAsync(pointer.Previous, cancellationToken);
        if (problem is not null)
            return UpdateDetail.SlotNoGoodSlot(problem);
        await slots.SwitchAsync(new BootPointer(pointer.Previous, pointer.Active, Trial: false, Now), cancellationToken);
        return null;
    }

    /// <summary>Boots the slot the pointer names, or the other one when it does not check out (the pointer then follows).</summary>
    private async Task<UpdateDetail?> BootActiveAsync(CancellationToken cancellationToken)
    {
        if (device is null || slots.ReadPointer() is not { } pointer)
            return UpdateDetail.SlotNoDevice();
        var slot = pointer.Active;
        if (await slots.CheckSlotAsync(slot, cancellationToken) is { } problem)
        {
            var other = SlotStore.Other(slot);
            if (await slots.CheckSlotAsync(other, cancellationToken) is { } otherProblem)
                return UpdateDetail.SlotNeitherBoots(problem, otherProblem);
            UpdateLog.SlotUnbootable(logger, deviceId, slot, other, problem.Text);
            await slots.SwitchAsync(new BootPointer(other, slot, Trial: false, Now), cancellationToken);
            slot = other;
        }
        await using (var image = File.OpenRead(slots.ImagePath(slot)))
        {
            try
            {
                await device.BootAsync(image, cancellationToken);
            }
            catch (InvalidDataException ex)
            {
                return UpdateDetail.SlotBootRefused(slot, ex.Message);
            }
        }
        UpdateLog.Booted(logger, deviceId, slot, device.FirmwareVersion);
        return null;
    }

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();
}
