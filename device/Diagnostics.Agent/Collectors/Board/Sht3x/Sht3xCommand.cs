namespace Diagnostics.Agent.Collectors.Board.Sht3x;

/// <summary>SHT3x-DIS commands (datasheet section 4), sent most significant byte first.</summary>
public enum Sht3xCommand : ushort
{
    /// <summary>Single shot, clock stretching disabled, high repeatability (datasheet table 9).</summary>
    MeasureSingleShotHighRepeatability = 0x2400,
    MeasureSingleShotMediumRepeatability = 0x240B,
    MeasureSingleShotLowRepeatability = 0x2416,
    SoftReset = 0x30A2,
    HeaterEnable = 0x306D,
    HeaterDisable = 0x3066,
    ReadStatus = 0xF32D,
    ClearStatus = 0x3041,
}

/// <summary>How many internal samples a measurement averages: more is less noisy and slower.</summary>
public enum Sht3xRepeatability
{
    Low,
    Medium,
    High,
}
