namespace Diagnostics.Agent.Collectors.Board.Sht3x;

/// <summary>One SHT3x measurement, converted as the datasheet says (section 4.13).</summary>
public readonly record struct Sht3xReading(double TemperatureCelsius, double RelativeHumidityPercent)
{
    /// <summary>T = -45 + 175 · S<sub>T</sub> / (2<sup>16</sup> - 1).</summary>
    public static double ToTemperatureCelsius(ushort rawTemperature) => -45 + 175.0 * rawTemperature / ushort.MaxValue;

    /// <summary>RH = 100 · S<sub>RH</sub> / (2<sup>16</sup> - 1).</summary>
    public static double ToRelativeHumidityPercent(ushort rawHumidity) => 100.0 * rawHumidity / ushort.MaxValue;

    public static Sht3xReading FromRaw(ushort rawTemperature, ushort rawHumidity) =>
        new(ToTemperatureCelsius(rawTemperature), ToRelativeHumidityPercent(rawHumidity));
}
