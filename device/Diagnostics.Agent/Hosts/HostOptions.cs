using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.Agent.Hosts;

/// <summary>How a host's test job proves a queue after a new driver.</summary>
public enum TestJobMode
{
    /// <summary>A one-page test print through the queue's whole filter chain, as CUPS's own "Print Test Page" does.</summary>
    Print = 0,
    /// <summary>A job the queue must accept, held and then cancelled: no paper, but the queue's filters do not run.</summary>
    Hold = 1,
    /// <summary>No test job: the read-back of the queue's driver version is the only proof.</summary>
    None = 2,
}

/// <summary>A queue the configuration ties to a registered device (the match of last resort), and on hosts whose print system the agent cannot read, the queue itself.</summary>
public sealed class QueueMapping
{
    /// <summary>The queue's name in the print system.</summary>
    public string Queue { get; set; } = "";

    /// <summary>The registered device the queue prints to.</summary>
    public string DeviceId { get; set; } = "";

    /// <summary>The printer's model as it reports it; needed only where the agent cannot ask (hosts without CUPS).</summary>
    public string Model { get; set; } = "";
}

/// <summary>The host role (<c>Agent:Collectors=host</c>): the local print system and how drivers are installed. Bound from the <c>Host</c> section.</summary>
public sealed class HostOptions
{
    public const string Section = "Host";

    /// <summary>The placeholders of <see cref="DriverInstallCommand"/>.</summary>
    public const string PayloadPlaceholder = "{payload}";
    public const string VersionPlaceholder = "{version}";
    public const string QueuesPlaceholder = "{queues}";

    /// <summary>Whether the host prints through CUPS (Linux, macOS): its queues are read and PPD packages installed over IPP.</summary>
    public bool Cups { get; set; } = !OperatingSystem.IsWindows();

    /// <summary>The local cupsd.</summary>
    public Uri CupsUri { get; set; } = new("ipp://localhost:631/");

    /// <summary>Where cupsd keeps its root certificate (<c>{StateDir}/certs</c>), sent as "Local" authorization to change queues; empty: none sent.</summary>
    public string CupsCertificateDirectory { get; set; } = "/run/cups/certs";

    /// <summary>cupsd's ServerBin, for cupstestppd to find the filters a PPD names; empty: cupstestppd's own default (<c>/usr/lib/cups</c>).</summary>
    public string CupsServerBin { get; set; } = "";

    /// <summary>cupstestppd, by name on the PATH or as a path; a PPD is checked with it where it is installed. Empty: never.</summary>
    public string CupsTestPpd { get; set; } = "cupstestppd";

    /// <summary>lpadmin, for switching a queue to driverless IPP Everywhere (<c>lpadmin -m everywhere</c>).</summary>
    public string Lpadmin { get; set; } = "lpadmin";

    /// <summary>One request to cupsd.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Queues are read again at most this often (each poll in between answers from the last read).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a printer's answer (its uuid, serial and model) is kept before it is asked again.</summary>
    public TimeSpan PrinterIdentityRefresh { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Asking a printer for its identity; one that does not answer in time is reported without it.</summary>
    public TimeSpan PrinterTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The host report is sent when it changes, and again after this long though nothing changed.</summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Queues listed in a report (the first by name); the rest are counted.</summary>
    public int MaxQueues { get; set; } = 100;

    /// <summary>Queues tied to registered devices by configuration.</summary>
    public List<QueueMapping> Devices { get; set; } = [];

    public TestJobMode TestJob { get; set; } = TestJobMode.Print;

    /// <summary>How long the test job may take to complete before the driver counts as broken.</summary>
    public TimeSpan TestJobTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Driver forms installed by <see cref="DriverInstallCommand"/> (<c>windows-inf</c>, <c>mac-pkg</c>,
    /// <c>printer-application</c>); CUPS PPDs need none of it.
    /// </summary>
    public List<string> DriverFormats { get; set; } = [];

    /// <summary>
    /// The installer hook for those forms, run without a shell: <c>{payload}</c> is the verified package file (with the
    /// form's extension), <c>{version}</c> the driver's version, <c>{queues}</c> the queue names, comma-separated.
    /// </summary>
    public string DriverInstallCommand { get; set; } = "";

    public TimeSpan DriverInstallTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The name the owner knows the host by; empty: the machine name.</summary>
    public string HostName { get; set; } = "";

    /// <summary>The forms this host installs: CUPS PPDs with CUPS, and those of the hook.</summary>
    public IReadOnlyList<DriverFormat> InstalledFormats() =>
    [
        .. Cups ? [DriverFormat.CupsPpd] : Array.Empty<DriverFormat>(),
        .. DriverFormats.Select(ParseFormat).OfType<DriverFormat>().Where(f => f != DriverFormat.CupsPpd),
    ];

    public IEnumerable<string> Validate()
    {
        if (Cups && (CupsUri is null || !CupsUri.IsAbsoluteUri || CupsUri.Scheme is not ("ipp" or "ipps" or "http" or "https")))
            yield return $"{Section}:CupsUri must be the local cupsd's ipp:// address (ipp://localhost:631/).";
        foreach (var (interval, name) in new[] { (RequestTimeout, nameof(RequestTimeout)), (RefreshInterval, nameof(RefreshInterval)),
                     (PrinterIdentityRefresh, nameof(PrinterIdentityRefresh)), (PrinterTimeout, nameof(PrinterTimeout)), (ReportInterval, nameof(ReportInterval)),
                     (TestJobTimeout, nameof(TestJobTimeout)), (DriverInstallTimeout, nameof(DriverInstallTimeout)) })
        {
            if (interval <= TimeSpan.Zero)
                yield return $"{Section}:{name} must be positive.";
        }
        if (MaxQueues is < 1 or > 500)
            yield return $"{Section}:MaxQueues must be 1 to 500 (a report stays below the cloud's 64 KiB limit).";
        foreach (var (mapping, index) in Devices.Select((m, i) => (m, i)))
        {
            if (mapping.Queue.Length == 0 || !Topics.IsValidDeviceId(mapping.DeviceId))
                yield return $"{Section}:Devices:{index} needs Queue and a valid DeviceId.";
        }
        foreach (var format in DriverFormats.Where(f => ParseFormat(f) is null))
            yield return $"{Section}:DriverFormats: '{format}' is not one of {string.Join(", ", HostPlatforms.FormatKeys)}.";
        if (DriverFormats.Any(f => ParseFormat(f) is not (null or DriverFormat.CupsPpd)) && DriverInstallCommand.Length == 0)
            yield return $"{Section}:DriverInstallCommand must be set to install {string.Join(", ", DriverFormats)} (e.g. pnputil or installer, see Hosts/README.md).";
        if (DriverInstallCommand.Length > 0 && !DriverInstallCommand.Contains(PayloadPlaceholder, StringComparison.Ordinal))
            yield return $"{Section}:DriverInstallCommand must name {PayloadPlaceholder}.";
    }

    private static DriverFormat? ParseFormat(string key) =>
        Enum.GetValues<DriverFormat>().Where(f => f != DriverFormat.Unspecified).Select(f => (DriverFormat?)f)
            .FirstOrDefault(f => string.Equals(HostPlatforms.FormatKey(f!.Value), key, StringComparison.OrdinalIgnoreCase));
}
