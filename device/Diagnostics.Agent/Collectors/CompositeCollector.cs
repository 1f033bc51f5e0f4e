using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors;

/// <summary>
/// One device seen through several collectors (IPP for status, SNMP beside it for the page counters IPP lacks; a
/// board's GPIO inputs and its environment sensor) merged into one snapshot. The first collector leads: its state,
/// identity and supplies win where two disagree; conditions and counters are the union. A command goes to the parts
/// that can act, in order, until one does more than say it cannot (IPP resumes the printer, SNMP beside it cannot).
/// </summary>
public sealed class CompositeCollector : IDeviceCollector, IMetricSource, IChangeNotifier, IDeviceActions, IDisposable, IAsyncDisposable
{
    /// <summary>A secondary collector that cannot read: a warning, since the device itself is still seen.</summary>
    public const string PartUnreachableCodePrefix = "agent:collector-unreachable:";

    private readonly IReadOnlyList<IDeviceCollector> _parts;
    private readonly TimeProvider _time;

    public CompositeCollector(IReadOnlyList<IDeviceCollector> parts, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
            throw new ArgumentException("A composite needs at least one collector.", nameof(parts));
        _parts = parts;
        _time = time;
        Name = string.Join('+', parts.Select(p => p.Name));
    }

    public string Name { get; }

    public async ValueTask<DeviceStatus> ReadAsync(CancellationToken cancellationToken)
    {
        // The lead collector's failure is the device's: let it surface so the pump reports the device unreachable.
        var merged = await _parts[0].ReadAsync(cancellationToken);
        for (var i = 1; i < _parts.Count; i++)
        {
            DeviceStatus part;
            try
            {
                part = await _parts[i].ReadAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                merged.Conditions.Add(new ActiveCondition
                {
                    Code = PartUnreachableCodePrefix + _parts[i].Name,
                    Severity = Severity.Warning,
                    Message = $"The {_parts[i].Name} collector cannot read the device: {ex.Message}",
                    SinceUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
                });
                continue;
            }
            Merge(merged, part);
        }
        return merged;
    }

    /// <summary>A change announced by any part is a change of the device; never completes when no part announces.</summary>
    public async Task WaitForChangeAsync(CancellationToken cancellationToken)
    {
        var notifiers = _parts.OfType<IChangeNotifier>().ToList();
        if (notifiers.Count == 0)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return;
        }
        using var others = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var first = await Task.WhenAny(notifiers.Select(n => n.WaitForChangeAsync(others.Token)));
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
    public void Dispose()
    {
        foreach (var part in _parts.OfType<IDisposable>())
            part.Dispose();
    }

    /// <summary>Lets parts that say goodbye over the network (an IPP subscription's cancel) do so without blocking.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var part in _parts)
        {
            if (part is IAsyncDisposable asynchronous)
                await asynchronous.DisposeAsync();
            else
                (part as IDisposable)?.Dispose();
        }
    }

    private static void Merge(DeviceStatus into, DeviceStatus part)
    {
        if (into.Model.Length == 0)
            into.Model = part.Model;
        if (into.Serial.Length == 0)
            into.Serial = part.Serial;
        if (into.FirmwareVersion.Length == 0)
            into.FirmwareVersion = part.FirmwareVersion;
        if (into.State is DeviceState.Unknown || (part.State is DeviceState.Stopped && into.State is not DeviceState.Unreachable))
            into.State = part.State;
        if (into.StateMessage.Length == 0)
            into.StateMessage = part.StateMessage;
        AddMissing(into.Conditions, part.Conditions, c => c.Code);
        AddMissing(into.Supplies, part.Supplies, s => (s.Type, s.Name));
        AddMissing(into.Counters, part.Counters, c => c.Name);
    }

    private static void AddMissing<T, TKey>(List<T> into, List<T> from, Func<T, TKey> key)
    {
        var present = into.Select(key).ToHashSet();
        into.AddRange(from.Where(item => present.Add(key(item))));
    }
}
