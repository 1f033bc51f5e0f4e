using System.Security.Cryptography;
using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Hosts;
using Diagnostics.Protocol.Updates;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Hosts;

/// <summary>What the rest of the agent needs of a host: its report, its facts for a driver package, its installers.</summary>
public interface IPrintHost
{
    /// <summary>The newest report read, or null before the first read.</summary>
    HostReport? LatestReport { get; }

    /// <summary>Completes when a read found the report changed (a latch: a change nobody waited for completes the next wait).</summary>
    Task WaitForReportChangeAsync(CancellationToken cancellationToken);

    /// <summary>The host as it is now (a fresh read): what a driver package is checked against.</summary>
    Task<HostFacts> ReadFactsAsync(CancellationToken cancellationToken);

    /// <summary>The installer of that driver form on this host, or null when it installs none.</summary>
    IDriverInstaller? InstallerFor(DriverFormat format);

    /// <summary>After a driver install: the next read is fresh, whatever the refresh interval says.</summary>
    void Invalidate();

    /// <summary>How often the report is sent again though nothing changed.</summary>
    TimeSpan ReportInterval { get; }
}

/// <summary>
/// The host role (<c>Agent:Collectors=host</c>): a computer or print server whose "device" is its print system. Reads
/// the local CUPS queues (CUPS-Get-Printers), each queue's PPD (<c>/printers/NAME.ppd</c>: <c>*NickName</c>,
/// <c>*FileVersion</c>, driverless or not) and who its printer is (asked over IPP where the queue prints over IPP), and
/// reports the host as a device: state, a <c>cups:queue-stopped</c> condition while any queue is stopped, and its
/// <see cref="HostReport"/> for the <see cref="HostReporter"/>. Installs driver packages (<see cref="CupsDriverInstaller"/>,
/// <see cref="HookDriverInstaller"/>) and switches stopped queues to driverless IPP Everywhere (<c>use-driverless</c>).
/// </summary>
public sealed partial class PrintHostCollector : IDeviceCollector, IDeviceActions, IPrintHost, IDisposable
{
    /// <summary>The model a host reports as a device, so the fleet tells hosts from printers.</summary>
    public const string HostModel = "Print host";

    public const string QueueStoppedCode = "cups:queue-stopped";

    private readonly HostOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _cupsHttp;
    private readonly CupsScheduler _cups;
    private readonly PrinterIdentities _identities;
    private readonly IReadOnlyList<IDriverInstaller> _installers;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private readonly ChangeSignal _changed = new();
    private readonly ActiveSince _since = new();
    private readonly Dictionary<string, (long ConfigChangeTime, PpdFacts Facts)> _ppds = new(StringComparer.Ordinal);
    private HostReport? _latest;
    private byte[] _latestBytes = [];
    private DateTimeOffset? _readAt;

    /// <param name="printers">Shared with the process's IPP collectors, for asking printers who they are; not owned.</param>
    public PrintHostCollector(HostOptions options, HttpClient printers, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _time = time;
        _logger = loggerFactory.CreateLogger<PrintHostCollector>();
        // cupsd lets administrators change queues; root proves it is one with the certificate cupsd gives it.
        _cupsHttp = options.CupsCertificateDirectory.Length > 0
            ? new HttpClient(new CupsAuthorizationHandler(options.CupsCertificateDirectory)) { Timeout = Timeout.InfiniteTimeSpan }
            : new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _cups = new CupsScheduler(_cupsHttp, options.CupsUri, options.RequestTimeout);
        _identities = new PrinterIdentities(printers, options.PrinterTimeout, options.PrinterIdentityRefresh, time);
        _installers =
        [
            .. options.Cups ? [new CupsDriverInstaller(_cups, options, time, loggerFactory.CreateLogger<CupsDriverInstaller>())] : Array.Empty<IDriverInstaller>(),
            .. options.InstalledFormats().Where(f => f != DriverFormat.CupsPpd)
                .Select(f => new HookDriverInstaller(f, options, loggerFactory.CreateLogger<HookDriverInstaller>())),
        ];
    }

    public string Name => "host";

    public CupsScheduler Cups => _cups;

    public TimeSpan ReportInterval => _options.ReportInterval;

    public HostReport? LatestReport => Volatile.Read(ref _latest);

    public async ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var report = await ReadReportAsync(fresh: false, cancellationToken);
        if (!report.PrintSystemReachable)
            throw new InvalidOperationException($"the print system does not answer: {report.PrintSystemProblem}");
        var stopped = report.Queues.Where(q => q.State == DeviceState.Stopped).ToList();
        var conditions = new List<ActiveCondition>();
        _since.Report(conditions, stopped.Count > 0, QueueStoppedCode, Conditions.PrintQueueStopped, Severity.Error,
            string.Join("; ", stopped.Select(q => $"print queue {q.Name} stopped{(q.StateMessage.Length > 0 ? ": " + q.StateMessage : "")}")),
            _time.GetUtcNow().ToUnixTimeMilliseconds());
        return new DeviceStatus
        {
            Model = HostModel,
            State = stopped.Count > 0 ? DeviceState.Stopped : report.Queues.Any(q => q.State == DeviceState.Processing) ? DeviceState.Processing : DeviceState.Idle,
            StateMessage = $"{report.System?.HostName}: {report.Queues.Count + report.QueuesLeftOut} print queue(s) on {report.System?.PrintSystem}",
            Conditions = conditions,
            Counters = [new Counter { Name = "print-queues", Value = report.Queues.Count + report.QueuesLeftOut }],
        };
    }

    public Task WaitForReportChangeAsync(CancellationToken cancellationToken) => _changed.WaitAsync(cancellationToken);

    public async Task<HostFacts> ReadFactsAsync(CancellationToken cancellationToken)
    {
        var report = await ReadReportAsync(fresh: true, cancellationToken);
        return new HostFacts(report.System!.Os, report.System.Architecture, _options.InstalledFormats(), report.Queues);
    }

    public IDriverInstaller? InstallerFor(DriverFormat format) => _installers.FirstOrDefault(i => i.Format == format);

    public void Invalidate()
    {
        // The PPDs too: cupsd's config-change-time counts seconds, and an install and its rollback can share one.
        lock (_ppds)
        {
            _readAt = null;
            _ppds.Clear();
        }
    }

    public void Dispose()
    {
        _cupsHttp.Dispose();
        _reading.Dispose();
    }

    /// <summary>The host's report: from the last read when it is younger than the refresh interval (unless <paramref name="fresh"/>), else read now.</summary>
    public async Task<HostReport> ReadReportAsync(bool fresh, CancellationToken cancellationToken)
    {
        await _reading.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            DateTimeOffset? readAt;
            lock (_ppds)
                readAt = _readAt;
            if (!fresh && _latest is { } cached && readAt is { } at && now - at < _options.RefreshInterval)
                return cached;
            var report = await ReadNowAsync(cancellationToken);
            var bytes = WireCodec.Encode(report);
            if (!bytes.AsSpan().SequenceEqual(_latestBytes))
            {
                _latestBytes = bytes;
                Volatile.Write(ref _latest, report);
                _changed.Set();
                Log.QueuesRead(_logger, report.Queues.Count, report.PrintSystemReachable);
            }
            lock (_ppds)
                _readAt = now;
            return _latest!;
        }
        finally
        {
            _reading.Release();
        }
    }

    private async Task<HostReport> ReadNowAsync(CancellationToken cancellationToken)
    {
        if (!_options.Cups)
            return new HostReport { System = HostSystems.Read(_options, "Windows print spooler"), PrintSystemReachable = true, Queues = [.. ConfiguredQueues()] };
        IReadOnlyList<CupsQueueAttributes> queues;
        try
        {
            queues = await _cups.GetQueuesAsync(cancellationToken);
        }
        catch (IppRequestException ex)
        {
            Log.QueuesUnreadable(_logger, _options.CupsUri, ex.Message);
            return new HostReport { System = HostSystems.Read(_options, "CUPS"), PrintSystemReachable = false, PrintSystemProblem = ex.Message };
        }
        var version = queues.Select(q => q.CupsVersion).FirstOrDefault(v => v.Length > 0);
        var report = new HostReport
        {
            System = HostSystems.Read(_options, version is null ? "CUPS" : $"CUPS {version}"),
            PrintSystemReachable = true,
            QueuesLeftOut = Math.Max(0, queues.Count - _options.MaxQueues),
        };
        foreach (var queue in queues.Take(_options.MaxQueues))
            report.Queues.Add(await DescribeAsync(queue, cancellationToken));
        return report;
    }

    private async Task<PrintQueue> DescribeAsync(CupsQueueAttributes queue, CancellationToken cancellationToken)
    {
        var ppd = await PpdOfAsync(queue, cancellationToken);
        var (identity, problem) = await _identities.IdentifyAsync(queue.DeviceUri, cancellationToken);
        if (problem is not null)
            Log.PrinterUnanswered(_logger, queue.Name, queue.DeviceUri, problem);
        var model = identity.Model.Length > 0 ? identity.Model : ppd.ModelName.Length > 0 ? ppd.ModelName : queue.MakeAndModel;
        return new PrintQueue
        {
            Name = queue.Name,
            DeviceUri = queue.DeviceUri,
            MakeAndModel = queue.MakeAndModel,
            PrinterModel = model,
            Driver = ppd.Driver,
            DriverName = ppd.NickName,
            DriverVersion = ppd.FileVersion,
            PrinterUuid = identity.Uuid,
            PrinterSerial = identity.Serial,
            MappedDeviceId = _options.Devices.FirstOrDefault(d => d.Queue == queue.Name)?.DeviceId ?? "",
            State = queue.State is 3 or 4 or 5 ? (DeviceState)queue.State : DeviceState.Unknown,
            AcceptingJobs = queue.AcceptingJobs,
            StateMessage = queue.StateMessage,
            PpdSha256 = ppd.Sha256,
        };
    }

    /// <summary>A queue's PPD facts, read again only when cupsd says the queue's configuration changed.</summary>
    private async Task<PpdFacts> PpdOfAsync(CupsQueueAttributes queue, CancellationToken cancellationToken)
    {
        lock (_ppds)
        {
            if (_ppds.TryGetValue(queue.Name, out var known) && known.ConfigChangeTime == queue.ConfigChangeTime && queue.ConfigChangeTime != 0)
                return known.Facts;
        }
        PpdFacts facts;
        try
        {
            facts = PpdFacts.Of(await _cups.GetPpdAsync(queue.Name, cancellationToken), queue.MakeAndModel);
        }
        catch (IppRequestException ex)
        {
            // One failed read (cupsd closing a kept-alive connection, a busy moment) does not make a known driver unknown.
            Log.QueuesUnreadable(_logger, _cups.QueueUri(queue.Name), ex.Message);
            lock (_ppds)
                return _ppds.TryGetValue(queue.Name, out var before) ? before.Facts : PpdFacts.Unknown;
        }
        lock (_ppds)
            _ppds[queue.Name] = (queue.ConfigChangeTime, facts);
        return facts;
    }

    /// <summary>Hosts whose print system the agent cannot read (Windows): the queues the configuration names.</summary>
    private IEnumerable<PrintQueue> ConfiguredQueues() => _options.Devices.Select(d => new PrintQueue
    {
        Name = d.Queue,
        PrinterModel = d.Model,
        MappedDeviceId = d.DeviceId,
        State = DeviceState.Unknown,
        AcceptingJobs = true,
    });

    /// <summary>What a queue's PPD says, or that it has none.</summary>
    private sealed record PpdFacts(QueueDriver Driver, string NickName, string FileVersion, string ModelName, byte[] Sha256)
    {
        public static readonly PpdFacts Unknown = new(QueueDriver.Unknown, "", "", "", []);

        public static PpdFacts Of(byte[]? ppd, string makeAndModel)
        {
            if (ppd is null)
            {
                // No PPD: a raw queue, or one CUPS runs driverless without a PPD (newer CUPS); its make-and-model says which.
                var driverless = makeAndModel.Contains("IPP Everywhere", StringComparison.OrdinalIgnoreCase) || makeAndModel.Contains("driverless", StringComparison.OrdinalIgnoreCase);
                return new PpdFacts(driverless ? QueueDriver.Driverless : QueueDriver.Raw, "", "", "", []);
            }
            var sha = SHA256.HashData(ppd);
            return PpdFile.TryRead(ppd, out _) is { } read
                ? new PpdFacts(read.IsDriverless ? QueueDriver.Driverless : QueueDriver.Ppd, read.NickName, read.FileVersion, read.ModelName, sha)
                : new PpdFacts(QueueDriver.Unknown, "", "", "", sha);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.HostQueuesRead, LogLevel.Information, "Host print queues changed: {Queues} queue(s), print system answering: {Reachable}")]
        public static partial void QueuesRead(ILogger logger, int queues, bool reachable);

        [LoggerMessage(AgentLogEvents.HostQueuesUnreadable, LogLevel.Warning, "The print system at {Address} could not be read: {Reason}")]
        public static partial void QueuesUnreadable(ILogger logger, Uri address, string reason);

        [LoggerMessage(AgentLogEvents.HostPrinterUnanswered, LogLevel.Debug, "The printer of queue {Queue} ({DeviceUri}) did not say who it is: {Reason}")]
        public static partial void PrinterUnanswered(ILogger logger, string queue, string deviceUri, string reason);
    }
}
