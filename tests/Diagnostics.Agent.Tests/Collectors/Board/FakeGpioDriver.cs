using System.Device.Gpio;

namespace Diagnostics.Agent.Tests.Collectors.Board;

/// <summary>
/// A GPIO chip as the kernel driver presents it: each line reads what the outside circuit drives, or what the
/// bias (pull) resistor gives when nothing drives it, and every level change fires the registered edge callbacks.
/// Callbacks run synchronously on the test's thread so tests stay deterministic; the real driver uses its own thread.
/// </summary>
internal sealed class FakeGpioDriver : GpioDriver
{
    private readonly Dictionary<int, Line> _lines = [];

    /// <summary>Edge callbacks delivered, to show which behaviour came from interrupts.</summary>
    public int CallbacksFired { get; private set; }

    public bool Disposed { get; private set; }

    protected override int PinCount => 28;

    public bool IsOpen(int pin) => Get(pin).Open;

    public PinMode ModeOf(int pin) => Get(pin).Mode;

    public int CallbackCount(int pin) => Get(pin).Callbacks.Count;

    /// <summary>The outside circuit drives the line (a switch to ground, a sensor output).</summary>
    public void Drive(int pin, PinValue level) => Change(pin, line => line.Driven = level, fireCallbacks: true);

    /// <summary>The outside circuit lets go (an open switch): the bias resistor decides the level.</summary>
    public void Release(int pin) => Change(pin, line => line.Driven = null, fireCallbacks: true);

    /// <summary>The line changes but the interrupt is lost, as happens under load or while the pin was closed.</summary>
    public void DriveWithoutInterrupt(int pin, PinValue level) => Change(pin, line => line.Driven = level, fireCallbacks: false);

    protected override void OpenPin(int pinNumber) => Get(pinNumber).Open = true;

    protected override void ClosePin(int pinNumber)
    {
        var line = Get(pinNumber);
        line.Open = false;
        line.Callbacks.Clear();
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => Change(pinNumber, line => line.Mode = mode, fireCallbacks: true);

    protected override PinMode GetPinMode(int pinNumber) => Get(pinNumber).Mode;

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown or PinMode.Output;

    protected override PinValue Read(int pinNumber)
    {
        var line = Get(pinNumber);
        if (!line.Open)
            throw new InvalidOperationException($"GPIO {pinNumber} is not open.");
        return line.Level;
    }

    protected override void Toggle(int pinNumber) => Write(pinNumber, Read(pinNumber) == PinValue.High ? PinValue.Low : PinValue.High);

    protected override void Write(int pinNumber, PinValue value) => Change(pinNumber, line => line.Output = value, fireCallbacks: true);

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The collector uses callbacks.");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        Get(pinNumber).Callbacks.Add((eventTypes, callback));

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        Get(pinNumber).Callbacks.RemoveAll(c => c.Callback == callback);

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }

    private Line Get(int pin)
    {
        if (!_lines.TryGetValue(pin, out var line))
            _lines[pin] = line = new Line();
        return line;
    }

    private void Change(int pin, Action<Line> change, bool fireCallbacks)
    {
        var line = Get(pin);
        var before = line.Level;
        change(line);
        var after = line.Level;
        if (before == after || !fireCallbacks)
            return;
        var edge = after == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
        foreach (var (_, callback) in line.Callbacks.Where(c => c.EventTypes.HasFlag(edge)).ToList())
        {
            CallbacksFired++;
            callback(this, new PinValueChangedEventArgs(edge, pin));
        }
    }

    private sealed class Line
    {
        public bool Open { get; set; }
        public PinMode Mode { get; set; } = PinMode.Input;
        public PinValue? Driven { get; set; }
        public PinValue? Output { get; set; }
        public List<(PinEventTypes EventTypes, PinChangeEventHandler Callback)> Callbacks { get; } = [];

        /// <summary>An output drives its own level; an input reads the circuit, else its bias; a floating input reads low here.</summary>
        public PinValue Level => Mode == PinMode.Output
            ? Output ?? PinValue.Low
            : Driven ?? (Mode == PinMode.InputPullUp ? PinValue.High : PinValue.Low);
    }
}
