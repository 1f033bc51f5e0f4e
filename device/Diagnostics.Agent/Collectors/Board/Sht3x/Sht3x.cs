using System.Buffers.Binary;
using System.Device.I2c;

namespace Diagnostics.Agent.Collectors.Board.Sht3x;

/// <summary>
/// Sensirion SHT3x-DIS humidity and temperature sensor on I2C: single-shot measurements without clock stretching,
/// so it works on buses (the Raspberry Pi's) that handle clock stretching badly.
/// </summary>
public sealed class Sht3x : IDisposable
{
    /// <summary>ADDR pin low.</summary>
    public const int DefaultI2cAddress = 0x44;

    /// <summary>ADDR pin high.</summary>
    public const int AlternativeI2cAddress = 0x45;

    // Maximum durations from the datasheet (table 4, table 5): waiting less gives a NACK on the read.
    private static readonly TimeSpan HighRepeatabilityDuration = TimeSpan.FromMilliseconds(15);
    private static readonly TimeSpan MediumRepeatabilityDuration = TimeSpan.FromMilliseconds(6);
    private static readonly TimeSpan LowRepeatabilityDuration = TimeSpan.FromMilliseconds(4);
    private static readonly TimeSpan SoftResetDuration = TimeSpan.FromMilliseconds(1.5);

    private readonly I2cDevice _device;
    private readonly bool _shouldDispose;
    private readonly Action<TimeSpan> _wait;
    private bool _disposed;

    /// <param name="i2cDevice">The sensor on its bus, at <see cref="DefaultI2cAddress"/> or <see cref="AlternativeI2cAddress"/>.</param>
    /// <param name="shouldDispose">Whether disposing this also disposes <paramref name="i2cDevice"/>.</param>
    /// <param name="wait">Blocks for the measurement duration; <see cref="Thread.Sleep(TimeSpan)"/> unless a test passes a faster one.</param>
    public Sht3x(I2cDevice i2cDevice, bool shouldDispose = false, Action<TimeSpan>? wait = null)
    {
        ArgumentNullException.ThrowIfNull(i2cDevice);
        _device = i2cDevice;
        _shouldDispose = shouldDispose;
        _wait = wait ?? Thread.Sleep;
    }

    public Sht3xRepeatability Repeatability { get; set; } = Sht3xRepeatability.High;

    /// <summary>Measures once; throws <see cref="IOException"/> when the sensor does not answer, <see cref="InvalidDataException"/> on a bad checksum.</summary>
    public Sht3xReading ReadMeasurement()
    {
        var (command, duration) = Repeatability switch
        {
            Sht3xRepeatability.Low => (Sht3xCommand.MeasureSingleShotLowRepeatability, LowRepeatabilityDuration),
            Sht3xRepeatability.Medium => (Sht3xCommand.MeasureSingleShotMediumRepeatability, MediumRepeatabilityDuration),
            _ => (Sht3xCommand.MeasureSingleShotHighRepeatability, HighRepeatabilityDuration),
        };
        Span<byte> answer = stackalloc byte[6];
        WriteCommand(command);
        _wait(duration);
        Read(answer, "the measurement");
        var rawTemperature = CheckedWord(answer[..3], "temperature");
        var rawHumidity = CheckedWord(answer[3..], "humidity");
        return Sht3xReading.FromRaw(rawTemperature, rawHumidity);
    }

    /// <summary>Measures once; false when the sensor does not answer or the answer fails its checksum.</summary>
    public bool TryReadMeasurement(out Sht3xReading reading)
    {
        try
        {
            reading = ReadMeasurement();
            return true;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            reading = default;
            return false;
        }
    }

    public Sht3xStatus ReadStatus()
    {
        Span<byte> answer = stackalloc byte[3];
        WriteCommand(Sht3xCommand.ReadStatus);
        Read(answer, "the status register");
        return (Sht3xStatus)CheckedWord(answer, "status");
    }

    public void ClearStatus() => WriteCommand(Sht3xCommand.ClearStatus);

    /// <summary>The heater only serves plausibility checks: it warms the sensor by a few degrees and skews readings.</summary>
    public void SetHeater(bool on) => WriteCommand(on ? Sht3xCommand.HeaterEnable : Sht3xCommand.HeaterDisable);

    public void SoftReset()
    {
        WriteCommand(Sht3xCommand.SoftReset);
        _wait(SoftResetDuration);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (_shouldDispose)
            _device.Dispose();
    }

    private void WriteCommand(Sht3xCommand command)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)command);
        try
        {
            _device.Write(bytes);
        }
        catch (IOException ex)
        {
            throw new IOException($"The SHT3x at {Where()} did not accept command {command} (0x{(ushort)command:X4}): {ex.Message}", ex);
        }
    }

    private void Read(Span<byte> answer, string what)
    {
        try
        {
            _device.Read(answer);
        }
        catch (IOException ex)
        {
            throw new IOException($"The SHT3x at {Where()} did not answer with {what}: {ex.Message}", ex);
        }
    }

    private ushort CheckedWord(ReadOnlySpan<byte> wordAndCrc, string what)
    {
        var expected = Sht3xCrc.Compute(wordAndCrc[..2]);
        if (wordAndCrc[2] != expected)
            throw new InvalidDataException($"The SHT3x at {Where()} sent a {what} word 0x{wordAndCrc[0]:X2}{wordAndCrc[1]:X2} with checksum 0x{wordAndCrc[2]:X2}, expected 0x{expected:X2}.");
        return BinaryPrimitives.ReadUInt16BigEndian(wordAndCrc);
    }

    private string Where()
    {
        var settings = _device.ConnectionSettings;
        return $"I2C bus {settings.BusId} address 0x{settings.DeviceAddress:X2}";
    }
}
