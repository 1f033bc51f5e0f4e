using Diagnostics.Agent.Hosts;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Updates;

/// <summary>
/// What a driver package needs beyond what every package gets from <see cref="UpdateInstaller"/> (signature, consent,
/// pacing, download, payload check, journal, reports): the host's own check (platform, queues for its printer models,
/// their driver versions), and the install on those queues by the host's installer for the package's form, which proves
/// the new driver and goes back to the old one by itself. No reboot and no later health check: the test job is it.
/// </summary>
/// <param name="host">The host when the agent runs in the host role; null on a device, which takes no drivers.</param>
/// <param name="directory">The updates folder; each offer's install keeps its saved drivers in <c>drivers/{offerId}</c>.</param>
internal sealed class DriverUpdateStep(IPrintHost? host, string directory)
{
    /// <summary>The host check before anything is downloaded; None when the package is for this host.</summary>
    public async Task<(UpdateFailure Failure, UpdateDetail Detail)> CheckAsync(UpdateManifest manifest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (host is null)
            return (UpdateFailure.WrongPlatform, UpdateDetail.NotHostRole());
        var check = DriverChecks.CheckForHost(manifest, await host.ReadFactsAsync(cancellationToken), now);
        return (check.Failure, UpdateDetail.Of(check));
    }

    /// <summary>
    /// Installs on the queues the host check chooses now (they may have changed since the offer was accepted).
    /// <c>FromVersion</c> is the driver the queues had, for a report that went back to it.
    /// </summary>
    public async Task<(DriverInstallResult Result, string FromVersion)> InstallAsync(string offerId, UpdateManifest manifest, string payloadPath, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (host is null)
            return (DriverInstallResult.Failed(UpdateFailure.WrongPlatform, UpdateDetail.DriverNotHost()), "");
        var check = DriverChecks.CheckForHost(manifest, await host.ReadFactsAsync(cancellationToken), now);
        if (!check.IsAccepted)
            return (DriverInstallResult.Failed(check.Failure, UpdateDetail.DriverHostChanged(UpdateDetail.Of(check))), "");
        var from = LowestVersion(check.Queues.Select(q => q.DriverVersion));
        if (host.InstallerFor(check.Platform!.Format) is not { } installer)
            return (DriverInstallResult.Failed(UpdateFailure.WrongPlatform, UpdateDetail.DriverNoInstaller(check.Platform.Format)), from);
        try
        {
            return (await installer.InstallAsync(new DriverInstallRequest(offerId, manifest, check.Platform, payloadPath, check.Queues, WorkDirectory(offerId)), cancellationToken), from);
        }
        finally
        {
            host.Invalidate();
        }
    }

    /// <summary>After a restart during an install: what the installer saved goes back; null when it had changed nothing.</summary>
    public async Task<DriverInstallResult?> RecoverAsync(string offerId, UpdateManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (host is null)
            return null;
        foreach (var installer in manifest.Platforms.Select(p => host.InstallerFor(p.Format)).OfType<IDriverInstaller>().Distinct())
        {
            if (await installer.RecoverAsync(WorkDirectory(offerId), cancellationToken) is { } recovered)
            {
                host.Invalidate();
                return recovered;
            }
        }
        return null;
    }

    private string WorkDirectory(string offerId) =>
        Path.Combine(directory, "drivers", string.Concat(offerId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')));

    private static string LowestVersion(IEnumerable<string> versions) =>
        versions.OrderBy(v => v, Comparer<string>.Create((a, b) => FirmwareVersion.Compare(a, b) ?? string.CompareOrdinal(a, b))).FirstOrDefault() ?? "";
}
