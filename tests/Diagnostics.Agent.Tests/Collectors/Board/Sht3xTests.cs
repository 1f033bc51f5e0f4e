using Diagnostics.Agent.Collectors.Board.Sht3x;

namespace Diagnostics.Agent.Tests.Collectors.Board;

public sealed class Sht3xTests
{
    private readonly List<TimeSpan> _waits = [];

    [Fact]
    public void Crc_of_the_datasheet_example_0xBEEF_is_0x92() =>
        Assert.Equal(0x92, Sht3xCrc.Compute([0xBE, 0xEF]));

    [Theory]
    [InlineData(0x0000, -45.0)]
    [InlineData(0x6666, 25.0)]
    [InlineData(0xFFFF, 130.0)]
    public void Converts_raw_temperature_as_the_datasheet_formula(int raw, double celsius) =>
        Assert.Equal(celsius, Sht3xReading.ToTemperatureCelsius((ushort)raw), 2);

    [Theory]
    [InlineData(0x0000, 0.0)]
    [InlineData(0x8000, 50.0)]
    [InlineData(0xFFFF, 100.0)]
    public void Converts_raw_humidity_as_the_datasheet_formula(int raw, double percent) =>
        Assert.Equal(percent, Sht3xReading.ToRelativeHumidityPercent((ushort)raw), 2);

    [Theory]
    [InlineData(Sht3xRepeatability.High, new byte[] { 0x24, 0x00 }, 15)]
    [InlineData(Sht3xRepeatability.Medium, new byte[] { 0x24, 0x0B }, 6)]
    [InlineData(Sht3xRepeatability.Low, new byte[] { 0x24, 0x16 }, 4)]
    public void Sends_the_datasheet_single_shot_command_without_clock_stretching_and_waits_its_maximum_duration(
        Sht3xRepeatability repeatability, byte[] commandBytes, int waitMilliseconds)
    {
        var device = new FakeSht3xDevice();
        using var sensor = new Sht3x(device, wait: _waits.Add) { Repeatability = repeatability };

        sensor.ReadMeasurement();

        Assert.Equal(commandBytes, Assert.Single(device.Writes));
        Assert.Equal(TimeSpan.FromMilliseconds(waitMilliseconds), Assert.Single(_waits));
    }

    [Fact]
    public void Reads_the_temperature_and_humidity_the_sensor_measured()
    {
        var device = new FakeSht3xDevice { TemperatureCelsius = 23.4, RelativeHumidityPercent = 55.5 };
        using var sensor = new Sht3x(device, wait: _waits.Add);

        Assert.True(sensor.TryReadMeasurement(out var reading));

        Assert.Equal(23.4, reading.TemperatureCelsius, 2);
        Assert.Equal(55.5, reading.RelativeHumidityPercent, 2);
    }

    [Fact]
    public void A_bad_checksum_fails_TryRead_and_makes_ReadMeasurement_throw_a_clear_exception()
    {
        var device = new FakeSht3xDevice { CorruptNextMeasurements = 2 };
        using var sensor = new Sht3x(device, wait: _waits.Add);

        Assert.False(sensor.TryReadMeasurement(out var reading));
        Assert.Equal(default, reading);
        var error = Assert.Throws<InvalidDataException>(() => sensor.ReadMeasurement());
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
        Assert.Contains("0x44", error.Message, StringComparison.Ordinal);
        Assert.True(sensor.TryReadMeasurement(out _));
    }

    [Fact]
    public void A_missing_sensor_fails_TryRead_and_makes_ReadMeasurement_throw_an_IOException_naming_bus_and_address()
    {
        var device = new FakeSht3xDevice(busId: 1, address: Sht3x.AlternativeI2cAddress) { Missing = true };
        using var sensor = new Sht3x(device, wait: _waits.Add);

        Assert.False(sensor.TryReadMeasurement(out _));
        var error = Assert.Throws<IOException>(() => sensor.ReadMeasurement());
        Assert.Contains("I2C bus 1 address 0x45", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_the_status_register_and_switches_the_heater_with_the_datasheet_commands()
    {
        var device = new FakeSht3xDevice();
        using var sensor = new Sht3x(device, wait: _waits.Add);

        sensor.SetHeater(true);
        var heating = sensor.ReadStatus();
        sensor.SetHeater(false);
        sensor.SoftReset();

        Assert.True(heating.HasFlag(Sht3xStatus.HeaterOn));
        Assert.Equal([0x306D, 0xF32D, 0x3066, 0x30A2], device.Commands);
    }

    [Fact]
    public void Disposes_the_I2C_device_only_when_told_to()
    {
        var borrowed = new FakeSht3xDevice();
        var owned = new FakeSht3xDevice();

        new Sht3x(borrowed).Dispose();
        new Sht3x(owned, shouldDispose: true).Dispose();

        Assert.False(borrowed.Disposed);
        Assert.True(owned.Disposed);
    }
}
