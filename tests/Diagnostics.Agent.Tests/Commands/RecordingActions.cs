using Diagnostics.Agent.Collectors;

namespace Diagnostics.Agent.Tests.Commands;

/// <summary>A device that records what it was asked to do and answers as told (Succeeded "done" by default).</summary>
internal sealed class RecordingActions : IDeviceActions
{
    private readonly Lock _lock = new();
    private readonly List<(string Command, IReadOnlyDictionary<string, string> Parameters)> _calls = [];

    /// <summary>What to answer; may throw or never complete.</summary>
    public Func<string, CancellationToken, Task<ActionOutcome>> Answer { get; set; } =
        (_, _) => Task.FromResult(ActionOutcome.Succeeded("done"));

    public IReadOnlyList<(string Command, IReadOnlyDictionary<string, string> Parameters)> Calls
    {
        get
        {
            lock (_lock)
                return [.. _calls];
        }
    }

    public Task<ActionOutcome> RunAsync(string command, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        lock (_lock)
            _calls.Add((command, parameters));
        return Answer(command, cancellationToken);
    }
}
