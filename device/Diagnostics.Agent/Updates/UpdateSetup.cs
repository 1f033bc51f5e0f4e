namespace Diagnostics.Agent.Updates;

/// <summary>What an <see cref="AgentRuntime"/> needs from its host to take updates.</summary>
/// <param name="Http">The client payloads are downloaded with (not owned); null: the diagnostics client, else one of the runtime's own.</param>
/// <param name="RestartProcess">
/// How the host restarts the agent when a device that does not run inside it must reboot and has no
/// <see cref="UpdateOptions.RebootCommand"/> (the Generic Host stops with a code its service manager restarts it on).
/// </param>
public sealed record UpdateSetup(UpdateOptions Options, HttpClient? Http = null, Func<CancellationToken, Task<string?>>? RestartProcess = null);
