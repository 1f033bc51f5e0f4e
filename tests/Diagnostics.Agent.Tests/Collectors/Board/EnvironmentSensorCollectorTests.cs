using Diagnostics.Agent.Collectors.Board;
using Diagnostics.Agent.Collectors.Board.Sht3x;
using Diagnostics.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Collectors.Board;

public sealed class EnvironmentSensorCollectorTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeSht3xDevice _device = new() { TemperatureCelsius = 22, RelativeHumidityPercent = 45 };
    private readonly Sht3x _sensor;
    private readonly Sht3xOptions _options = new()
    {
        OverTemperatureCelsius = 35, UnderTemperatureCelsius = 10, TemperatureHysteresisCelsius = 1,
        HumidityHighPercent = 80, HumidityLowPercent = 15, HumidityHysteresisPercent = 3, FailedReadsBeforeFault = 3,
    };

    public EnvironmentSensorCollectorTests() => _sensor = new Sht3x(_device, wait: _ => { });

    public void Dispose() => _sensor.Dispose();

    private EnvironmentSensorCollector Collector() => new(_sensor, _options, _time, NullLogger<EnvironmentSensorCollector>.Instance);

    private static async Task<DeviceStatus> Read(EnvironmentSensorCollector collector) =>
        await collector.ReadAsync(TestContext.Current.CancellationToken);

    private static IEnumerable<string> Codes(DeviceStatus status) => status.Conditions.Select(c => c.Code);

    [Fact]
    public async Task Normal_environment_raises_nothing_and_reports_the_readings_as_metrics()
    {
        var collector = Collector();

        var status = await Read(collector);

        Assert.Empty(status.Conditions);
        Assert.Equal(DeviceState.Idle, status.State);
        var metrics = collector.CurrentMetrics().ToDictionary(m => m.Name);
        Assert.Equal(22, metrics[EnvironmentSensorCollector.TemperatureMetric].Value, 1);
        Assert.Equal("celsius", metrics[EnvironmentSensorCollector.TemperatureMetric].Unit);
        Assert.Equal(45, metrics[EnvironmentSensorCollector.HumidityMetric].Value, 1);
    }

    [Fact]
    public async Task Over_temperature_is_raised_once_at_the_threshold_and_cleared_only_below_the_hysteresis()
    {
        var collector = Collector();
        var active = new List<bool>();
        var raisedSince = new HashSet<long>();

        // Hovers around 35 °C: without hysteresis this would raise and clear again and again.
        // (Values stay a little off the limits: the sensor's 16-bit steps are 0.0027 °C.)
        foreach (var celsius in new[] { 34.9, 35.1, 34.5, 35.2, 34.1, 33.9, 34.9 })
        {
            _device.TemperatureCelsius = celsius;
            _time.Advance(TimeSpan.FromSeconds(5));
            var over = (await Read(collector)).Conditions.SingleOrDefault(c => c.Code == EnvironmentSensorCollector.OverTemperatureCode);
            active.Add(over is not null);
            if (over is not null)
                raisedSince.Add(over.SinceUnixMs);
        }

        Assert.Equal([false, true, true, true, true, false, false], active);
        Assert.Single(raisedSince);
    }

    [Fact]
    public async Task Under_temperature_is_raised_at_the_threshold_and_cleared_above_threshold_plus_hysteresis()
    {
        var collector = Collector();

        _device.TemperatureCelsius = 9.9;
        var raised = await Read(collector);
        _device.TemperatureCelsius = 10.9;
        var hovering = await Read(collector);
        _device.TemperatureCelsius = 11.1;
        var cleared = await Read(collector);

        Assert.Equal(Conditions.UnderTemperature, Assert.Single(raised.Conditions).Condition);
        Assert.Equal([EnvironmentSensorCollector.UnderTemperatureCode], Codes(hovering));
        Assert.Empty(cleared.Conditions);
    }

    [Fact]
    public async Task Humidity_high_and_low_follow_their_thresholds_with_hysteresis()
    {
        var collector = Collector();

        _device.RelativeHumidityPercent = 81;
        Assert.Equal([EnvironmentSensorCollector.HumidityHighCode], Codes(await Read(collector)));
        _device.RelativeHumidityPercent = 78;
        Assert.Equal([EnvironmentSensorCollector.HumidityHighCode], Codes(await Read(collector)));
        _device.RelativeHumidityPercent = 76.9;
        Assert.Empty(Codes(await Read(collector)));
        _device.RelativeHumidityPercent = 14;
        var dry = Assert.Single((await Read(collector)).Conditions);
        Assert.Equal(Conditions.HumidityLow, dry.Condition);
        Assert.Equal(Severity.Warning, dry.Severity);
    }

    [Fact]
    public async Task Bad_checksums_raise_SENSOR_FAULT_only_after_the_configured_number_in_a_row()
    {
        var collector = Collector();
        _device.TemperatureCelsius = 36; // over temperature, kept through glitches
        await Read(collector);

        _device.CorruptNextMeasurements = 3;
        var firstGlitch = await Read(collector);
        var secondGlitch = await Read(collector);
        var third = await Read(collector);

        Assert.Equal([EnvironmentSensorCollector.OverTemperatureCode], Codes(firstGlitch));
        Assert.Equal([EnvironmentSensorCollector.OverTemperatureCode], Codes(secondGlitch));
        var fault = Assert.Single(third.Conditions);
        Assert.Equal(EnvironmentSensorCollector.SensorFaultCode, fault.Code);
        Assert.Equal(Conditions.SensorFault, fault.Condition);
        Assert.Equal(3, Assert.Single(third.Counters, c => c.Name == EnvironmentSensorCollector.ReadFailuresCounter).Value);
        Assert.Empty(collector.CurrentMetrics());
    }

    [Fact]
    public async Task A_single_good_read_resets_the_failure_count()
    {
        var collector = Collector();

        _device.CorruptNextMeasurements = 2;
        await Read(collector);
        await Read(collector);
        await Read(collector); // good
        _device.CorruptNextMeasurements = 2;
        await Read(collector);

        Assert.Empty((await Read(collector)).Conditions);
    }

    [Fact]
    public async Task A_missing_sensor_raises_SENSOR_FAULT_and_clears_it_when_the_sensor_answers_again()
    {
        var collector = Collector();
        _device.Missing = true;

        DeviceStatus status = null!;
        for (var read = 0; read < _options.FailedReadsBeforeFault; read++)
            status = await Read(collector);

        var fault = Assert.Single(status.Conditions);
        Assert.Equal(EnvironmentSensorCollector.SensorFaultCode, fault.Code);
        Assert.Contains("address 0x44", fault.Message, StringComparison.Ordinal);
        Assert.Equal(DeviceState.Idle, status.State);
        // Repeated failed reads keep the same snapshot, so the pump does not resend it every poll.
        var again = await Read(collector);
        Assert.Equal(status.StateMessage, again.StateMessage);
        Assert.Equal(fault.Message, Assert.Single(again.Conditions).Message);

        _device.Missing = false;
        Assert.Empty((await Read(collector)).Conditions);
        Assert.NotEmpty(collector.CurrentMetrics());
    }

    [Fact]
    public async Task Uses_the_configured_repeatability()
    {
        _options.Repeatability = Sht3xRepeatability.Low;
        var collector = Collector();

        await Read(collector);

        Assert.Equal((ushort)Sht3xCommand.MeasureSingleShotLowRepeatability, Assert.Single(_device.Commands));
    }

    [Fact]
    public void Options_bind_from_the_proposed_configuration_keys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sht3x:BusId"] = "1",
            ["Sht3x:Address"] = "0x45",
            ["Sht3x:Repeatability"] = "Medium",
            ["Sht3x:OverTemperatureCelsius"] = "32.5",
            ["Gpio:Inputs:0:Name"] = "cover-switch",
            ["Gpio:Inputs:0:Pin"] = "17",
            ["Gpio:Inputs:0:Pull"] = "Up",
            ["Gpio:Inputs:0:ActiveLow"] = "true",
            ["Gpio:Inputs:0:Condition"] = "COVER_OPEN",
            ["Gpio:Inputs:0:Severity"] = "Error",
            ["Gpio:Inputs:0:Debounce"] = "00:00:00.020",
        }).Build();

        var sht3x = configuration.GetSection(Sht3xOptions.Section).Get<Sht3xOptions>()!;
        var gpio = configuration.GetSection(GpioInputsOptions.Section).Get<GpioInputsOptions>()!;

        Assert.Equal(0x45, sht3x.Address);
        Assert.Equal(Sht3xRepeatability.Medium, sht3x.Repeatability);
        Assert.Equal(32.5, sht3x.OverTemperatureCelsius);
        Assert.Empty(sht3x.Validate());
        var cover = Assert.Single(gpio.Inputs);
        Assert.Equal((17, GpioPull.Up, true, Severity.Error, TimeSpan.FromMilliseconds(20)), (cover.Pin, cover.Pull, cover.ActiveLow, cover.Severity, cover.Debounce));
        Assert.Empty(gpio.Validate());
    }

    [Fact]
    public void Options_reject_an_unknown_address_crossed_thresholds_and_no_fault_tolerance()
    {
        var options = new Sht3xOptions { Address = 0x40, OverTemperatureCelsius = 5, UnderTemperatureCelsius = 10, HumidityHysteresisPercent = -1, FailedReadsBeforeFault = 0 };

        var errors = string.Join('\n', options.Validate());

        Assert.Contains("Address", errors, StringComparison.Ordinal);
        Assert.Contains("UnderTemperatureCelsius < OverTemperatureCelsius", errors, StringComparison.Ordinal);
        Assert.Contains("HumidityHysteresisPercent", errors, StringComparison.Ordinal);
        Assert.Contains("FailedReadsBeforeFault", errors, StringComparison.Ordinal);
        Assert.Empty(new Sht3xOptions().Validate());
    }
}
