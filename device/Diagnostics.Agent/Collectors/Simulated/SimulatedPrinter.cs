using Diagnostics.Agent.Updates;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors.Simulated;

/// <summary>
/// A laser printer simulated one second at a time: jobs arrive, pages use paper and toner, paper jams, doors open,
/// trays run empty and toner runs out until "a person" fixes it a while later. Deterministic: the same seed and the
/// same read times give the same statuses.
/// It also acts (<see cref="IDeviceActions"/>): clear-paper-path feeds a jammed sheet out (not a stubborn one, see
/// <see cref="StubbornJamFault"/>), resume-printer ends a pause, cancel-stuck-jobs empties the queue; identify,
/// calibrate and clean-print-heads succeed (collect-diagnostics is the agent's own command, never sent here). Actions never draw from the
/// random generator, so a printer that is sent commands still follows its seed.
/// It boots firmware images (<see cref="IBootableDevice"/>, <see cref="SimulatedFirmwareImage"/>): after an update it
/// reports the image's version and shows the faults planted in it.
/// </summary>
public sealed class SimulatedPrinter : IDeviceCollector, IDeviceActions, IBootableDevice
{
    public const string TonerLowCode = "ipp:toner-low";
    public const string TonerEmptyCode = "ipp:toner-empty";
    public const string MediaJamCode = "ipp:media-jam";
    public const string MediaEmptyCode = "ipp:media-empty";
    public const string MediaLowCode = "ipp:media-low";
    public const string DoorOpenCode = "ipp:door-open";
    public const string WasteAlmostFullCode = "ipp:marker-waste-almost-full";
    public const string WasteFullCode = "ipp:marker-waste-full";
    /// <summary>The vendor panel code of the fuser fault that firmware <see cref="SimulatorOptions.FaultyFirmwareVersion"/> triggers.</summary>
    public const string FuserFaultCode = "acme:50.1";
    /// <summary>Paused by an operator (IPP <c>paused</c>): stopped until resume-printer or a person resumes it.</summary>
    public const string PausedCode = "ipp:paused";
    /// <summary>The vendor panel code of an engine controller that rejects its firmware (<see cref="SimulatedFirmwareImage.EngineError"/>).</summary>
    public const string EngineErrorCode = "acme:10.1";

    /// <summary>
    /// A scripted fault, not a condition code: a paper jam (reported as <see cref="MediaJamCode"/>) that the rollers
    /// cannot clear, so clear-paper-path fails; only "a person" clears it, after the script's duration or the usual
    /// reaction time. For tests and demos of a fix that does not work.
    /// </summary>
    public const string StubbornJamFault = "stubborn-jam";

    public const string PagesPrintedCounter = "pages-printed";
    public const string PaperJamsCounter = "paper-jams";

    private const int LowPercent = 10;
    private const int WasteAlmostFullPercent = 90;

    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly string _serial;
    private readonly ActiveSince _activeSince = new();
    private readonly IReadOnlyList<ScriptedFault> _scriptedFaults;
    // Reads (the telemetry pump) and actions (the command executor) come from different threads.
    private readonly Lock _lock = new();
    private long _simulatedSeconds;
    private DateTimeOffset _lastRead;
    private double _pendingSimulatedSeconds;
    private double _pageProgress;

    private double _tonerPercent;
    private double _wasteTonerPercent;
    private int _paperSheets;
    private int _pagesLeftInJobs;
    private long _pagesPrinted;
    private long _paperJams;
    private bool _jammed;
    private bool _doorOpen;
    private bool _fuserFault;
    private bool _stubbornJam;
    private bool _paused;
    private int? _resumedIn;
    private int? _jamClearedIn;
    private int? _doorClosedIn;
    private int? _paperRefilledIn;
    private int? _tonerReplacedIn;
    private int? _wasteReplacedIn;
    private int? _fuserRecoversIn;
    private SimulatedFirmwareImage? _image;

    public SimulatedPrinter(SimulatorOptions options, string serial, TimeProvider time, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(random);
        _options = options;
        _serial = serial;
        _time = time;
        _random = random;
        FirmwareVersion = options.FirmwareVersion;
        _lastRead = time.GetUtcNow();
        _scriptedFaults = ScriptedFault.Parse(options.ScriptedFaults, out _);

        // Random starting points so a fleet does not move in lockstep and some devices start near a problem.
        _tonerPercent = 2 + random.NextDouble() * 98;
        _wasteTonerPercent = random.NextDouble() * 92;
        _paperSheets = random.Next(0, options.PaperTrayCapacity + 1);
        _pagesPrinted = random.Next(1_000, 250_000);
    }

    public string Name => "simulated";

    /// <summary>Installed firmware; an update changes it, and the faulty version brings its fuser fault.</summary>
    public string FirmwareVersion { get; set; }

    /// <summary>Times the printer booted an image (the first start from its slot included).</summary>
    public int Boots { get; private set; }

    public byte[] CreateFactoryImage() =>
        SimulatedFirmwareImage.Create(FirmwareVersion, _options.Model, [], _options.FirmwareImageBytes, SimulatedFirmwareImage.FactorySeed(_options.Model));

    /// <summary>
    /// Restarts on an image: its version from now on, and its planted faults. Like a power cycle, it drops the job
    /// queue, a pause and a fuser fault; a jam, an open door or an empty tray stay (they are physical).
    /// </summary>
    public async Task BootAsync(Stream image, CancellationToken cancellationToken)
    {
        var header = await SimulatedFirmwareImage.ReadAsync(image, cancellationToken);
        if (!string.Equals(header.Model, _options.Model, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"the image is for {header.Model}; this printer is a {_options.Model}");
        lock (_lock)
        {
            CatchUp();
            _image = header;
            FirmwareVersion = header.Version;
            _paused = _fuserFault = false;
            _resumedIn = _fuserRecoversIn = null;
            _pagesLeftInJobs = 0;
            _pageProgress = 0;
            Boots++;
        }
    }

    public ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_image?.Has(SimulatedFirmwareImage.Unresponsive) == true)
                throw new IOException($"the printer does not answer since it booted firmware {FirmwareVersion}");
            var now = CatchUp();
            return ValueTask.FromResult(Snapshot(now.ToUnixTimeMilliseconds()));
        }
    }

    public Task<ActionOutcome> RunAsync(string command, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            // The printer is where the clock says before anyone touches it: a jam due by now has happened.
            CatchUp();
            return Task.FromResult(command switch
            {
                DeviceCommands.ClearPaperPath => ClearPaperPath(),
                DeviceCommands.ResumePrinter => Resume(),
                DeviceCommands.CancelStuckJobs => CancelJobs(),
                DeviceCommands.Identify => ActionOutcome.Succeeded(parameters.GetValueOrDefault("action") switch
                {
                    "sound" => "the printer beeped",
                    "display" => "the printer showed \"Here I am\" on its panel",
                    "flash" => "the printer flashed its panel lights",
                    "speak" => "the printer said its name",
                    _ => "the printer beeped and flashed its panel lights",
                }),
                DeviceCommands.Calibrate => ActionOutcome.Succeeded("calibrated: colour registration and density adjusted"),
                DeviceCommands.CleanPrintHeads => ActionOutcome.Succeeded("print heads cleaned"),
                _ => ActionOutcome.NotSupported(ActionOutcome.NotSupportedByDevice),
            });
        }
    }

    private ActionOutcome ClearPaperPath()
    {
        if (!_jammed)
            return ActionOutcome.Succeeded("no paper jam: the paper path was already clear");
        if (_stubbornJam)
            return ActionOutcome.Failed("the rollers could not clear the jam: a sheet is stuck in the paper path; open the front door and remove it by hand");
        _jammed = false;
        _jamClearedIn = null;
        return ActionOutcome.Succeeded("paper jam cleared: the rollers fed the stuck sheet out");
    }

    private ActionOutcome Resume()
    {
        if (!_paused)
            return ActionOutcome.Succeeded("the printer was not paused: nothing to resume");
        _paused = false;
        _resumedIn = null;
        return ActionOutcome.Succeeded("resumed: the printer was paused and prints again");
    }

    private ActionOutcome CancelJobs()
    {
        var pages = _pagesLeftInJobs;
        _pagesLeftInJobs = 0;
        _pageProgress = 0;
        return ActionOutcome.Succeeded(pages > 0 ? $"cancelled every queued job ({pages} pages)" : "no jobs queued: nothing to cancel");
    }

    /// <summary>Runs the simulation up to the clock; returns the clock.</summary>
    private DateTimeOffset CatchUp()
    {
        var now = _time.GetUtcNow();
        if (now > _lastRead)
            _pendingSimulatedSeconds += (now - _lastRead).TotalSeconds * _options.TimeScale;
        _lastRead = now;
        while (_pendingSimulatedSeconds >= 1)
        {
            _pendingSimulatedSeconds -= 1;
            StepOneSecond();
        }
        return now;
    }

    private static bool Chance(Random random, double perHour) => random.NextDouble() < perHour / 3600;

    private int PersonDelay() => _random.Next(_options.PersonReactsAfterMinSeconds, _options.PersonReactsAfterMaxSeconds + 1);

    private bool IsFaultyFirmware => FirmwareVersion == _options.FaultyFirmwareVersion || _image?.Has(SimulatedFirmwareImage.FuserFault) == true;

    private bool CanPrint =>
        !_jammed && !_paused && !_doorOpen && !_fuserFault && _paperSheets > 0 && _tonerPercent > 0 && _wasteTonerPercent < 100;

    private void StepOneSecond()
    {
        if (Countdown(ref _jamClearedIn))
            _jammed = _stubbornJam = false;
        if (Countdown(ref _resumedIn))
            _paused = false;
        if (Countdown(ref _doorClosedIn))
            _doorOpen = false;
        if (Countdown(ref _paperRefilledIn))
            _paperSheets = _options.PaperTrayCapacity;
        if (Countdown(ref _tonerReplacedIn))
            _tonerPercent = 100;
        if (Countdown(ref _wasteReplacedIn))
            _wasteTonerPercent = 0;
        if (Countdown(ref _fuserRecoversIn))
            _fuserFault = false;

        _simulatedSeconds++;
        // Only a script consults the generator here, so a printer without one stays on the seed's random path.
        foreach (var fault in _scriptedFaults)
        {
            // @0s means at once: the first simulated second.
            if (Math.Max(fault.AtSecond, 1) == _simulatedSeconds)
                Raise(fault);
        }

        if (Chance(_random, _options.JobsPerHour))
            _pagesLeftInJobs += _random.Next(1, _options.MaxPagesPerJob + 1);
        if (!_doorOpen && Chance(_random, _options.DoorOpensPerHour))
        {
            _doorOpen = true;
            _doorClosedIn = PersonDelay();
        }
        var fuserFaultsPerHour = _image?.Has(SimulatedFirmwareImage.FuserFault) == true
            ? _options.FuserFaultsPerHourOnPlantedFault
            : _options.FuserFaultsPerHourOnFaultyFirmware;
        if (IsFaultyFirmware && !_fuserFault && Chance(_random, fuserFaultsPerHour))
        {
            _fuserFault = true;
            // A planted fault is the firmware's own: it does not clear by itself in a few seconds.
            _fuserRecoversIn = _image?.Has(SimulatedFirmwareImage.FuserFault) == true ? _random.Next(60, 181) : _random.Next(10, 31);
        }

        if (_pagesLeftInJobs > 0 && CanPrint)
        {
            _pageProgress += _options.PagesPerSecond;
            while (_pageProgress >= 1 && _pagesLeftInJobs > 0 && CanPrint)
            {
                _pageProgress -= 1;
                PrintPage();
            }
        }
        else
        {
            _pageProgress = 0;
        }

        // A person notices an empty tray or cartridge some time after it runs out.
        if (_paperSheets == 0)
            _paperRefilledIn ??= PersonDelay();
        if (_tonerPercent <= 0)
            _tonerReplacedIn ??= PersonDelay() * 2;
        if (_wasteTonerPercent >= 100)
            _wasteReplacedIn ??= PersonDelay() * 2;
    }

    private void Raise(ScriptedFault fault)
    {
        var lasts = fault.ForSeconds ?? PersonDelay();
        switch (fault.Code)
        {
            case MediaJamCode or StubbornJamFault:
                _jammed = true;
                _stubbornJam = fault.Code == StubbornJamFault;
                _paperJams++;
                _jamClearedIn = lasts;
                break;
            case PausedCode:
                _paused = true;
                _resumedIn = lasts;
                break;
            case DoorOpenCode:
                _doorOpen = true;
                _doorClosedIn = lasts;
                break;
            case MediaEmptyCode:
                _paperSheets = 0;
                _paperRefilledIn = lasts;
                break;
            case FuserFaultCode:
                _fuserFault = true;
                _fuserRecoversIn = lasts;
                break;
        }
    }

    private void PrintPage()
    {
        _paperSheets--;
        _pagesLeftInJobs--;
        _pagesPrinted++;
        _tonerPercent = Math.Max(0, _tonerPercent - _options.TonerPercentPerPage);
        _wasteTonerPercent = Math.Min(100, _wasteTonerPercent + _options.WasteTonerPercentPerPage);
        var expectedPagesPerHour = _options.JobsPerHour * (_options.MaxPagesPerJob + 1) / 2.0;
        if (expectedPagesPerHour > 0 && _random.NextDouble() < _options.JamsPerHour / expectedPagesPerHour)
        {
            _jammed = true;
            _stubbornJam = false;
            _paperJams++;
            _jamClearedIn = PersonDelay();
        }
    }

    private static bool Countdown(ref int? secondsLeft)
    {
        if (secondsLeft is null)
            return false;
        secondsLeft--;
        if (secondsLeft > 0)
            return false;
        secondsLeft = null;
        return true;
    }

    private DeviceStatus Snapshot(long nowUnixMs)
    {
        var conditions = new List<ActiveCondition>();
        void Add(bool active, string code, string condition, Severity severity, string message) =>
            _activeSince.Report(conditions, active, code, condition, severity, message, nowUnixMs);

        var tonerLevel = (int)Math.Ceiling(_tonerPercent);
        var paperLevel = (int)Math.Ceiling(_paperSheets * 100.0 / _options.PaperTrayCapacity);
        var wasteFull = (int)Math.Floor(_wasteTonerPercent);
        Add(_jammed, MediaJamCode, Conditions.PaperJam, Severity.Error, "Paper jam in tray 1. Open the front door and remove the paper.");
        Add(_paperSheets == 0, MediaEmptyCode, Conditions.OutOfPaper, Severity.Error, "Tray 1 is empty.");
        Add(_paperSheets > 0 && paperLevel <= LowPercent, MediaLowCode, Conditions.PaperLow, Severity.Warning, "Tray 1 is low.");
        Add(_doorOpen, DoorOpenCode, Conditions.DoorOpen, Severity.Error, "Front door is open.");
        Add(_tonerPercent <= 0, TonerEmptyCode, Conditions.TonerEmpty, Severity.Error, "Black toner is empty. Replace the cartridge.");
        Add(_tonerPercent > 0 && tonerLevel <= LowPercent, TonerLowCode, Conditions.TonerLow, Severity.Warning, "Black toner is low.");
        Add(_wasteTonerPercent >= 100, WasteFullCode, Conditions.WasteTonerFull, Severity.Error, "Waste toner box is full.");
        Add(_wasteTonerPercent is >= WasteAlmostFullPercent and < 100, WasteAlmostFullCode, Conditions.WasteTonerAlmostFull, Severity.Warning, "Waste toner box is almost full.");
        Add(_fuserFault, FuserFaultCode, Conditions.FuserFault, Severity.Error, "50.1 Fuser error. Turn the printer off and on.");
        Add(_paused, PausedCode, Conditions.Paused, Severity.Error, "Paused. Resume the printer to print again.");
        Add(_image?.Has(SimulatedFirmwareImage.EngineError) == true, EngineErrorCode, Conditions.HardwareFault, Severity.Error,
            "10.1 Engine controller error: the engine rejected the firmware. Turn the printer off and on.");

        var stopped = conditions.Exists(c => c.Severity == Severity.Error);
        var state = stopped ? DeviceState.Stopped : _pagesLeftInJobs > 0 ? DeviceState.Processing : DeviceState.Idle;
        return new DeviceStatus
        {
            Model = _options.Model,
            Serial = _serial,
            FirmwareVersion = FirmwareVersion,
            State = state,
            StateMessage = state switch
            {
                DeviceState.Stopped => conditions.First(c => c.Severity == Severity.Error).Message,
                DeviceState.Processing => $"Printing, {_pagesLeftInJobs} pages left.",
                _ => "Ready.",
            },
            Conditions = conditions,
            Supplies =
            [
                new SupplyLevel { Name = "Black Toner Cartridge", Type = "toner", Color = "black", LevelPercent = tonerLevel, Low = tonerLevel <= LowPercent, Empty = tonerLevel <= 0 },
                // A receptacle reports how full it is, as IPP printers and the IPP and SNMP collectors do: low means almost full, empty means full.
                new SupplyLevel { Name = "Waste Toner Box", Type = "wasteToner", Color = "no-color", LevelPercent = wasteFull, Low = wasteFull >= WasteAlmostFullPercent, Empty = wasteFull >= 100 },
                new SupplyLevel { Name = "Tray 1", Type = "media", Color = "white", LevelPercent = paperLevel, Low = paperLevel <= LowPercent, Empty = _paperSheets == 0 },
            ],
            Counters =
            [
                new Counter { Name = PagesPrintedCounter, Value = _pagesPrinted },
                new Counter { Name = PaperJamsCounter, Value = _paperJams },
            ],
        };
    }
}
