using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Hosts;

/// <summary>A verified driver package to install on the queues the host check chose.</summary>
/// <param name="PayloadPath">The downloaded payload, already checked against the manifest's size and SHA-256.</param>
/// <param name="WorkDirectory">This offer's own folder for what must survive a restart (the saved drivers to go back to).</param>
public sealed record DriverInstallRequest(
    string OfferId, UpdateManifest Manifest, DriverPlatform Platform, string PayloadPath, IReadOnlyList<PrintQueue> Queues, string WorkDirectory);

public enum DriverInstallOutcome
{
    /// <summary>Every queue runs the new driver and proved it.</summary>
    Installed,
    /// <summary>Not installed, and the old driver is in place: refused before anything changed, or the system's installer undid its own work.</summary>
    Failed,
    /// <summary>Something failed after a change; every queue has its old driver again.</summary>
    RolledBack,
    /// <summary>Something failed after a change, and going back failed too: a person must look.</summary>
    RollbackFailed,
}

/// <summary>
/// How a driver install ended, in words a release engineer can act on: <paramref name="Detail"/> is coded (the
/// <c>Driver*</c> codes of <see cref="UpdateDetail"/>) so the cloud words it for each reader; its text is the English the agent logs and reports.
/// </summary>
public sealed record DriverInstallResult(DriverInstallOutcome Outcome, UpdateFailure Failure, UpdateDetail Detail)
{
    public static DriverInstallResult Installed(UpdateDetail detail) => new(DriverInstallOutcome.Installed, UpdateFailure.None, detail);

    public static DriverInstallResult Failed(UpdateFailure failure, UpdateDetail detail) => new(DriverInstallOutcome.Failed, failure, detail);
}

/// <summary>Installs one form of driver package (a CUPS PPD, or through the host's installer hook), or gives back what it changed.</summary>
public interface IDriverInstaller
{
    DriverFormat Format { get; }

    Task<DriverInstallResult> InstallAsync(DriverInstallRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// After a restart in the middle of an install: puts back what <see cref="InstallAsync"/> had saved in
    /// <paramref name="workDirectory"/>; null when nothing had been changed yet.
    /// </summary>
    Task<DriverInstallResult?> RecoverAsync(string workDirectory, CancellationToken cancellationToken);
}
