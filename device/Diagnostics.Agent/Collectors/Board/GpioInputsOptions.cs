using System.Device.Gpio;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors.Board;

/// <summary>Digital inputs of the board (cover switch, paper sensor, fault line) and the conditions they raise.</summary>
public sealed class GpioInputsOptions
{
    public const string Section = "Gpio";

    public List<GpioInputOptions> Inputs { get; set; } = [];

    public IEnumerable<string> Validate()
    {
        if (Inputs.Count == 0)
            yield return $"{Section}:Inputs must list at least one input.";
        for (var i = 0; i < Inputs.Count; i++)
        {
            foreach (var error in Inputs[i].Validate($"{Section}:Inputs:{i}"))
                yield return error;
        }
        foreach (var name in Inputs.GroupBy(input => input.Name).Where(g => g.Count() > 1).Select(g => g.Key))
            yield return $"{Section}:Inputs: the name '{name}' is used more than once; condition codes must be unique.";
        foreach (var pin in Inputs.GroupBy(input => input.Pin).Where(g => g.Count() > 1).Select(g => g.Key))
            yield return $"{Section}:Inputs: GPIO {pin} is used more than once.";
    }
}

/// <summary>One digital input and the condition it raises while active.</summary>
public sealed class GpioInputOptions
{
    private static readonly TimeSpan MaxDebounce = TimeSpan.FromSeconds(10);

    /// <summary>Lowercase kebab-case; the condition code is <c>gpio:{Name}</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>Logical (BCM) GPIO number, not the header pin number.</summary>
    public int Pin { get; set; } = -1;

    public GpioPull Pull { get; set; } = GpioPull.Up;

    /// <summary>True when the input is active at low level (a switch to ground with a pull-up, an open-drain fault line).</summary>
    public bool ActiveLow { get; set; }

    /// <summary>Normalized condition (<see cref="Diagnostics.Protocol.Conditions"/>); empty when none fits.</summary>
    public string Condition { get; set; } = "";

    public Severity Severity { get; set; } = Severity.Warning;

    /// <summary>Shown to people; defaults to "{Name} is active."</summary>
    public string Message { get; set; } = "";

    /// <summary>How long a level must hold before it counts: mechanical switches bounce for a few milliseconds.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(50);

    public string Code => GpioInputsCollector.CodePrefix + Name;

    public string EffectiveMessage => Message.Length > 0 ? Message : $"{Name} is active.";

    public PinMode PinMode => Pull switch
    {
        GpioPull.Up => PinMode.InputPullUp,
        GpioPull.Down => PinMode.InputPullDown,
        _ => PinMode.Input,
    };

    internal IEnumerable<string> Validate(string path)
    {
        if (Name.Length == 0 || !Name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            yield return $"{path}:Name must be lowercase kebab-case such as 'cover-switch' (was '{Name}').";
        if (Pin < 0)
            yield return $"{path}:Pin must be a GPIO number, 0 or more (was {Pin}).";
        if (!Enum.IsDefined(Pull))
            yield return $"{path}:Pull must be None, Up or Down (was {Pull}).";
        if (!Condition.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
            yield return $"{path}:Condition must be a normalized UPPER_SNAKE name such as COVER_OPEN (was '{Condition}').";
        if (Severity is not (Severity.Report or Severity.Warning or Severity.Error))
            yield return $"{path}:Severity must be Report, Warning or Error (was {Severity}).";
        if (Debounce < TimeSpan.Zero || Debounce > MaxDebounce)
            yield return $"{path}:Debounce must be between 0 and {MaxDebounce.TotalSeconds} s (was {Debounce}).";
    }
}

/// <summary>The internal bias resistor of an input.</summary>
public enum GpioPull
{
    /// <summary>No bias: the circuit drives the line both ways (or has its own resistor).</summary>
    None,
    Up,
    Down,
}
