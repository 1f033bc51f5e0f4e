using System.Collections.Concurrent;
using Diagnostics.Agent.Collectors;

namespace Diagnostics.Cloud.Tests.Infrastructure;

/// <summary>
/// The printer's side of a command for a <see cref="TestAgent"/>: records each action the agent ran on it and succeeds,
/// as a printer whose feed rollers turned would.
/// </summary>
public sealed class RecordingDeviceActions : IDeviceActions
{
    /// <summary>The commands the device was made to carry out, in order.</summary>
    public ConcurrentQueue<string> Ran { get; } = new();

    public Task<ActionOutcome> RunAsync(string command, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        Ran.Enqueue(command);
        return Task.FromResult(ActionOutcome.Succeeded($"{command} done"));
    }
}
