using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Updates;

/// <summary>Where an update is installed.</summary>
public enum UpdateInstallerKind
{
    /// <summary>The agent's own A/B slots under its data directory (<see cref="SlotStore"/>); the simulated printer boots from them.</summary>
    Slots = 0,
    /// <summary>A real installer on the device (RAUC, SWUpdate ...), run as a process: <see cref="UpdateOptions.InstallCommand"/> and friends.</summary>
    Command = 1,
}

/// <summary>How the agent takes firmware updates. Bound from the <c>Updates</c> section.</summary>
public sealed class UpdateOptions
{
    public const string Section = "Updates";

    /// <summary>The placeholder in <see cref="InstallCommand"/> replaced by the image's path.</summary>
    public const string ImagePlaceholder = "{image}";

    /// <summary>
    /// The release keys this device trusts, each a PEM public key (<c>-----BEGIN PUBLIC KEY-----</c>) or the path of a
    /// <c>.pub.pem</c> file. None: every offer is refused (UntrustedKey).
    /// </summary>
    public List<string> TrustedKeys { get; set; } = [];

    /// <summary>The device's hardware revision as manifests name it; empty when unknown (then only packages for every revision fit).</summary>
    public string HardwareRevision { get; set; } = "";

    public UpdateInstallerKind Installer { get; set; } = UpdateInstallerKind.Slots;

    /// <summary>With <see cref="UpdateInstallerKind.Command"/>: installs the image, e.g. <c>rauc install {image}</c> or <c>swupdate -i {image}</c>.</summary>
    public string InstallCommand { get; set; } = "";

    /// <summary>Commits the running version once healthy, e.g. <c>rauc status mark-good</c>; empty when the installer needs none.</summary>
    public string MarkGoodCommand { get; set; } = "";

    /// <summary>Before the reboot that rolls back, e.g. <c>rauc status mark-bad</c>; empty when the boot loader falls back by itself.</summary>
    public string RollbackCommand { get; set; } = "";

    /// <summary>Reboots the device, e.g. <c>systemctl reboot</c>. Empty: the agent boots an in-process device itself, or exits for its service manager to restart it.</summary>
    public string RebootCommand { get; set; } = "";

    /// <summary>An installer hook that runs longer is stopped and the install fails.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The health check's window when the offer gives none (<see cref="UpdateOffer.HealthCheckSeconds"/>).</summary>
    public int HealthCheckSeconds { get; set; } = 300;

    /// <summary>How long the new version must stay healthy (connected, reporting it, no new error) before the device commits to it.</summary>
    public TimeSpan HealthCheckStableFor { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes asked for in one range request; a lost connection costs at most one chunk.</summary>
    public int DownloadChunkBytes { get; set; } = 1024 * 1024;

    /// <summary>Failed requests in a row (no byte gained) before the download is given up.</summary>
    public int DownloadAttempts { get; set; } = 8;

    /// <summary>Backoff between download retries: exponential from the minimum, capped, with full jitter.</summary>
    public TimeSpan RetryMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>One request that takes longer (no answer, a stalled body) counts as a failed attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Free space kept beyond what the download and the image need.</summary>
    public long MinimumFreeBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>How often the agent looks again while it waits (the offer's start time, the device to be idle, the health check).</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The keys of <see cref="TrustedKeys"/>; the caller disposes them. Throws when one cannot be read (validation names it first).</summary>
    public IReadOnlyList<TrustedKey> LoadTrustedKeys()
    {
        var keys = new List<TrustedKey>();
        foreach (var entry in TrustedKeys)
        {
            var key = ReadKey(entry, out var error);
            if (key is null)
            {
                keys.ForEach(k => k.Dispose());
                throw new InvalidOperationException(error);
            }
            keys.Add(key);
        }
        return keys;
    }

    public IEnumerable<string> Validate()
    {
        for (var i = 0; i < TrustedKeys.Count; i++)
        {
            using var key = ReadKey(TrustedKeys[i], out var error);
            if (key is null)
                yield return $"{Section}:TrustedKeys:{i} {error}";
        }
        if (Installer == UpdateInstallerKind.Command && !InstallCommand.Contains(ImagePlaceholder, StringComparison.Ordinal))
            yield return $"{Section}:InstallCommand must be set with Installer=Command and name the image as {ImagePlaceholder} (e.g. \"rauc install {ImagePlaceholder}\").";
        if (CommandTimeout <= TimeSpan.Zero)
            yield return $"{Section}:CommandTimeout must be positive (was {CommandTimeout}).";
        if (HealthCheckSeconds is < 1 or > 86_400)
            yield return $"{Section}:HealthCheckSeconds must be between 1 and 86400 (was {HealthCheckSeconds}).";
        if (HealthCheckStableFor < TimeSpan.Zero)
            yield return $"{Section}:HealthCheckStableFor must not be negative (was {HealthCheckStableFor}).";
        if (DownloadChunkBytes is < 4096 or > 64 * 1024 * 1024)
            yield return $"{Section}:DownloadChunkBytes must be between 4096 and 67108864 (was {DownloadChunkBytes}).";
        if (DownloadAttempts < 1)
            yield return $"{Section}:DownloadAttempts must be 1 or more (was {DownloadAttempts}).";
        if (RetryMinDelay <= TimeSpan.Zero || RetryMaxDelay < RetryMinDelay)
            yield return $"{Section}:RetryMinDelay must be positive and not above RetryMaxDelay.";
        if (RequestTimeout <= TimeSpan.Zero)
            yield return $"{Section}:RequestTimeout must be positive (was {RequestTimeout}).";
        if (MinimumFreeBytes < 0)
            yield return $"{Section}:MinimumFreeBytes must not be negative (was {MinimumFreeBytes}).";
        if (CheckInterval <= TimeSpan.Zero)
            yield return $"{Section}:CheckInterval must be positive (was {CheckInterval}).";
    }

    /// <summary>A PEM string, or the path of a file holding one.</summary>
    private static TrustedKey? ReadKey(string entry, out string? error)
    {
        if (entry.Contains("-----BEGIN", StringComparison.Ordinal))
            return TrustedKey.TryFromPem(entry, out error);
        if (!File.Exists(entry))
        {
            error = $"is neither a PEM public key nor the path of a file holding one ('{entry}' does not exist)";
            return null;
        }
        var key = TrustedKey.TryFromPem(File.ReadAllText(entry), out error);
        if (key is null)
            error = $"'{entry}': {error}";
        return key;
    }
}
