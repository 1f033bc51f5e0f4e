using Diagnostics.Agent.Collectors.Board.Sht3x;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;
using Sht3xDevice = Diagnostics.Agent.Collectors.Board.Sht3x.Sht3x;

namespace Diagnostics.Agent.Collectors.Board;

/// <summary>
/// The environment around the device from an SHT3x: over/under temperature and high/low humidity as conditions
/// (with hysteresis, so a value hovering at a threshold raises once), SENSOR_FAULT after several failed reads in a
/// row, and the readings themselves as heartbeat metrics (<see cref="IMetricSource"/>).
/// </summary>
public sealed partial class EnvironmentSensorCollector : IDeviceCollector, IMetricSource, IDisposable
{
    public const string OverTemperatureCode = "env:over-temperature";
    public const string UnderTemperatureCode = "env:under-temperature";
    public const string HumidityHighCode = "env:humidity-high";
    public const string HumidityLowCode = "env:humidity-low";
    public const string SensorFaultCode = "env:sensor-fault";

    /// <summary>Failed reads since start (no answer or bad checksum), whether or not they became a fault.</summary>
    public const string ReadFailuresCounter = "sht3x-read-failures";

    public const string TemperatureMetric = "ambient-temperature";
    public const string HumidityMetric = "ambient-relative-humidity";

    private readonly Sht3xDevice _sensor;
    private readonly Sht3xOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Threshold[] _thresholds;
    private readonly ActiveSince _activeSince = new();
    private readonly Lock _lock = new();
    private Sht3xReading? _lastReading;
    private int _consecutiveFailures;
    private long _readFailures;
    private bool _faulted;
    private readonly bool _shouldDispose;

    /// <param name="sensor">The sensor; this collector sets its repeatability from the options.</param>
    /// <param name="shouldDispose">True when the collector owns the sensor (the agent host creates it for the collector).</param>
    public EnvironmentSensorCollector(Sht3xDevice sensor, Sht3xOptions options, TimeProvider time, ILogger<EnvironmentSensorCollector> logger, bool shouldDispose = false)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _sensor = sensor;
        _shouldDispose = shouldDispose;
        _options = options;
        _time = time;
        _logger = logger;
        sensor.Repeatability = options.Repeatability;
        _thresholds =
        [
            new(OverTemperatureCode, Conditions.OverTemperature, $"Temperature is above {options.OverTemperatureCelsius} °C.",
                r => r.TemperatureCelsius, options.OverTemperatureCelsius, options.TemperatureHysteresisCelsius, Above: true),
            new(UnderTemperatureCode, Conditions.UnderTemperature, $"Temperature is below {options.UnderTemperatureCelsius} °C.",
                r => r.TemperatureCelsius, options.UnderTemperatureCelsius, options.TemperatureHysteresisCelsius, Above: false),
            new(HumidityHighCode, Conditions.HumidityHigh, $"Relative humidity is above {options.HumidityHighPercent} %.",
                r => r.RelativeHumidityPercent, options.HumidityHighPercent, options.HumidityHysteresisPercent, Above: true),
            new(HumidityLowCode, Conditions.HumidityLow, $"Relative humidity is below {options.HumidityLowPercent} %.",
                r => r.RelativeHumidityPercent, options.HumidityLowPercent, options.HumidityHysteresisPercent, Above: false),
        ];
    }

    public string Name => "sht3x";

    /// <summary>Reads synchronously: a measurement blocks for at most 15 ms, less than scheduling a thread would cost.</summary>
    public ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Sht3xReading reading;
        try
        {
            reading = _sensor.ReadMeasurement();
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            lock (_lock)
            {
                Failed(ex);
                return ValueTask.FromResult(Snapshot(_time.GetUtcNow().ToUnixTimeMilliseconds()));
            }
        }
        lock (_lock)
        {
            Succeeded(reading);
            return ValueTask.FromResult(Snapshot(_time.GetUtcNow().ToUnixTimeMilliseconds()));
        }
    }

    public IReadOnlyList<Metric> CurrentMetrics()
    {
        lock (_lock)
        {
            if (_lastReading is not { } reading)
                return [];
            return
            [
                new Metric { Name = TemperatureMetric, Value = Math.Round(reading.TemperatureCelsius, 2), Unit = "celsius" },
                new Metric { Name = HumidityMetric, Value = Math.Round(reading.RelativeHumidityPercent, 2), Unit = "percent" },
            ];
        }
    }

    private void Succeeded(Sht3xReading reading)
    {
        if (_faulted)
            Log.Recovered(_logger, _consecutiveFailures);
        _faulted = false;
        _consecutiveFailures = 0;
        _lastReading = reading;
        foreach (var threshold in _thresholds)
        {
            if (threshold.Update(reading))
                Log.ThresholdCrossed(_logger, threshold.Code, threshold.Active, threshold.Value(reading));
        }
    }

    private void Failed(Exception failure)
    {
        _consecutiveFailures++;
        _readFailures++;
        Log.ReadFailed(_logger, failure, _consecutiveFailures, failure.Message);
        if (_faulted || _consecutiveFailures < _options.FailedReadsBeforeFault)
            return; // a glitch: keep the last reading and its conditions rather than flap
        _faulted = true;
        Log.Fault(_logger, _consecutiveFailures, _options.BusId, $"0x{_options.Address:X2}");
        // Without readings the thresholds say nothing: drop them rather than report stale conditions.
        _lastReading = null;
        foreach (var threshold in _thresholds)
            threshold.Reset();
    }

    private DeviceStatus Snapshot(long nowUnixMs)
    {
        var conditions = new List<ActiveCondition>();
        void Add(bool active, string code, string condition, Severity severity, string message) =>
            _activeSince.Report(conditions, active, code, condition, severity, message, nowUnixMs);

        foreach (var threshold in _thresholds)
            Add(threshold.Active, threshold.Code, threshold.Condition, Severity.Warning, threshold.Message);
        Add(_faulted, SensorFaultCode, Conditions.SensorFault, Severity.Warning,
            $"The SHT3x temperature and humidity sensor (I2C bus {_options.BusId}, address 0x{_options.Address:X2}) failed {_options.FailedReadsBeforeFault} reads in a row.");

        // Messages stay fixed while nothing changes: the pump sends a status whenever the message differs.
        var firstError = conditions.Find(c => c.Severity == Severity.Error);
        return new DeviceStatus
        {
            State = firstError is null ? DeviceState.Idle : DeviceState.Stopped,
            StateMessage = firstError?.Message ?? (_faulted ? "Environment sensor not answering." : "Ready."),
            Conditions = conditions,
            Counters = [new Counter { Name = ReadFailuresCounter, Value = _readFailures }],
        };
    }

    /// <summary>A limit with hysteresis: raised at the limit, cleared only once the value is back past limit ∓ hysteresis.</summary>
    private sealed record Threshold(string Code, string Condition, string Message, Func<Sht3xReading, double> Value, double Limit, double Hysteresis, bool Above)
    {
        public bool Active { get; private set; }

        /// <summary>True when the condition was raised or cleared.</summary>
        public bool Update(Sht3xReading reading)
        {
            var value = Value(reading);
            var next = Above
                ? Active ? value > Limit - Hysteresis : value >= Limit
                : Active ? value < Limit + Hysteresis : value <= Limit;
            var changed = next != Active;
            Active = next;
            return changed;
        }

        public void Reset() => Active = false;
    }

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.EnvironmentSensorReadFailed, LogLevel.Warning, "SHT3x read failed ({ConsecutiveFailures} in a row): {Reason}")]
        public static partial void ReadFailed(ILogger logger, Exception exception, int consecutiveFailures, string reason);

        [LoggerMessage(AgentLogEvents.EnvironmentSensorFault, LogLevel.Error, "SHT3x on I2C bus {BusId} address {Address} failed {ConsecutiveFailures} reads in a row: raising SENSOR_FAULT")]
        public static partial void Fault(ILogger logger, int consecutiveFailures, int busId, string address);

        [LoggerMessage(AgentLogEvents.EnvironmentSensorRecovered, LogLevel.Information, "SHT3x answers again after {ConsecutiveFailures} failed reads")]
        public static partial void Recovered(ILogger logger, int consecutiveFailures);

        [LoggerMessage(AgentLogEvents.EnvironmentThresholdCrossed, LogLevel.Information, "Environment condition {Code} is now active: {Active} (value {Value:0.##})")]
        public static partial void ThresholdCrossed(ILogger logger, string code, bool active, double value);
    }

    public void Dispose()
    {
        if (_shouldDispose)
            _sensor.Dispose();
    }
}
