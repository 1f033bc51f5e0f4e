using System.Device.Gpio;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;

namespace Diagnostics.Agent.Collectors.Board;

/// <summary>
/// Digital inputs of the board as conditions: each configured input raises <c>gpio:{name}</c> while it is active.
/// Edges are caught by pin-change callbacks and every read also samples the pins, so a missed edge cannot leave a
/// condition stuck; a level counts only once it has held for the input's debounce interval.
/// </summary>
public sealed partial class GpioInputsCollector : IDeviceCollector, IDisposable
{
    public const string CodePrefix = "gpio:";

    private readonly GpioController _controller;
    private readonly bool _shouldDispose;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<int, InputState> _inputsByPin;
    // Two locks so the driver's event thread (which takes only _stateLock) can never wait on a thread that holds
    // _pinsLock while it asks the driver to remove a callback and join that very event thread.
    private readonly Lock _pinsLock = new();
    private readonly Lock _stateLock = new();
    private readonly List<InputState> _opened = [];
    private bool _allOpen;
    private bool _disposed;

    /// <param name="controller">The board's GPIO controller; pins are opened on the first read, not here, so a
    /// missing permission shows as an unreachable device that recovers instead of an agent that does not start.</param>
    /// <param name="shouldDispose">Whether disposing this also disposes <paramref name="controller"/>.</param>
    public GpioInputsCollector(GpioController controller, GpioInputsOptions options, TimeProvider time, ILogger<GpioInputsCollector> logger, bool shouldDispose = false)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _controller = controller;
        _shouldDispose = shouldDispose;
        _time = time;
        _logger = logger;
        _inputsByPin = options.Inputs.ToDictionary(input => input.Pin, input => new InputState(input));
    }

    public string Name => "gpio";

    public ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_pinsLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            OpenPins();
            var samples = _inputsByPin.Values.Select(input => (input, level: _controller.Read(input.Options.Pin))).ToList();
            var now = _time.GetTimestamp();
            var nowUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var conditions = new List<ActiveCondition>();
            lock (_stateLock)
            {
                foreach (var (input, level) in samples)
                {
                    // The sample covers edges the callbacks never delivered (a lost interrupt, a change while closed).
                    input.Observe(IsActive(input.Options, level), now);
                    if (input.Settle(now, _time))
                        Log.InputChanged(_logger, input.Options.Name, input.Options.Pin, input.Active);
                    if (input.Active)
                    {
                        conditions.Add(new ActiveCondition
                        {
                            Code = input.Options.Code,
                            Condition = input.Options.Condition,
                            Severity = input.Options.Severity,
                            Message = input.Options.EffectiveMessage,
                            SinceUnixMs = nowUnixMs - (long)_time.GetElapsedTime(input.RawSince, now).TotalMilliseconds,
                        });
                    }
                }
            }
            var firstError = conditions.Find(c => c.Severity == Severity.Error);
            return ValueTask.FromResult(new DeviceStatus
            {
                State = firstError is null ? DeviceState.Idle : DeviceState.Stopped,
                StateMessage = firstError?.Message ?? "Ready.",
                Conditions = conditions,
            });
        }
    }

    public void Dispose()
    {
        lock (_pinsLock)
        {
            if (_disposed)
                return;
            _disposed = true;
            ClosePins();
            if (_shouldDispose)
                _controller.Dispose();
        }
    }

    private static bool IsActive(GpioInputOptions input, PinValue level) => input.ActiveLow ? level == PinValue.Low : level == PinValue.High;

    private void OpenPins()
    {
        if (_allOpen)
            return;
        try
        {
            foreach (var input in _inputsByPin.Values)
            {
                _controller.OpenPin(input.Options.Pin, input.Options.PinMode);
                _opened.Add(input);
                _controller.RegisterCallbackForPinValueChangedEvent(input.Options.Pin, PinEventTypes.Rising | PinEventTypes.Falling, OnPinValueChanged);
                input.CallbackRegistered = true;
            }
            _allOpen = true;
            Log.Opened(_logger, _inputsByPin.Count, string.Join(", ", _inputsByPin.Values.Select(i => $"{i.Options.Name}=GPIO{i.Options.Pin}")));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Close what did open so the next poll starts clean; the pump reports the exception as unreachable.
            Log.OpenFailed(_logger, ex, ex.Message);
            ClosePins();
            throw;
        }
    }

    private void ClosePins()
    {
        foreach (var input in _opened)
        {
            if (input.CallbackRegistered)
                _controller.UnregisterCallbackForPinValueChangedEvent(input.Options.Pin, OnPinValueChanged);
            input.CallbackRegistered = false;
            _controller.ClosePin(input.Options.Pin);
        }
        _opened.Clear();
        _allOpen = false;
    }

    private void OnPinValueChanged(object sender, PinValueChangedEventArgs args)
    {
        // Called on the driver's event thread. The edge says which level the pin went to.
        if (!_inputsByPin.TryGetValue(args.PinNumber, out var input))
            return;
        var level = args.ChangeType.HasFlag(PinEventTypes.Rising) ? PinValue.High : PinValue.Low;
        lock (_stateLock)
            input.Observe(IsActive(input.Options, level), _time.GetTimestamp());
    }

    /// <summary>Debounce state of one input: the raw level and since when, and the level that counts.</summary>
    private sealed class InputState(GpioInputOptions options)
    {
        public GpioInputOptions Options { get; } = options;

        public bool RawActive { get; private set; }

        /// <summary>Timestamp (of the TimeProvider) of the last raw change.</summary>
        public long RawSince { get; private set; }

        public bool Active { get; private set; }

        /// <summary>Guarded by the pins lock, unlike the rest.</summary>
        public bool CallbackRegistered { get; set; }

        private bool _observed;

        public void Observe(bool rawActive, long timestamp)
        {
            if (_observed && rawActive == RawActive)
                return;
            _observed = true;
            RawActive = rawActive;
            RawSince = timestamp;
        }

        /// <summary>Lets the raw level count once it has held for the debounce interval; true when that changed <see cref="Active"/>.</summary>
        public bool Settle(long now, TimeProvider time)
        {
            if (RawActive == Active || time.GetElapsedTime(RawSince, now) < Options.Debounce)
                return false;
            Active = RawActive;
            return true;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(AgentLogEvents.GpioInputsOpened, LogLevel.Information, "Watching {Count} GPIO inputs: {Inputs}")]
        public static partial void Opened(ILogger logger, int count, string inputs);

        [LoggerMessage(AgentLogEvents.GpioInputChanged, LogLevel.Information, "GPIO input {Input} (GPIO {Pin}) is now active: {Active}")]
        public static partial void InputChanged(ILogger logger, string input, int pin, bool active);

        [LoggerMessage(AgentLogEvents.GpioInputsOpenFailed, LogLevel.Warning, "Could not open the GPIO inputs: {Reason}")]
        public static partial void OpenFailed(ILogger logger, Exception exception, string reason);
    }
}
