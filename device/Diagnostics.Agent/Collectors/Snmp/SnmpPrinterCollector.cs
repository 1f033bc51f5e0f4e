using Diagnostics.Agent.Collectors.Snmp.Ber;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Collectors.Snmp;

/// <summary>
/// Reads a network printer over SNMPv2c: model, state, hrPrinterDetectedErrorState bits and prtAlertTable rows as
/// conditions, marker supplies and input trays as supply levels, and the lifetime page count. When the printer does
/// not answer, <see cref="ReadAsync"/> throws (the telemetry pump turns that into DEVICE_UNREACHABLE); after
/// repeated failures it stops asking for a while and throws at once, so a dead printer does not cost a full
/// timeout on every poll. Meanwhile a one-datagram probe asks every <see cref="SnmpCollectorOptions.RecoveryProbeInterval"/>
/// whether the agent answers again; when it does, the backoff ends and <see cref="WaitForChangeAsync"/> completes.
/// </summary>
public sealed partial class SnmpPrinterCollector : IDeviceCollector, IChangeNotifier, IDisposable, IAsyncDisposable
{
    public const string PagesPrintedCounter = "pages-printed";
    public const string MediaSupplyType = "media";

    private const int LowPercent = 10;
    private const int ReceptacleAlmostFullPercent = 90;
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(15);

    private readonly SnmpClient _client;
    private readonly bool _ownsClient;
    private readonly SnmpClient _probeClient;
    private readonly RecoveryProbe _probe;
    private readonly ChangeSignal _changes = new();
    private readonly SnmpCollectorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, long> _raisedAt = [];
    private readonly Lock _backoffGate = new();
    private int _consecutiveFailures;
    private TimeSpan _backoff = InitialBackoff;
    private DateTimeOffset? _backingOffUntil;

    /// <summary>Reads through <paramref name="client"/>, which it does not dispose.</summary>
    public SnmpPrinterCollector(SnmpClient client, SnmpCollectorOptions options, TimeProvider time, ILogger<SnmpPrinterCollector> logger)
        : this(client, ownsClient: false, options, time, logger)
    {
    }

    private SnmpPrinterCollector(SnmpClient client, bool ownsClient, SnmpCollectorOptions options, TimeProvider time, ILogger<SnmpPrinterCollector> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _ownsClient = ownsClient;
        _options = options;
        _time = time;
        _logger = logger;
        // One attempt, a short wait: the probe only asks "are you there?", on a socket of its own so it never queues behind a read.
        var probeTimeout = options.Timeout < options.RecoveryProbeInterval ? options.Timeout : options.RecoveryProbeInterval;
        _probeClient = new SnmpClient(new SnmpCollectorOptions
        {
            Host = options.Host, Port = options.Port, Community = options.Community, Timeout = probeTimeout, Retries = 0,
            MaxResponseBytes = options.MaxResponseBytes,
        }, time, Microsoft.Extensions.Logging.Abstractions.NullLogger<SnmpClient>.Instance);
        _probe = new RecoveryProbe(AnswersAsync, options.RecoveryProbeInterval, time, EndBackoff);
    }

    /// <summary>A collector with its own <see cref="SnmpClient"/> (and socket), disposed with it.</summary>
    public static SnmpPrinterCollector Create(SnmpCollectorOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var client = new SnmpClient(options, time, loggerFactory.CreateLogger<SnmpClient>());
        return new SnmpPrinterCollector(client, ownsClient: true, options, time, loggerFactory.CreateLogger<SnmpPrinterCollector>());
    }

    public string Name => "snmp";

    /// <summary>The last status read successfully, for a composite collector that merges SNMP into another source.</summary>
    public DeviceStatus? LastStatus { get; private set; }

    /// <summary>Reads that failed in a row; zero while the agent answers.</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    /// <summary>Recovery probes sent since start.</summary>
    public long RecoveryProbes => _probe.Probes;

    public async ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var status = await GuardedAsync(ReadStatusAsync, cancellationToken);
        LastStatus = status;
        return status;
    }

    /// <summary>
    /// Completes when an agent that stopped answering answers the recovery probe again (SNMP has no change
    /// notifications of its own here), so the next read need not wait for the backoff or the next poll.
    /// </summary>
    public Task WaitForChangeAsync(CancellationToken cancellationToken) => _changes.WaitAsync(cancellationToken);

    /// <summary>
    /// Only the counters (today: lifetime pages, from prtMarkerLifeCount), for merging into a status read over IPP,
    /// where printer-impressions-completed is often missing. Two round trips. Throws like <see cref="ReadAsync"/>.
    /// </summary>
    public async ValueTask<IReadOnlyList<Counter>> ReadCountersAsync(CancellationToken cancellationToken) =>
        await GuardedAsync(async ct => await ReadCountersAsync(await FindPrinterIndexAsync(ct), ct), cancellationToken);

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        await _probe.DisposeAsync();
        _probeClient.Dispose();
        if (_ownsClient)
            _client.Dispose();
    }

    private async Task<T> GuardedAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        DateTimeOffset? until;
        lock (_backoffGate)
            until = _backingOffUntil;
        if (until is { } pause && now < pause)
            throw new SnmpException($"SNMP agent {_client.Agent} failed {ConsecutiveFailures} reads in a row; not asking again before {pause:u}.", LastCause);
        try
        {
            var result = await read(cancellationToken);
            var failures = Interlocked.Exchange(ref _consecutiveFailures, 0);
            if (failures > 0)
                Log.ReachableAgain(_logger, _client.Agent.ToString() ?? "", failures);
            lock (_backoffGate)
            {
                _backoff = InitialBackoff;
                _backingOffUntil = null;
            }
            _probe.Stop();
            return result;
        }
        catch (Exception ex) when (ex is TimeoutException or SnmpException or System.Net.Sockets.SocketException)
        {
            var failures = Interlocked.Increment(ref _consecutiveFailures);
            LastCause = UnreachableCause.Of(ex);
            Log.Unreachable(_logger, _client.Agent.ToString() ?? "", failures, ex.Message);
            if (failures >= _options.FailuresBeforeBackoff && _options.MaxBackoff > TimeSpan.Zero)
            {
                TimeSpan pauseFor;
                lock (_backoffGate)
                {
                    pauseFor = _backoff < _options.MaxBackoff ? _backoff : _options.MaxBackoff;
                    _backingOffUntil = _time.GetUtcNow() + pauseFor;
                    _backoff = pauseFor * 2;
                }
                Log.BackingOff(_logger, _client.Agent.ToString() ?? "", failures, pauseFor.TotalSeconds);
                // Silence says the agent is gone; an error answer says it is there, so only its silence ending is news.
                _probe.Start(answeredAtFailure: ex is not TimeoutException);
            }
            throw;
        }
    }

    /// <summary>Why the latest read failed; kept while backing off, so the device page keeps saying why.</summary>
    private UnreachableCause LastCause { get; set; } = new(UnreachableCauses.SnmpSilent, "the SNMP agent did not answer");

    private async Task<bool> AnswersAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _probeClient.GetAsync([PrinterMib.SysDescr], cancellationToken);
            return true;
        }
        catch (SnmpException)
        {
            // An error-status is an answer.
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private void EndBackoff()
    {
        lock (_backoffGate)
            _backingOffUntil = null;
        Log.RecoveryProbed(_logger, _client.Agent.ToString() ?? "");
        _changes.Set();
    }

    private async Task<DeviceStatus> ReadStatusAsync(CancellationToken cancellationToken)
    {
        var index = await FindPrinterIndexAsync(cancellationToken);
        var scalars = await _client.GetAsync(
            [PrinterMib.SysDescr, PrinterMib.HrDeviceStatus.Append(index), PrinterMib.HrPrinterStatus.Append(index),
                PrinterMib.HrPrinterDetectedErrorState.Append(index), PrinterMib.PrtGeneralSerialNumber.Append(index)],
            cancellationToken);
        var deviceStatus = scalars[1].Value.AsInt64();
        var printerStatus = scalars[2].Value.AsInt64();
        var errorBits = scalars[3].Value.Type == SnmpValueType.OctetString ? PrinterErrorState.Decode(scalars[3].Value.Bytes) : [];

        var conditions = new List<ActiveCondition>();
        foreach (var bit in errorBits)
            conditions.Add(new ActiveCondition { Code = bit.Code, Condition = bit.Condition, Severity = PrinterErrorState.SeverityOf(bit, deviceStatus), Message = bit.Name });
        conditions.AddRange(await ReadAlertsAsync(index, cancellationToken));
        StampSince(conditions);

        var supplies = new List<SupplyLevel>();
        supplies.AddRange(await ReadMarkerSuppliesAsync(index, cancellationToken));
        supplies.AddRange(await ReadInputTraysAsync(index, cancellationToken));

        return new DeviceStatus
        {
            Model = scalars[0].Value.AsText() ?? "",
            Serial = scalars[4].Value.AsText() ?? "",
            State = StateOf(printerStatus, deviceStatus, conditions),
            StateMessage = $"hrPrinterStatus {PrinterStatusName(printerStatus)}, hrDeviceStatus {DeviceStatusName(deviceStatus)}",
            Conditions = conditions,
            Supplies = supplies,
            Counters = [.. await ReadCountersAsync(index, cancellationToken)],
        };
    }

    /// <summary>The hrDeviceIndex of the first printer the agent lists (almost always 1).</summary>
    private async Task<uint> FindPrinterIndexAsync(CancellationToken cancellationToken)
    {
        var first = (await _client.GetNextAsync([PrinterMib.HrPrinterStatus], cancellationToken))[0];
        if (first.Value.IsException || !first.Oid.IsUnder(PrinterMib.HrPrinterStatus))
            throw new SnmpException($"SNMP agent {_client.Agent} lists no printer in hrPrinterTable.");
        return first.Oid.SuffixAfter(PrinterMib.HrPrinterStatus)[0];
    }

    private async Task<IReadOnlyList<Counter>> ReadCountersAsync(uint index, CancellationToken cancellationToken)
    {
        var column = PrinterMib.PrtMarkerLifeCount.Append(index);
        var first = (await _client.GetNextAsync([column], cancellationToken))[0];
        if (first.Value.IsException || !first.Oid.IsUnder(column) || first.Value.AsInt64() is not { } pages)
            return [];
        return [new Counter { Name = PagesPrintedCounter, Value = pages }];
    }

    private async Task<IEnumerable<ActiveCondition>> ReadAlertsAsync(uint index, CancellationToken cancellationToken)
    {
        var rows = await ReadTableAsync(PrinterMib.PrtAlertEntry, index,
            [PrinterMib.PrtAlertSeverityLevel, PrinterMib.PrtAlertCode, PrinterMib.PrtAlertDescription], cancellationToken);
        return rows
            .Where(row => row.Value.TryGetValue(PrinterMib.PrtAlertCode, out var code) && code.AsInt64() is { } number && !PrtAlertEvents.IsEvent(number))
            .Select(row =>
            {
                var code = row.Value[PrinterMib.PrtAlertCode].AsInt64()!.Value;
                return new ActiveCondition
                {
                    Code = $"prtAlert:{code}",
                    Condition = PrinterMib.AlertCondition(code),
                    Severity = PrinterMib.AlertSeverity(row.Value.GetValueOrDefault(PrinterMib.PrtAlertSeverityLevel)?.AsInt64()),
                    Message = row.Value.GetValueOrDefault(PrinterMib.PrtAlertDescription)?.AsText() ?? "",
                };
            })
            // The same code in two rows (two trays jammed) is one condition for the cloud.
            .DistinctBy(c => c.Code);
    }

    private async Task<IEnumerable<SupplyLevel>> ReadMarkerSuppliesAsync(uint index, CancellationToken cancellationToken)
    {
        var rows = await ReadTableAsync(PrinterMib.PrtMarkerSuppliesEntry, index,
            [PrinterMib.PrtMarkerSuppliesColorantIndex, PrinterMib.PrtMarkerSuppliesClass, PrinterMib.PrtMarkerSuppliesType,
                PrinterMib.PrtMarkerSuppliesDescription, PrinterMib.PrtMarkerSuppliesSupplyUnit, PrinterMib.PrtMarkerSuppliesMaxCapacity,
                PrinterMib.PrtMarkerSuppliesLevel], cancellationToken);
        var colorants = rows.Count == 0 ? [] : await ReadColorantsAsync(index, cancellationToken);
        return rows.Select(row =>
        {
            long? Column(uint column) => row.Value.GetValueOrDefault(column)?.AsInt64();
            var colorant = Column(PrinterMib.PrtMarkerSuppliesColorantIndex);
            var supply = MarkerSupply(
                Column(PrinterMib.PrtMarkerSuppliesClass), Column(PrinterMib.PrtMarkerSuppliesSupplyUnit),
                Column(PrinterMib.PrtMarkerSuppliesLevel), Column(PrinterMib.PrtMarkerSuppliesMaxCapacity));
            supply.Name = row.Value.GetValueOrDefault(PrinterMib.PrtMarkerSuppliesDescription)?.AsText() is { Length: > 0 } name ? name : $"supply {row.Key}";
            supply.Type = PrinterMib.SupplyType(Column(PrinterMib.PrtMarkerSuppliesType));
            supply.Color = colorant is { } i && colorants.TryGetValue(i, out var color) ? color : "";
            return supply;
        });
    }

    /// <summary>prtMarkerColorantValue by prtMarkerColorantIndex ("black", "cyan" ...), for telling supplies apart by colour.</summary>
    private async Task<Dictionary<long, string>> ReadColorantsAsync(uint index, CancellationToken cancellationToken)
    {
        var root = PrinterMib.PrtMarkerColorantEntry.Append(PrinterMib.PrtMarkerColorantValue, index);
        var colorants = new Dictionary<long, string>();
        foreach (var cell in await _client.WalkAsync(root, _options.MaxTableRows, cancellationToken))
        {
            var suffix = cell.Oid.SuffixAfter(root);
            if (suffix.Length == 1 && cell.Value.AsText() is { Length: > 0 } value)
                colorants[suffix[0]] = value.Trim().ToLowerInvariant();
        }
        return colorants;
    }

    /// <summary>
    /// One prtMarkerSuppliesEntry's level as the protocol says it: a consumed supply's percent left; a receptacle's
    /// percent full (RFC 3805 gives the space that remains in it, so 0 remaining is 100 % full), as IPP printers report
    /// a waste toner box. Low/Empty follow: a consumed supply is low at 10 % or less and empty at 0; a receptacle is
    /// "low" when almost full (90 %) and "empty" when full, as the IPP collector reports it. A level in the printer's
    /// own units without a known capacity (-2) keeps the level (<see cref="SupplyLevel.CapacityUnknown"/>): 0 is still
    /// empty (or, for a receptacle, full), anything above is -3, "some remains".
    /// </summary>
    internal static SupplyLevel MarkerSupply(long? supplyClass, long? unit, long? level, long? maxCapacity)
    {
        var receptacle = supplyClass == PrinterMib.ReceptacleThatIsFilled;
        var unitName = PrinterMib.SupplyUnit(unit);
        var remaining = unitName == PrinterMib.PercentUnit && level is >= 0 && maxCapacity is not > 0
            ? (int)Math.Min(level.Value, 100)
            : Percent(level, maxCapacity);
        var percent = receptacle && remaining >= 0 ? 100 - remaining : remaining;
        var (low, empty) = receptacle
            ? (percent >= ReceptacleAlmostFullPercent, percent >= 100)
            : (percent is >= 0 and <= LowPercent, percent == 0);
        return new SupplyLevel
        {
            LevelPercent = percent,
            Low = low,
            Empty = empty,
            Level = level is { } l ? (int)Math.Clamp(l, int.MinValue, int.MaxValue) : -2,
            MaxCapacity = maxCapacity is { } m ? (int)Math.Clamp(m, int.MinValue, int.MaxValue) : -2,
            Unit = unitName,
        };
    }

    private async Task<IEnumerable<SupplyLevel>> ReadInputTraysAsync(uint index, CancellationToken cancellationToken)
    {
        var rows = await ReadTableAsync(PrinterMib.PrtInputEntry, index,
            [PrinterMib.PrtInputMaxCapacity, PrinterMib.PrtInputCurrentLevel, PrinterMib.PrtInputName], cancellationToken);
        return rows.Select(row =>
        {
            var percent = Percent(
                row.Value.GetValueOrDefault(PrinterMib.PrtInputCurrentLevel)?.AsInt64(),
                row.Value.GetValueOrDefault(PrinterMib.PrtInputMaxCapacity)?.AsInt64());
            return new SupplyLevel
            {
                Name = row.Value.GetValueOrDefault(PrinterMib.PrtInputName)?.AsText() is { Length: > 0 } name ? name : $"tray {row.Key}",
                Type = MediaSupplyType,
                LevelPercent = percent,
                Low = percent is > 0 and <= LowPercent,
                Empty = percent == 0,
            };
        });
    }

    /// <summary>
    /// Columns of one device's rows in a Printer-MIB table ({entry}.{column}.{hrDeviceIndex}.{rowIndex}), walked
    /// column by column and joined on the row index. Rows keep the order the agent lists them in.
    /// </summary>
    private async Task<IReadOnlyList<KeyValuePair<string, Dictionary<uint, SnmpValue>>>> ReadTableAsync(
        Oid entry, uint deviceIndex, uint[] columns, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, Dictionary<uint, SnmpValue>>();
        var order = new List<string>();
        foreach (var column in columns)
        {
            var root = entry.Append(column, deviceIndex);
            foreach (var cell in await _client.WalkAsync(root, _options.MaxTableRows, cancellationToken))
            {
                var rowIndex = string.Join('.', cell.Oid.SuffixAfter(root).ToArray());
                if (!rows.TryGetValue(rowIndex, out var row))
                {
                    rows[rowIndex] = row = [];
                    order.Add(rowIndex);
                }
                row[column] = cell.Value;
            }
        }
        return [.. order.Select(key => new KeyValuePair<string, Dictionary<uint, SnmpValue>>(key, rows[key]))];
    }

    /// <summary>
    /// Printer-MIB levels as percent: the level over the max capacity when both are known; otherwise the MIB's own
    /// markers, which match IPP marker-levels: -1 other (unavailable), -2 unknown, -3 some remaining.
    /// </summary>
    internal static int Percent(long? level, long? maxCapacity) => (level, maxCapacity) switch
    {
        (null, _) => -2,
        ( -1 or -2 or -3, _) => (int)level.Value,
        (>= 0, > 0) => (int)Math.Clamp(level.Value * 100 / maxCapacity.Value, 0, 100),
        // A level without a capacity to divide by: nothing left is still nothing; anything else is "some remains".
        (0, _) => 0,
        (> 0, _) => -3,
        _ => -2,
    };

    private static DeviceState StateOf(long? printerStatus, long? deviceStatus, List<ActiveCondition> conditions)
    {
        // hrDeviceStatus down(5) or any Error condition means the printer cannot print, whatever hrPrinterStatus says.
        if (deviceStatus == 5 || conditions.Any(c => c.Severity == Severity.Error))
            return DeviceState.Stopped;
        return printerStatus switch
        {
            3 => DeviceState.Idle,
            4 or 5 => DeviceState.Processing,
            _ => DeviceState.Unknown,
        };
    }

    private static string PrinterStatusName(long? value) => value switch
    {
        1 => "other",
        2 => "unknown",
        3 => "idle",
        4 => "printing",
        5 => "warmup",
        null => "missing",
        _ => value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string DeviceStatusName(long? value) => value switch
    {
        1 => "unknown",
        2 => "running",
        3 => "warning",
        4 => "testing",
        5 => "down",
        null => "missing",
        _ => value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Keeps each condition's first-seen time across reads, as SNMP does not say when it started.</summary>
    private void StampSince(List<ActiveCondition> conditions)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var stale in _raisedAt.Keys.Except(conditions.Select(c => c.Code)).ToList())
            _raisedAt.Remove(stale);
        foreach (var condition in conditions)
        {
            if (!_raisedAt.TryGetValue(condition.Code, out var since))
                _raisedAt[condition.Code] = since = now;
            condition.SinceUnixMs = since;
        }
    }

    private static partial class Log
    {
        // The telemetry pump (or the composite) logs the failures a person reads; these are the collector's details.
        [LoggerMessage(AgentLogEvents.SnmpAgentUnreachable, LogLevel.Debug, "SNMP agent {Agent} cannot be read ({Failures} in a row): {Reason}")]
        public static partial void Unreachable(ILogger logger, string agent, int failures, string reason);

        [LoggerMessage(AgentLogEvents.SnmpAgentReachableAgain, LogLevel.Debug, "SNMP agent {Agent} answers again after {Failures} failed reads")]
        public static partial void ReachableAgain(ILogger logger, string agent, int failures);

        [LoggerMessage(AgentLogEvents.SnmpBackingOff, LogLevel.Debug, "SNMP agent {Agent} failed {Failures} reads in a row; pausing {PauseSeconds} s")]
        public static partial void BackingOff(ILogger logger, string agent, int failures, double pauseSeconds);

        [LoggerMessage(AgentLogEvents.SnmpRecoveryProbed, LogLevel.Debug, "SNMP agent {Agent} answers the recovery probe again; backoff ended")]
        public static partial void RecoveryProbed(ILogger logger, string agent);
    }
}
