using System.Device.Gpio;
using Diagnostics.Agent.Collectors.Board;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.Agent.Tests.Collectors.Board;

public sealed class GpioInputsCollectorTests : IDisposable
{
    private const int CoverPin = 17;
    private const int FaultPin = 27;
    private const int PaperPin = 22;
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(50);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeGpioDriver _driver = new();
    private readonly GpioController _controller;

    public GpioInputsCollectorTests()
    {
        _controller = new GpioController(_driver);
        // Cover closed presses its switch to ground; the fault line idles high through the pull-up.
        _driver.Drive(CoverPin, PinValue.Low);
    }

    public void Dispose() => _controller.Dispose();

    private static GpioInputOptions Cover => new()
    {
        Name = "cover-switch", Pin = CoverPin, Pull = GpioPull.Up, Condition = Conditions.CoverOpen,
        Severity = Severity.Warning, Message = "The top cover is open.", Debounce = Debounce,
    };

    private static GpioInputOptions FaultLine => new()
    {
        Name = "fault-line", Pin = FaultPin, Pull = GpioPull.Up, ActiveLow = true, Condition = Conditions.HardwareFault,
        Severity = Severity.Error, Message = "The power supply reports a fault.", Debounce = Debounce,
    };

    private GpioInputsCollector Collector(params GpioInputOptions[] inputs) =>
        new(_controller, new GpioInputsOptions { Inputs = [.. inputs] }, _time, NullLogger<GpioInputsCollector>.Instance);

    private static async Task<DeviceStatus> Read(GpioInputsCollector collector) =>
        await collector.ReadAsync(TestContext.Current.CancellationToken);

    [Fact]
    public async Task Opens_each_input_with_its_pull_mode_and_listens_for_both_edges()
    {
        var pulledDown = FaultLine;
        pulledDown.Pull = GpioPull.Down;
        using var collector = Collector(Cover, pulledDown);

        await Read(collector);

        Assert.Equal(PinMode.InputPullUp, _driver.ModeOf(CoverPin));
        Assert.Equal(PinMode.InputPullDown, _driver.ModeOf(FaultPin));
        Assert.Equal(1, _driver.CallbackCount(CoverPin));
    }

    [Fact]
    public async Task Active_input_raises_its_condition_once_stable_for_the_debounce_and_clears_when_inactive()
    {
        using var collector = Collector(Cover);
        Assert.Empty((await Read(collector)).Conditions);

        _driver.Release(CoverPin); // cover opens: the switch lets go and the pull-up reads high
        Assert.Empty((await Read(collector)).Conditions);
        _time.Advance(Debounce);
        var open = await Read(collector);

        var condition = Assert.Single(open.Conditions);
        Assert.Equal("gpio:cover-switch", condition.Code);
        Assert.Equal(Conditions.CoverOpen, condition.Condition);
        Assert.Equal(Severity.Warning, condition.Severity);
        Assert.Equal("The top cover is open.", condition.Message);
        Assert.Equal((_time.GetUtcNow() - Debounce).ToUnixTimeMilliseconds(), condition.SinceUnixMs);
        Assert.Equal(DeviceState.Idle, open.State);

        _driver.Drive(CoverPin, PinValue.Low);
        _time.Advance(Debounce);
        Assert.Empty((await Read(collector)).Conditions);
    }

    [Fact]
    public async Task Bouncing_edges_shorter_than_the_debounce_raise_nothing()
    {
        using var collector = Collector(Cover);
        await Read(collector);

        for (var bounce = 0; bounce < 6; bounce++)
        {
            _driver.Release(CoverPin);
            _time.Advance(TimeSpan.FromMilliseconds(3));
            Assert.Empty((await Read(collector)).Conditions);
            _driver.Drive(CoverPin, PinValue.Low);
            _time.Advance(TimeSpan.FromMilliseconds(4));
            Assert.Empty((await Read(collector)).Conditions);
        }
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty((await Read(collector)).Conditions);
        Assert.Equal(12, _driver.CallbacksFired);
    }

    [Fact]
    public async Task Debounce_counts_from_the_last_edge_delivered_by_the_interrupt_not_from_the_poll()
    {
        using var collector = Collector(Cover);
        await Read(collector);

        _driver.Release(CoverPin);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        _driver.Drive(CoverPin, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        _driver.Release(CoverPin); // the last bounce: from here the level holds
        _time.Advance(Debounce - TimeSpan.FromMilliseconds(1));
        Assert.Empty((await Read(collector)).Conditions);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Single((await Read(collector)).Conditions);
    }

    [Fact]
    public async Task Active_low_input_is_active_at_low_level_and_an_error_stops_the_device()
    {
        using var collector = Collector(FaultLine);
        _time.Advance(Debounce);
        Assert.Empty((await Read(collector)).Conditions); // idles high through the pull-up

        _driver.Drive(FaultPin, PinValue.Low);
        _time.Advance(Debounce);
        var status = await Read(collector);

        var condition = Assert.Single(status.Conditions);
        Assert.Equal("gpio:fault-line", condition.Code);
        Assert.Equal(Conditions.HardwareFault, condition.Condition);
        Assert.Equal(DeviceState.Stopped, status.State);
        Assert.Equal("The power supply reports a fault.", status.StateMessage);
    }

    [Fact]
    public async Task A_missed_edge_cannot_stick_because_every_read_samples_the_pins()
    {
        using var collector = Collector(Cover);
        _driver.Release(CoverPin);
        await Read(collector);
        _time.Advance(Debounce);
        Assert.Single((await Read(collector)).Conditions);

        _driver.DriveWithoutInterrupt(CoverPin, PinValue.Low);
        await Read(collector);
        _time.Advance(Debounce);

        Assert.Empty((await Read(collector)).Conditions);
        Assert.Equal(0, _driver.CallbacksFired);
    }

    [Fact]
    public async Task Several_inputs_report_independently()
    {
        var paper = new GpioInputOptions { Name = "paper-sensor", Pin = PaperPin, Pull = GpioPull.Down, Condition = Conditions.OutOfPaper, Severity = Severity.Error, Debounce = TimeSpan.Zero };
        using var collector = Collector(Cover, FaultLine, paper);

        _driver.Drive(PaperPin, PinValue.High);
        var status = await Read(collector);

        var condition = Assert.Single(status.Conditions);
        Assert.Equal("gpio:paper-sensor", condition.Code);
        Assert.Equal("paper-sensor is active.", condition.Message);
    }

    [Fact]
    public async Task Dispose_closes_the_pins_it_opened_and_leaves_the_controller_it_was_given()
    {
        var collector = Collector(Cover);
        await Read(collector);

        collector.Dispose();

        Assert.False(_driver.IsOpen(CoverPin));
        Assert.Equal(0, _driver.CallbackCount(CoverPin));
        Assert.False(_driver.Disposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Read(collector));
    }

    [Fact]
    public void Options_reject_duplicate_pins_and_names_and_bad_values()
    {
        var options = new GpioInputsOptions
        {
            Inputs =
            [
                Cover,
                new GpioInputOptions { Name = "cover-switch", Pin = CoverPin, Condition = "cover open", Severity = Severity.Unspecified, Debounce = TimeSpan.FromMinutes(1) },
                new GpioInputOptions { Name = "Bad Name", Pin = -1 },
            ],
        };

        var errors = options.Validate().ToList();

        Assert.Contains(errors, e => e.Contains("'cover-switch' is used more than once", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains($"GPIO {CoverPin} is used more than once", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Inputs:1:Condition", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Inputs:1:Severity", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Inputs:1:Debounce", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Inputs:2:Name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Inputs:2:Pin", StringComparison.Ordinal));
        Assert.Empty(new GpioInputsOptions { Inputs = [Cover, FaultLine] }.Validate());
    }
}
