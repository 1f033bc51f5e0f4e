namespace Diagnostics.Agent.Collectors.Board.Sht3x;

/// <summary>The SHT3x checksum: CRC-8, polynomial 0x31 (x⁸ + x⁵ + x⁴ + 1), init 0xFF, no reflection, no final XOR.</summary>
public static class Sht3xCrc
{
    private const byte Polynomial = 0x31;
    private const byte Initial = 0xFF;

    public static byte Compute(ReadOnlySpan<byte> data)
    {
        var crc = Initial;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ Polynomial) : (byte)(crc << 1);
        }
        return crc;
    }
}
