using Diagnostics.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diagnostics.Agent.Collectors;

/// <summary>
/// One device seen through several collectors (IPP for status, SNMP beside it for the page counters IPP lacks; a
/// board's GPIO inputs and its environment sensor) merged into one snapshot. The first collector leads: its state,
/// message, identity and supplies win where two disagree; a secondary's supplies are added only when the lead has none
/// of the same kind and colour (<see cref="SupplyIdentity"/>), and fill in a level the lead does not know; conditions
/// and counters are the union. Parts are read at the same time and independently: the read waits for a secondary only
/// while it answers, so a dead secondary (an SNMP agent that times out) never slows the lead; its read goes on in the
/// background, its last outcome is used, and its return is announced as a change. A command goes to the parts that
/// can act, in order, until one does more than say it cannot (IPP resumes the printer, SNMP beside it cannot).
/// </summary>
public sealed class CompositeCollector : IDeviceCollector, IMetricSource, IChangeNotifier, IDeviceActions, IDisposable, IAsyncDisposable
{
    /// <summary>A secondary collector that cannot read: a warning, since the device itself is still seen.</summary>
    public const string PartUnreachableCodePrefix = "agent:collector-unreachable:";

    private readonly IReadOnlyList<IDeviceCollector> _parts;
    private readonly TimeProvider _time;
    private readonly Secondary[] _secondaries;
    private readonly ChangeSignal _changes = new();
    private readonly CancellationTokenSource _stopping = new();

    public CompositeCollector(IReadOnlyList<IDeviceCollector> parts, TimeProvider time, ILogger<CompositeCollector>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
            throw new ArgumentException("A composite needs at least one collector.", nameof(parts));
        _parts = parts;
        _time = time;
        Name = string.Join('+', parts.Select(p => p.Name));
        var log = (ILogger?)logger ?? NullLogger.Instance;
        _secondaries = [.. parts.Skip(1).Select(part => new Secondary(part, new ReadFailureLog(log, part.Name, time)))];
    }

    public string Name { get; }

    public async ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken)
    {
        // Every part reads at once; a secondary whose read is still running from an earlier poll is not asked again.
        foreach (var secondary in _secondaries)
            secondary.StartRead(_changes, _stopping.Token);
        // The lead collector's failure is the device's: let it surface so the pump reports the device unreachable.
        var merged = await _parts[0].ReadAsync(cancellationToken);
        foreach (var secondary in _secondaries)
        {
            switch (await secondary.OutcomeAsync(cancellationToken))
            {
                case { Status: { } part }:
                    Merge(merged, part);
                    break;
                case { Failure: { } failure }:
                    merged.Conditions.Add(new ActiveCondition
                    {
                        Code = PartUnreachableCodePrefix + secondary.Part.Name,
                        Severity = Severity.Warning,
                        Message = $"The {secondary.Part.Name} collector cannot read the device: {UnreachableCause.Of(failure).Words}",
                        SinceUnixMs = secondary.FailingSince(_time),
                    });
                    break;
            }
        }
        return merged;
    }

    /// <summary>
    /// A change announced by any part is a change of the device, and so is a secondary's background read that brought
    /// news (it answers again, or it stopped answering); never completes when nothing announces.
    /// </summary>
    public async Task WaitForChangeAsync(CancellationToken cancellationToken)
    {
        using var others = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task[] waits = [_changes.WaitAsync(others.Token), .. _parts.OfType<IChangeNotifier>().Select(n => n.WaitForChangeAsync(others.Token))];
        var first = await Task.WhenAny(waits);
        // Cancelling a wait does not consume a pending change, so the other parts keep theirs for the next wait.
        await others.CancelAsync();
        await first;
    }

    public async Task<ActionOutcome> RunAsync(string command, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        ActionOutcome? notSupported = null;
        foreach (var part in _parts.OfType<IDeviceActions>())
        {
            var outcome = await part.RunAsync(command, parameters, cancellationToken);
            if (!outcome.IsNotSupported)
                return outcome;
            notSupported ??= outcome;
        }
        return notSupported ?? ActionOutcome.NotSupported(ActionOutcome.NotSupportedByDevice);
    }

    public IReadOnlyList<Metric> CurrentMetrics() =>
        _parts.OfType<IMetricSource>().SelectMany(source => source.CurrentMetrics()).ToList();

    /// <summary>The composite owns its parts: the catalog builds them for it.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Lets parts that say goodbye over the network (an IPP subscription's cancel) do so without blocking.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
            return;
        await _stopping.CancelAsync();
        foreach (var secondary in _secondaries)
            await secondary.StoppedAsync();
        foreach (var part in _parts)
        {
            if (part is IAsyncDisposable asynchronous)
                await asynchronous.DisposeAsync();
            else
                (part as IDisposable)?.Dispose();
        }
        _stopping.Dispose();
    }

    private static void Merge(DeviceStatus into, DeviceStatus part)
    {
        if (into.Model.Length == 0)
            into.Model = part.Model;
        if (into.Serial.Length == 0)
            into.Serial = part.Serial;
        if (into.FirmwareVersion.Length == 0)
            into.FirmwareVersion = part.FirmwareVersion;
        // The message tells the state's story: it comes from the part only when the state does.
        if (into.State is DeviceState.Unknown || (part.State is DeviceState.Stopped && into.State is not (DeviceState.Unreachable or DeviceState.Stopped)))
        {
            into.State = part.State;
            into.StateMessage = part.StateMessage;
        }
        AddMissing(into.Conditions, part.Conditions, c => c.Code);
        MergeSupplies(into.Supplies, part.Supplies);
        AddMissing(into.Counters, part.Counters, c => c.Name);
    }

    /// <summary>The lead's supplies stay as they are; a secondary's is added only when the lead has none like it, and lends its level where the lead knows none.</summary>
    private static void MergeSupplies(List<SupplyLevel> lead, List<SupplyLevel> secondary)
    {
        var byIdentity = lead.GroupBy(SupplyIdentity.Of).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var supply in secondary)
        {
            if (!byIdentity.TryGetValue(SupplyIdentity.Of(supply), out var same))
            {
                lead.Add(supply);
                continue;
            }
            if (same.Count == 1 && same[0].LevelPercent < 0 && supply.LevelPercent >= 0)
            {
                same[0].LevelPercent = supply.LevelPercent;
                same[0].Low |= supply.Low;
                same[0].Empty |= supply.Empty;
            }
        }
    }

    private static void AddMissing<T, TKey>(List<T> into, List<T> from, Func<T, TKey> key)
    {
        var present = into.Select(key).ToHashSet();
        into.AddRange(from.Where(item => present.Add(key(item))));
    }

    /// <summary>What a secondary's latest finished read gave: a status or why there is none.</summary>
    private sealed record PartOutcome(DeviceStatus? Status, Exception? Failure);

    /// <summary>One secondary part and its read, which may outlive the composite read that started it.</summary>
    private sealed class Secondary(IDeviceCollector part, ReadFailureLog failures)
    {
        private readonly Lock _gate = new();
        private Task<PartOutcome>? _reading;
        private PartOutcome? _latest;
        private long? _failingSinceUnixMs;

        public IDeviceCollector Part => part;

        public void StartRead(ChangeSignal changes, CancellationToken stopping)
        {
            lock (_gate)
                _reading ??= ReadAsync(changes, stopping);
        }

        /// <summary>
        /// The read's outcome when it is done; while it runs, waited for only if the part answered last time (a part
        /// that did not is not waited for: its latest outcome stands until the background read finishes).
        /// </summary>
        public async Task<PartOutcome?> OutcomeAsync(CancellationToken cancellationToken)
        {
            Task<PartOutcome>? reading;
            lock (_gate)
                reading = _reading;
            if (reading is not null && !reading.IsCompleted && _latest is null or { Status: not null })
                await reading.WaitAsync(cancellationToken);
            lock (_gate)
            {
                if (_reading is { IsCompleted: true } done)
                {
                    _latest = done.Result;
                    _reading = null;
                }
                return _latest;
            }
        }

        public long FailingSince(TimeProvider time)
        {
            lock (_gate)
                return _failingSinceUnixMs ??= time.GetUtcNow().ToUnixTimeMilliseconds();
        }

        public async Task StoppedAsync()
        {
            Task? reading;
            lock (_gate)
                reading = _reading;
            if (reading is not null)
                await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        private async Task<PartOutcome> ReadAsync(ChangeSignal changes, CancellationToken stopping)
        {
            await Task.Yield();
            PartOutcome outcome;
            try
            {
                outcome = new PartOutcome(await part.ReadAsync(stopping), null);
                failures.Succeeded();
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return new PartOutcome(null, null);
            }
            catch (Exception ex)
            {
                outcome = new PartOutcome(null, ex);
                failures.Failed(ex);
            }
            bool answeredBefore;
            lock (_gate)
            {
                answeredBefore = _latest is null or { Status: not null };
                if (outcome.Status is not null)
                    _failingSinceUnixMs = null;
            }
            // A part that comes back (or goes away) between polls is news for the device.
            if (answeredBefore != (outcome.Status is not null))
                changes.Set();
            return outcome;
        }
    }
}
