namespace Diagnostics.Agent.Collectors.Board;

/// <summary>
/// Normalized conditions the board collectors raise that <see cref="Diagnostics.Protocol.Conditions"/> does not
/// (yet) name. Same form: one UPPER_SNAKE name per problem; candidates to move into the protocol.
/// </summary>
public static class BoardConditions
{
    /// <summary>A cover or lid switch reports open (a door in the printer's own vocabulary is <c>DOOR_OPEN</c>).</summary>
    public const string CoverOpen = "COVER_OPEN";

    /// <summary>A hardware fault line (an "error" output of a board or power supply) is asserted.</summary>
    public const string HardwareFault = "HARDWARE_FAULT";

    public const string OverTemperature = "OVER_TEMPERATURE";
    public const string UnderTemperature = "UNDER_TEMPERATURE";
    public const string HumidityHigh = "HUMIDITY_HIGH";
    public const string HumidityLow = "HUMIDITY_LOW";

    /// <summary>A sensor the agent relies on does not answer or answers garbage, several times in a row.</summary>
    public const string SensorFault = "SENSOR_FAULT";
}
