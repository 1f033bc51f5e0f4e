using Diagnostics.Agent.Collectors.Board;
using Diagnostics.Agent.Collectors.Board.Sht3x;
using Diagnostics.Agent.Telemetry;
using Diagnostics.Agent.Uplink;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Collectors.Board;

/// <summary>The environment collector under the real telemetry pump: readings as heartbeat metrics, no status churn.</summary>
public sealed class BoardCollectorsThroughThePumpTests : IDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
    private readonly FakeSht3xDevice _device = new() { TemperatureCelsius = 22, RelativeHumidityPercent = 45 };
    private readonly Sht3x _sensor;
    private readonly Outbox _outbox;
    private readonly TelemetryPump _pump;

    public BoardCollectorsThroughThePumpTests()
    {
        _sensor = new Sht3x(_device, wait: _ => { });
        var collector = new EnvironmentSensorCollector(_sensor, new Sht3xOptions(), _time, NullLogger<EnvironmentSensorCollector>.Instance);
        _outbox = Outbox.Open(_directory.Path, new OutboxOptions(), _time);
        // Undebounced: these tests follow each poll; debouncing has its own tests.
        var options = new AgentOptions { DeviceId = "dev-1", HeartbeatInterval = TimeSpan.FromSeconds(30), ConditionDebounceInterval = TimeSpan.Zero };
        _pump = new TelemetryPump(collector, _outbox, new UplinkEnvelopes("dev-1", _time), options, _time, NullLogger<TelemetryPump>.Instance,
            extraMetrics: collector.CurrentMetrics);
    }

    public void Dispose()
    {
        _outbox.Dispose();
        _sensor.Dispose();
        _directory.Dispose();
    }

    private Task<IReadOnlyList<Envelope>> PollAfter(TimeSpan wait)
    {
        _time.Advance(wait);
        return _pump.PollOnceAsync(TestContext.Current.CancellationToken).AsTask();
    }

    [Fact]
    public async Task Readings_travel_as_heartbeat_metrics_and_changing_readings_alone_send_nothing()
    {
        var first = await PollAfter(TimeSpan.Zero);
        var metrics = first.Single(e => e.Kind == UplinkKind.Heartbeat).Heartbeat!.Metrics.ToDictionary(m => m.Name);
        Assert.Equal(22, metrics[EnvironmentSensorCollector.TemperatureMetric].Value, 1);
        Assert.Equal(45, metrics[EnvironmentSensorCollector.HumidityMetric].Value, 1);

        for (var poll = 0; poll < 5; poll++)
        {
            _device.TemperatureCelsius = 22 + poll * 0.1;
            Assert.Empty(await PollAfter(TimeSpan.FromSeconds(1)));
        }
    }

    [Fact]
    public async Task Over_temperature_hovering_at_the_threshold_sends_one_raised_event_and_one_cleared_event()
    {
        await PollAfter(TimeSpan.Zero);
        var events = new List<DeviceEvent>();

        foreach (var celsius in new[] { 35.2, 34.6, 35.1, 34.3, 33.8, 34.5 })
        {
            _device.TemperatureCelsius = celsius;
            events.AddRange((await PollAfter(TimeSpan.FromSeconds(1))).Where(e => e.Kind == UplinkKind.Event).Select(e => e.Event!));
        }

        Assert.Equal(
            [(EventKind.Raised, EnvironmentSensorCollector.OverTemperatureCode), (EventKind.Cleared, EnvironmentSensorCollector.OverTemperatureCode)],
            events.Select(e => (e.Kind, e.Code)));
        Assert.Equal(Conditions.OverTemperature, events[0].Condition);
    }
}
