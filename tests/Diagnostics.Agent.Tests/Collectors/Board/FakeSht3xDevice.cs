using System.Buffers.Binary;
using System.Device.I2c;
using Diagnostics.Agent.Collectors.Board.Sht3x;

namespace Diagnostics.Agent.Tests.Collectors.Board;

/// <summary>
/// An SHT3x on a fake I2C bus: answers a measurement command with the temperature and humidity the test set,
/// encoded and checksummed as the chip does, and can be told to corrupt a checksum or to be absent (NACK).
/// </summary>
internal sealed class FakeSht3xDevice(int busId = 1, int address = Sht3x.DefaultI2cAddress) : I2cDevice
{
    private byte[]? _pendingAnswer;

    public double TemperatureCelsius { get; set; } = 22.5;
    public double RelativeHumidityPercent { get; set; } = 40;

    /// <summary>Every command written, in order.</summary>
    public List<ushort> Commands { get; } = [];

    /// <summary>Raw bytes of every write, to check the exact bytes on the bus.</summary>
    public List<byte[]> Writes { get; } = [];

    /// <summary>No device at the address: every transfer fails as the Linux driver does on a NACK.</summary>
    public bool Missing { get; set; }

    /// <summary>The next this many measurements come back with a wrong temperature checksum.</summary>
    public int CorruptNextMeasurements { get; set; }

    public Sht3xStatus Status { get; set; } = Sht3xStatus.ResetDetected;

    public bool Disposed { get; private set; }

    public override I2cConnectionSettings ConnectionSettings { get; } = new(busId, address);

    public static ushort RawTemperature(double celsius) => (ushort)Math.Clamp(Math.Round((celsius + 45) * ushort.MaxValue / 175), 0, ushort.MaxValue);

    public static ushort RawHumidity(double percent) => (ushort)Math.Clamp(Math.Round(percent * ushort.MaxValue / 100), 0, ushort.MaxValue);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfMissing();
        Writes.Add(buffer.ToArray());
        if (buffer.Length != 2)
            throw new IOException("SHT3x commands are two bytes.");
        var command = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        Commands.Add(command);
        _pendingAnswer = (Sht3xCommand)command switch
        {
            Sht3xCommand.MeasureSingleShotHighRepeatability or Sht3xCommand.MeasureSingleShotMediumRepeatability or Sht3xCommand.MeasureSingleShotLowRepeatability => Measurement(),
            Sht3xCommand.ReadStatus => Words((ushort)Status),
            _ => null,
        };
        if ((Sht3xCommand)command == Sht3xCommand.HeaterEnable)
            Status |= Sht3xStatus.HeaterOn;
        if ((Sht3xCommand)command == Sht3xCommand.HeaterDisable)
            Status &= ~Sht3xStatus.HeaterOn;
    }

    public override void Read(Span<byte> buffer)
    {
        ThrowIfMissing();
        // The chip NACKs a read header when it has nothing to say (no measurement pending).
        var answer = _pendingAnswer ?? throw new IOException("Error 121 performing I2C data transfer (NACK: no data pending).");
        _pendingAnswer = null;
        answer.AsSpan(0, Math.Min(buffer.Length, answer.Length)).CopyTo(buffer);
    }

    public override byte ReadByte() => throw new NotSupportedException("The SHT3x is read in words with checksums.");

    public override void WriteByte(byte value) => throw new NotSupportedException("SHT3x commands are two bytes.");

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) =>
        throw new NotSupportedException("A single-shot measurement needs a pause between the command and the read.");

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }

    private byte[] Measurement()
    {
        var bytes = Words(RawTemperature(TemperatureCelsius), RawHumidity(RelativeHumidityPercent));
        if (CorruptNextMeasurements > 0)
        {
            CorruptNextMeasurements--;
            bytes[2] ^= 0xFF;
        }
        return bytes;
    }

    private static byte[] Words(params ushort[] words)
    {
        var bytes = new byte[words.Length * 3];
        for (var i = 0; i < words.Length; i++)
        {
            var word = bytes.AsSpan(i * 3, 3);
            BinaryPrimitives.WriteUInt16BigEndian(word, words[i]);
            word[2] = Sht3xCrc.Compute(word[..2]);
        }
        return bytes;
    }

    private void ThrowIfMissing()
    {
        if (Missing)
            throw new IOException("Error 121 performing I2C data transfer (no device at the address).");
    }
}
