namespace Diagnostics.Agent.Collectors.Simulated;

/// <summary>Behaviour of the simulated printer. Rates are per simulated hour; <see cref="TimeScale"/> speeds time up.</summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    public string Model { get; set; } = "Acme LaserPro 400";
    public string FirmwareVersion { get; set; } = "2.1.0";

    /// <summary>Firmware that carries the fuser bug: devices running it raise FUSER_FAULT again and again.</summary>
    public string FaultyFirmwareVersion { get; set; } = "2.2.0";

    /// <summary>Size of the factory image a printer is given at first start (see <see cref="SimulatedFirmwareImage"/>).</summary>
    public int FirmwareImageBytes { get; set; } = 64 * 1024;

    /// <summary>Simulated seconds per real second: 1 for a live demo, higher for tests and fast demos.</summary>
    public double TimeScale { get; set; } = 1;

    public double JobsPerHour { get; set; } = 40;
    public int MaxPagesPerJob { get; set; } = 30;
    public double PagesPerSecond { get; set; } = 1;

    /// <summary>With 50 devices, 0.4 jams per hour each is a jam every three minutes across the fleet.</summary>
    public double JamsPerHour { get; set; } = 0.4;
    public double DoorOpensPerHour { get; set; } = 0.3;
    public double FuserFaultsPerHourOnFaultyFirmware { get; set; } = 60;

    /// <summary>
    /// A release built with the planted <c>fuser-fault</c> is broken for sure, not now and then: its faults come often
    /// enough that a health check or a rollout's comparison sees them within minutes of simulated time.
    /// </summary>
    public double FuserFaultsPerHourOnPlantedFault { get; set; } = 360;

    public int PaperTrayCapacity { get; set; } = 250;
    public double TonerPercentPerPage { get; set; } = 0.1;
    public double WasteTonerPercentPerPage { get; set; } = 0.02;

    /// <summary>How long until "a person" clears a jam, closes a door, refills paper or replaces toner (seconds, min..max).</summary>
    public int PersonReactsAfterMinSeconds { get; set; } = 15;
    public int PersonReactsAfterMaxSeconds { get; set; } = 120;

    /// <summary>
    /// Faults raised at fixed simulated seconds after the printer starts, on top of the random ones (see
    /// <see cref="ScriptedFault"/>): <c>ipp:media-jam@5s</c>, <c>ipp:door-open@1m/30s</c>, <c>stubborn-jam@5s</c> (a jam
    /// clear-paper-path cannot clear), <c>ipp:paused@10s</c>. Empty (the default) raises none.
    /// </summary>
    public string ScriptedFaults { get; set; } = "";

    public IEnumerable<string> Validate()
    {
        if (TimeScale <= 0)
            yield return $"{Section}:TimeScale must be above 0 (was {TimeScale}).";
        if (JobsPerHour < 0 || JamsPerHour < 0 || DoorOpensPerHour < 0 || FuserFaultsPerHourOnFaultyFirmware < 0 || FuserFaultsPerHourOnPlantedFault < 0)
            yield return $"{Section}: rates per hour must not be negative.";
        if (MaxPagesPerJob < 1 || PagesPerSecond <= 0)
            yield return $"{Section}:MaxPagesPerJob and PagesPerSecond must be positive.";
        if (FirmwareImageBytes is < SimulatedFirmwareImage.MaxHeaderBytes or > 256 * 1024 * 1024)
            yield return $"{Section}:FirmwareImageBytes must be between {SimulatedFirmwareImage.MaxHeaderBytes} and 268435456 (was {FirmwareImageBytes}).";
        if (PaperTrayCapacity < 1)
            yield return $"{Section}:PaperTrayCapacity must be 1 or more.";
        if (PersonReactsAfterMinSeconds < 1 || PersonReactsAfterMaxSeconds < PersonReactsAfterMinSeconds)
            yield return $"{Section}:PersonReactsAfterMinSeconds must be 1 or more and not above PersonReactsAfterMaxSeconds.";
        ScriptedFault.Parse(ScriptedFaults, out var scriptErrors);
        foreach (var error in scriptErrors)
            yield return $"{Section}:ScriptedFaults {error}";
    }
}
