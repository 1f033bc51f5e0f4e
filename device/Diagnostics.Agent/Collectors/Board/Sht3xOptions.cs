using Diagnostics.Agent.Collectors.Board.Sht3x;
using Sht3xDevice = Diagnostics.Agent.Collectors.Board.Sht3x.Sht3x;

namespace Diagnostics.Agent.Collectors.Board;

/// <summary>
/// Where the SHT3x sits and when the environment around the device becomes a condition. Defaults fit a laser
/// printer's usual operating range (about 10-32 °C, 20-80 %RH) with some margin.
/// </summary>
public sealed class Sht3xOptions
{
    public const string Section = "Sht3x";

    /// <summary>I2C bus: 1 is the Raspberry Pi header's SDA/SCL (GPIO2/GPIO3).</summary>
    public int BusId { get; set; } = 1;

    /// <summary>0x44 with ADDR low, 0x45 with ADDR high. Configuration accepts "0x44" or 68.</summary>
    public int Address { get; set; } = Sht3xDevice.DefaultI2cAddress;

    public Sht3xRepeatability Repeatability { get; set; } = Sht3xRepeatability.High;

    /// <summary>Raised at or above this, cleared at or below it minus <see cref="TemperatureHysteresisCelsius"/>.</summary>
    public double OverTemperatureCelsius { get; set; } = 35;

    /// <summary>Raised at or below this, cleared at or above it plus <see cref="TemperatureHysteresisCelsius"/>.</summary>
    public double UnderTemperatureCelsius { get; set; } = 10;

    /// <summary>Keeps a condition from flapping while the value hovers at its threshold.</summary>
    public double TemperatureHysteresisCelsius { get; set; } = 1;

    public double HumidityHighPercent { get; set; } = 80;
    public double HumidityLowPercent { get; set; } = 15;
    public double HumidityHysteresisPercent { get; set; } = 3;

    /// <summary>Consecutive failed reads (no answer, bad checksum) before SENSOR_FAULT: one glitch on a long cable is not a fault.</summary>
    public int FailedReadsBeforeFault { get; set; } = 3;

    public IEnumerable<string> Validate()
    {
        if (BusId < 0)
            yield return $"{Section}:BusId must be 0 or more (was {BusId}).";
        if (Address is not (Sht3xDevice.DefaultI2cAddress or Sht3xDevice.AlternativeI2cAddress))
            yield return $"{Section}:Address must be 0x44 (ADDR low) or 0x45 (ADDR high) (was 0x{Address:X2}).";
        if (!Enum.IsDefined(Repeatability))
            yield return $"{Section}:Repeatability must be Low, Medium or High (was {Repeatability}).";
        // The SHT3x measures -40..125 °C and 0..100 %RH: a threshold outside can never be crossed.
        if (UnderTemperatureCelsius < -40 || OverTemperatureCelsius > 125 || UnderTemperatureCelsius >= OverTemperatureCelsius)
            yield return $"{Section}: need -40 <= UnderTemperatureCelsius < OverTemperatureCelsius <= 125 (were {UnderTemperatureCelsius} and {OverTemperatureCelsius}).";
        if (TemperatureHysteresisCelsius < 0 || TemperatureHysteresisCelsius >= OverTemperatureCelsius - UnderTemperatureCelsius)
            yield return $"{Section}:TemperatureHysteresisCelsius must be 0 or more and below the gap between the thresholds (was {TemperatureHysteresisCelsius}).";
        if (HumidityLowPercent < 0 || HumidityHighPercent > 100 || HumidityLowPercent >= HumidityHighPercent)
            yield return $"{Section}: need 0 <= HumidityLowPercent < HumidityHighPercent <= 100 (were {HumidityLowPercent} and {HumidityHighPercent}).";
        if (HumidityHysteresisPercent < 0 || HumidityHysteresisPercent >= HumidityHighPercent - HumidityLowPercent)
            yield return $"{Section}:HumidityHysteresisPercent must be 0 or more and below the gap between the thresholds (was {HumidityHysteresisPercent}).";
        if (FailedReadsBeforeFault < 1)
            yield return $"{Section}:FailedReadsBeforeFault must be 1 or more (was {FailedReadsBeforeFault}).";
    }
}
