using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors;

/// <summary>
/// A collector that can act on its device, not only read it: the commands of <see cref="DeviceCommands"/> that the
/// device offers. The agent has already checked the command (name, parameters, expiry, consent) before it calls.
/// </summary>
public interface IDeviceActions
{
    /// <summary>
    /// Runs one command. Answers <see cref="ActionOutcome.NotSupported"/> for a command the device cannot do; throws
    /// only for a bug (the agent then reports Failed with the exception's message).
    /// </summary>
    /// <param name="command">A name from <see cref="DeviceCommands"/>.</param>
    /// <param name="parameters">Already checked against what the command accepts.</param>
    Task<ActionOutcome> RunAsync(string command, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken);
}

/// <summary>How a device action ended, in words an agent on the phone can read.</summary>
public sealed record ActionOutcome(CommandOutcome Outcome, string Detail)
{
    /// <summary>The detail of a command the device cannot do, when nothing more specific can be said.</summary>
    public const string NotSupportedByDevice = "not supported by this device";

    /// <summary>The device cannot do this command at all (as opposed to trying and failing).</summary>
    public bool IsNotSupported { get; init; }

    public static ActionOutcome Succeeded(string detail) => new(CommandOutcome.Succeeded, detail);

    public static ActionOutcome Failed(string detail) => new(CommandOutcome.Failed, detail);

    /// <summary>Failed, marked so that a composite device can ask its next collector instead.</summary>
    public static ActionOutcome NotSupported(string detail) => new(CommandOutcome.Failed, detail) { IsNotSupported = true };
}
