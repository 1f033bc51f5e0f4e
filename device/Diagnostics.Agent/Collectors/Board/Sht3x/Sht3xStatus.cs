namespace Diagnostics.Agent.Collectors.Board.Sht3x;

/// <summary>Bits of the SHT3x status register (datasheet table 17); the other bits are reserved.</summary>
[Flags]
public enum Sht3xStatus : ushort
{
    None = 0,
    WriteChecksumFailed = 1 << 0,
    CommandFailed = 1 << 1,
    /// <summary>A reset (power-on, soft or hard) happened since the status was last cleared.</summary>
    ResetDetected = 1 << 4,
    TemperatureAlert = 1 << 10,
    HumidityAlert = 1 << 11,
    HeaterOn = 1 << 13,
    AlertPending = 1 << 15,
}
