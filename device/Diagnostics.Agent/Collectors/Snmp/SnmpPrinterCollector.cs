using Diagnostics.Agent.Collectors.Snmp.Ber;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Collectors.Snmp;

/// <summary>
/// Reads a network printer over SNMPv2c: model, state, hrPrinterDetectedErrorState bits and prtAlertTable rows as
/// conditions, marker supplies and input trays as supply levels, and the lifetime page count. When the printer does
/// not answer, <see cref="ReadAsync"/> throws (the telemetry pump turns that into DEVICE_UNREACHABLE); after
/// repeated failures it stops asking for a while and throws at once, so a dead printer does not cost a full
/// timeout on every poll.
/// </summary>
public sealed partial class SnmpPrinterCollector : IDeviceCollector, IDisposable
{
    public const string PagesPrintedCounter = "pages-printed";
    public const string MediaSupplyType = "media";

    private const int LowPercent = 10;
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(15);

    private readonly SnmpClient _client;
    private readonly bool _ownsClient;
    private readonly SnmpCollectorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, long> _raisedAt = [];
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

    public async ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var status = await GuardedAsync(ReadStatusAsync, cancellationToken);
        LastStatus = status;
        return status;
    }

    /// <summary>
    /// Only the counters (today: lifetime pages, from prtMarkerLifeCount), for merging into a status read over IPP,
    /// where printer-impressions-completed is often missing. Two round trips. Throws like <see cref="ReadAsync"/>.
    /// </summary>
    public async ValueTask<IReadOnlyList<Counter>> ReadCountersAsync(CancellationToken cancellationToken) =>
        await GuardedAsync(async ct => await ReadCountersAsync(await FindPrinterIndexAsync(ct), ct), cancellationToken);

    public void Dispose()
    {
        if (_ownsClient)
            _client.Dispose();
    }

    private async Task<T> GuardedAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_backingOffUntil is { } until && now < until)
            throw new SnmpException($"SNMP agent {_client.Agent} failed {_consecutiveFailures} reads in a row; not asking again before {until:u}.");
        try
        {
            var result = await read(cancellationToken);
            if (_consecutiveFailures >= _options.FailuresBeforeBackoff)
                Log.ReachableAgain(_logger, _client.Agent.ToString() ?? "", _consecutiveFailures);
            _consecutiveFailures = 0;
            _backoff = InitialBackoff;
            _backingOffUntil = null;
            return result;
        }
        catch (Exception ex) when (ex is TimeoutException or SnmpException or System.Net.Sockets.SocketException)
        {
            _consecutiveFailures++;
            if (_consecutiveFailures == 1)
                Log.Unreachable(_logger, _client.Agent.ToString() ?? "", ex.Message);
            if (_consecutiveFailures >= _options.FailuresBeforeBackoff && _options.MaxBackoff > TimeSpan.Zero)
            {
                var pause = _backoff < _options.MaxBackoff ? _backoff : _options.MaxBackoff;
                _backingOffUntil = _time.GetUtcNow() + pause;
                _backoff = pause * 2;
                Log.BackingOff(_logger, _client.Agent.ToString() ?? "", _consecutiveFailures, pause.TotalSeconds);
            }
            throw;
        }
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
            conditions.Add(new ActiveCondition { Code = bit.Code, Condition = bit.Condition, Severity = bit.Severity, Message = bit.Name });
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
            .Where(row => row.Value.TryGetValue(PrinterMib.PrtAlertCode, out var code) && code.AsInt64() is not null)
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
            [PrinterMib.PrtMarkerSuppliesClass, PrinterMib.PrtMarkerSuppliesType, PrinterMib.PrtMarkerSuppliesDescription,
                PrinterMib.PrtMarkerSuppliesMaxCapacity, PrinterMib.PrtMarkerSuppliesLevel], cancellationToken);
        return rows.Select(row =>
        {
            var filled = row.Value.GetValueOrDefault(PrinterMib.PrtMarkerSuppliesClass)?.AsInt64() == PrinterMib.SupplyThatIsFilled;
            var percent = Percent(
                row.Value.GetValueOrDefault(PrinterMib.PrtMarkerSuppliesLevel)?.AsInt64(),
                row.Value.GetValueOrDefault(PrinterMib.PrtMarkerSuppliesMaxCapacity)?.AsInt64());
            return new SupplyLevel
            {
                Name = row.Value.GetValueOrDefault(PrinterMib.PrtMarkerSuppliesDescription)?.AsText() is { Length: > 0 } name ? name : $"supply {row.Key}",
                Type = PrinterMib.SupplyType(row.Value.GetValueOrDefault(PrinterMib.PrtMarkerSuppliesType)?.AsInt64()),
                LevelPercent = percent,
                // A filled supply (waste toner) is a problem when full, not when its level is low.
                Low = !filled && percent is > 0 and <= LowPercent,
                Empty = !filled && percent == 0,
            };
        });
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
        [LoggerMessage(AgentLogEvents.SnmpAgentUnreachable, LogLevel.Warning, "SNMP agent {Agent} cannot be read: {Reason}")]
        public static partial void Unreachable(ILogger logger, string agent, string reason);

        [LoggerMessage(AgentLogEvents.SnmpAgentReachableAgain, LogLevel.Information, "SNMP agent {Agent} answers again after {Failures} failed reads")]
        public static partial void ReachableAgain(ILogger logger, string agent, int failures);

        [LoggerMessage(AgentLogEvents.SnmpBackingOff, LogLevel.Warning, "SNMP agent {Agent} failed {Failures} reads in a row; pausing {PauseSeconds} s")]
        public static partial void BackingOff(ILogger logger, string agent, int failures, double pauseSeconds);
    }
}
