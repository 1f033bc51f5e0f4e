using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Updates;

/// <summary>
/// Where a verified image goes and how the device comes back on it: the agent's own A/B slots
/// (<see cref="SlotImageInstaller"/>) or the device's installer run as hooks (<see cref="CommandImageInstaller"/>).
/// Each step returns null when done, or why it failed: coded by the agent's own slots (UpdateDetail.Slots.cs), a hook's
/// output as words (the external program's, verbatim).
/// </summary>
public interface IImageInstaller
{
    /// <summary>The image the device runs, when the agent holds it (the base of a delta); null otherwise.</summary>
    string? RunningImagePath { get; }

    /// <summary>Boots the device from what is set to boot, at agent start, when the device runs inside the agent.</summary>
    Task<UpdateDetail?> BootAtStartAsync(CancellationToken cancellationToken);

    /// <summary>Writes the image where it can boot from, without yet making it the one that boots.</summary>
    Task<UpdateDetail?> StageAsync(string imagePath, UpdateManifest manifest, CancellationToken cancellationToken);

    /// <summary>Makes the staged image the one the next boot takes, on trial, atomically.</summary>
    Task<UpdateDetail?> ActivateAsync(UpdateManifest manifest, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="version"/> is already set to boot on trial (an install the agent was stopped after).</summary>
    bool IsActivated(string version);

    /// <summary>Boots what is set to boot. On a real device this may end the process; the next start carries on.</summary>
    Task<UpdateDetail?> RebootAsync(CancellationToken cancellationToken);

    /// <summary>Keeps the running version for good (mark good).</summary>
    Task<UpdateDetail?> CommitAsync(CancellationToken cancellationToken);

    /// <summary>Sets the previous version to boot again; the caller reboots.</summary>
    Task<UpdateDetail?> RollBackAsync(CancellationToken cancellationToken);
}
