using Diagnostics.Protocol.Hosts;

namespace Diagnostics.Protocol.Updates;

/// <summary>What a host knows about itself when it judges a driver package.</summary>
/// <param name="Os">One of <see cref="HostPlatforms.OperatingSystems"/>.</param>
/// <param name="Architecture">As .NET names it (<c>x64</c>).</param>
/// <param name="Formats">The driver forms this host's agent can install.</param>
/// <param name="Queues">The host's print queues as it reads them now.</param>
public sealed record HostFacts(string Os, string Architecture, IReadOnlyCollection<DriverFormat> Formats, IReadOnlyList<PrintQueue> Queues);

/// <summary>A driver package that passed every host check, with the platform it installs as and the queues it is for; or the first check it failed.</summary>
/// <param name="Problem">Why the host refused it, by code and values (its <see cref="UpdateDetail.Text"/> is <paramref name="Detail"/>); null when accepted.</param>
public sealed record DriverCheck(UpdateFailure Failure, string Detail, DriverPlatform? Platform, IReadOnlyList<PrintQueue> Queues, UpdateDetail? Problem = null)
{
    public bool IsAccepted => Failure == UpdateFailure.None;

    internal static DriverCheck Refuse(UpdateFailure failure, UpdateDetail problem) => new(failure, problem.Text, null, [], problem);
}

/// <summary>
/// The checks a driver package passes on its host before anything is downloaded, beside <see cref="ManifestChecks"/>
/// (signature, manifest rules) which every package passes first: expiry, the host's platform, queues that print to one
/// of its printer models, and a driver on those queues older than the package's.
/// </summary>
public static class DriverChecks
{
    /// <summary>The manifest rules only a driver package has (and that firmware must not break), or null; as the signing tools print them.</summary>
    public static string? DescribeProblem(UpdateManifest manifest) => FindProblem(manifest)?.Text;

    /// <summary>The first driver rule the manifest breaks, by code and values, or null.</summary>
    public static ManifestProblem? FindProblem(UpdateManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Kind != PackageKind.Driver)
            return manifest.Platforms.Count > 0 ? new(ManifestProblem.FirmwareWithPlatforms, "a firmware package names no host platforms (those are for drivers)") : null;
        if (manifest.Platforms.Count == 0)
            return new(ManifestProblem.DriverWithoutPlatforms, "a driver package must name its host platforms (os[/arch]:format, for example linux:cups-ppd)");
        foreach (var platform in manifest.Platforms)
        {
            if (HostPlatforms.FindProblem(platform) is { } problem)
                return problem;
        }
        var forms = manifest.Platforms.Select(p => HostPlatforms.FormatName(p.Format)).Distinct().ToArray();
        if (forms.Length > 1)
            return new(ManifestProblem.DriverForms, $"a driver package carries one payload, so one driver form; it names {string.Join(", ", forms)}", forms);
        if (manifest.IsDelta)
            return new(ManifestProblem.DriverDelta, "a driver package is never a delta");
        if (manifest.HardwareRevisions.Count > 0)
            return new(ManifestProblem.DriverHardwareRevisions, "a driver package names no hardware revisions (it installs on hosts, not printers)");
        return null;
    }

    /// <summary>Whether this host may install this (signature-checked) driver package now, and on which queues.</summary>
    public static DriverCheck CheckForHost(UpdateManifest manifest, HostFacts host, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(host);
        if (now.ToUnixTimeMilliseconds() >= manifest.ExpiresUnixMs)
            return DriverCheck.Refuse(UpdateFailure.Expired, UpdateDetail.DriverExpired(manifest.ExpiresUnixMs, now));
        var platform = manifest.Platforms.FirstOrDefault(p =>
            string.Equals(p.Os, host.Os, StringComparison.OrdinalIgnoreCase)
            && (p.Architectures.Count == 0 || p.Architectures.Contains(host.Architecture, StringComparer.OrdinalIgnoreCase))
            && host.Formats.Contains(p.Format));
        if (platform is null)
            return DriverCheck.Refuse(UpdateFailure.WrongPlatform, UpdateDetail.DriverWrongPlatform(manifest.Platforms, host.Os, host.Architecture, host.Formats));
        var forModels = host.Queues.Where(q => manifest.Models.Contains(q.PrinterModel, StringComparer.OrdinalIgnoreCase)).ToList();
        if (forModels.Count == 0)
            return DriverCheck.Refuse(UpdateFailure.WrongModel, UpdateDetail.DriverNoQueue(manifest.Models, host.Queues));
        if (platform.Format == DriverFormat.CupsPpd)
        {
            // A PPD replaces a PPD; a queue that prints driverless or raw was set up that way on purpose.
            var withPpd = forModels.Where(q => q.Driver == QueueDriver.Ppd).ToList();
            if (withPpd.Count == 0)
                return DriverCheck.Refuse(UpdateFailure.WrongPlatform, UpdateDetail.DriverQueuesWithoutPpd(manifest.Models, forModels));
            forModels = withPpd;
        }
        var older = forModels.Where(q => IsUpgrade(manifest, q.DriverVersion)).ToList();
        if (older.Count == 0)
            return DriverCheck.Refuse(UpdateFailure.Downgrade, UpdateDetail.DriverAlreadyNewer(manifest.Version, manifest.Models, forModels));
        var fromOk = older.Where(q => manifest.MinimumFromVersion.Length == 0 || FirmwareVersion.Compare(q.DriverVersion, manifest.MinimumFromVersion) >= 0).ToList();
        if (fromOk.Count == 0)
            return DriverCheck.Refuse(UpdateFailure.VersionTooOld,
                UpdateDetail.DriverTooOld(manifest.MinimumFromVersion, manifest.Models, [.. older.Select(q => q.DriverVersion).Distinct()]));
        return new DriverCheck(UpdateFailure.None, $"for {string.Join(", ", fromOk.Select(q => $"{q.Name} (driver {Version(q)})"))} as {platform}", platform, fromOk);
    }

    /// <summary>Whether the package's version may replace a queue's driver version.</summary>
    public static bool IsUpgrade(UpdateManifest manifest, string queueVersion)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        // A driver without a version (an old PPD with no *FileVersion) is older than any release.
        if (string.IsNullOrWhiteSpace(queueVersion))
            return true;
        var order = FirmwareVersion.Compare(manifest.Version, queueVersion);
        // One that cannot be compared is replaced only by a signed rollback release, as firmware is.
        return manifest.IsRollbackRelease ? order is not 0 : order > 0;
    }

    private static string Version(PrintQueue queue) => queue.DriverVersion.Length > 0 ? queue.DriverVersion : "without a version";
}
